"""The answers the Slack app posted and what people thought of them, in the store.

Both live in the store's run records, so every `serve` replica on a shared Chroma server
reads and writes the same ones: a button clicked under an answer another replica posted
is recorded, and `policing-qa feedback export` lists every verdict, whichever replica
took it. An answer is a record keyed by the id its buttons carry; a verdict is keyed by
answer and person, so a later click replaces theirs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

from index.models import Answer
from index.store import Store

ANSWER, VERDICT = "slack_answer", "slack_feedback"
CHOICES = ("helpful", "unhelpful")
EXPORT_FIELDS = (
    "answer_id",
    "asked_at",
    "question",
    "answer",
    "refused",
    "citations",
    "user",
    "channel",
    "choice",
    "chosen_at",
)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def verdict_key(answer_id: str, user: str) -> str:
    return f"{answer_id}/{user}"


class Feedback:
    """Answers the bot posted and what people thought of them, in one store."""

    def __init__(self, store: Store):
        self.records = store.run_records

    def record_answer(self, answer: Answer, *, asked_by: str | None, channel: str | None) -> str:
        """Keep an answer as posted; return the id its feedback buttons carry."""
        answer_id = uuid.uuid4().hex
        self.records.put(
            answer_id,
            ANSWER,
            {
                "asked_at": now_iso(),
                "question": answer.question,
                "answer": answer.answer,
                "refused": answer.refused,
                "citations": [c.model_dump(mode="json") for c in answer.citations],
                "asked_by": asked_by,
                "channel": channel,
            },
        )
        return answer_id

    def record_choice(self, answer_id: str, *, user: str, channel: str | None, choice: str) -> bool:
        """Store one person's verdict (a later click replaces theirs); False if unknown."""
        if choice not in CHOICES:
            raise ValueError(f"feedback choice {choice!r} is not one of {', '.join(CHOICES)}")
        if self.records.get(answer_id, ANSWER) is None:
            return False
        verdict = {
            "answer_id": answer_id,
            "user": user,
            "channel": channel,
            "choice": choice,
            "chosen_at": now_iso(),
        }
        self.records.put(verdict_key(answer_id, user), VERDICT, verdict)
        return True

    def add_missing(self, answers: dict[str, dict], verdicts: dict[str, dict]) -> tuple[int, int]:
        """Write the answers and verdicts the store does not hold yet (never replacing one);
        how many of each were new."""
        answers = _missing(self.records, ANSWER, answers)
        verdicts = _missing(self.records, VERDICT, verdicts)
        self.records.add_many(ANSWER, answers)
        self.records.add_many(VERDICT, verdicts)
        return len(answers), len(verdicts)

    def export(self) -> Iterator[dict]:
        """Every verdict with the answer it judged, oldest first."""
        verdicts = list(self.records.all(VERDICT).values())
        answers = self.records.get_many((v["answer_id"] for v in verdicts), ANSWER)
        verdicts.sort(key=lambda v: (v["chosen_at"], v["answer_id"], v["user"]))
        for verdict in verdicts:
            answer = answers.get(verdict["answer_id"])
            if answer is None:
                continue
            yield {
                "answer_id": verdict["answer_id"],
                "asked_at": answer["asked_at"],
                "question": answer["question"],
                "answer": answer["answer"],
                "refused": bool(answer["refused"]),
                "citations": answer["citations"],
                "user": verdict["user"],
                "channel": verdict["channel"],
                "choice": verdict["choice"],
                "chosen_at": verdict["chosen_at"],
            }


def _missing(records, kind: str, wanted: dict[str, dict]) -> dict[str, dict]:
    present = records.get_many(wanted, kind)
    return {key: data for key, data in wanted.items() if key not in present}
