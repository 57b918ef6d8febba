"""The Slack app's small SQLite file: answers given, feedback on them, deliveries seen.

One connection per call (SQLite connections are not shared across threads) and WAL
mode, so Bolt's worker threads and several server processes on one host can use the
same file at once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from index.errors import ConfigError
from index.models import Answer
from index.settings import Settings

log = logging.getLogger(__name__)

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
# Slack retries a delivery for about an hour at most; older event ids are forgotten.
_EVENT_TTL = dt.timedelta(hours=2)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY, asked_at TEXT NOT NULL, question TEXT NOT NULL,
    answer TEXT NOT NULL, refused INTEGER NOT NULL, citations TEXT NOT NULL,
    asked_by TEXT, channel TEXT
);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT NOT NULL REFERENCES answers(id), user TEXT NOT NULL, channel TEXT,
    choice TEXT NOT NULL, chosen_at TEXT NOT NULL, PRIMARY KEY (answer_id, user)
);
CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, seen_at TEXT NOT NULL);
"""


def feedback_path(settings: Settings) -> Path:
    """`settings.feedback_db`, else `feedback.sqlite3` beside the store directory."""
    return settings.feedback_db or settings.store.parent / "feedback.sqlite3"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class FeedbackStore:
    """Answers the bot posted and what people thought of them."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"feedback database {self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    def record_answer(self, answer: Answer, *, asked_by: str | None, channel: str | None) -> str:
        """Keep an answer as posted; return the id its feedback buttons carry."""
        answer_id = uuid.uuid4().hex
        citations = json.dumps([c.model_dump(mode="json") for c in answer.citations])
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer_id,
                    _now(),
                    answer.question,
                    answer.answer,
                    int(answer.refused),
                    citations,
                    asked_by,
                    channel,
                ),
            )
        return answer_id

    def record_choice(self, answer_id: str, *, user: str, channel: str | None, choice: str) -> bool:
        """Store one person's verdict (a later click replaces theirs); False if unknown."""
        if choice not in CHOICES:
            raise ValueError(f"feedback choice {choice!r} is not one of {', '.join(CHOICES)}")
        with closing(self._connect()) as db, db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return False
            db.execute(
                "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?)",
                (answer_id, user, channel, choice, _now()),
            )
        return True

    def claim_event(self, event_id: str) -> bool:
        """True the first time an event id is seen, False for any redelivery of it."""
        cutoff = (dt.datetime.now(dt.UTC) - _EVENT_TTL).isoformat(timespec="seconds")
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM seen_events WHERE seen_at < ?", (cutoff,))
            cursor = db.execute(
                "INSERT OR IGNORE INTO seen_events VALUES (?, ?)", (event_id, _now())
            )
            return cursor.rowcount == 1

    def export(self) -> Iterator[dict]:
        """Every verdict with the answer it judged, oldest first."""
        query = """
            SELECT a.id AS answer_id, a.asked_at, a.question, a.answer, a.refused,
                   a.citations, f.user, f.channel, f.choice, f.chosen_at
            FROM feedback f JOIN answers a ON a.id = f.answer_id
            ORDER BY f.chosen_at, a.id, f.user
        """
        with closing(self._connect()) as db:
            for row in db.execute(query):
                record = dict(row)
                record["refused"] = bool(record["refused"])
                record["citations"] = json.loads(record["citations"])
                yield record
