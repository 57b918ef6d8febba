"""What the Slack listeners share: the answerer, its store, and what the app keeps there.

Nothing a listener relies on lives in one process or on one machine's disk. Answers,
feedback, follows and the events already answered are run records in the store the
answers come from, so several `serve` replicas on one Chroma server act as one app.

Slack redelivers an event it thinks was lost, to whichever replica its load balancer
picks. Each `event_id` is claimed once in the store (`index.runs.RunRecords.claim`: of
replicas racing on one event, exactly one wins), so a redelivery is answered only if no
earlier delivery reached a listener. Claims lapse after two hours; Slack retries within
minutes. When the claim itself fails (the store did not answer), the event is answered
anyway: a rare second answer is better than a question left unanswered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.answer.redact import shown
from bot.cases.follows import follow_target
from bot.slack.blocks import APOLOGY, render_answer
from bot.slack.feedback import Feedback
from bot.slack.feedback_import import LegacyImport
from index.models import Answer

log = logging.getLogger(__name__)

EVENT = "slack_event"
EVENT_TTL = 2 * 3600.0  # seconds; Slack retries a delivery within minutes


@dataclass(frozen=True)
class Services:
    """What listeners share; Bolt copies a request's context for lazy listeners, not this."""

    answerer: Callable[[], object]
    log_questions: bool = False
    legacy: LegacyImport = field(default_factory=lambda: LegacyImport(None))

    def __deepcopy__(self, memo) -> Services:
        return self

    def store(self):
        """The store answers come from, where the app's records are kept; None without one."""
        return getattr(self.answerer(), "store", None)

    def feedback(self) -> Feedback | None:
        """Answers and verdicts in the store (the old feedback file imported on first use)."""
        store = self.store()
        if store is None:
            return None
        feedback = Feedback(store)
        self.legacy.into(feedback)
        return feedback

    def first_delivery(self, event_id: str) -> bool:
        """True unless a delivery of this event was already claimed, by any replica."""
        try:
            store = self.store()
            return store is None or store.run_records.claim(event_id, EVENT, EVENT_TTL)
        except Exception as exc:  # the store did not answer: see the module docstring
            log.warning("could not claim Slack event %s (%s); answering it anyway", event_id, exc)
            return True

    def answer(self, question: str, history=(), *, user, channel, show_question=False) -> dict:
        """The rendered answer, or the apology; never raises."""
        log.info(
            "question from %s in %s (%d earlier turns): %s",
            user,
            channel,
            len(history),
            shown(question, self.log_questions),
        )
        try:
            result: Answer = self.answerer().ask(question, history)
        except Exception:
            log.exception("answering failed (user %s, channel %s)", user, channel)
            return {"text": APOLOGY}
        try:
            feedback = self.feedback()
            answer_id = feedback and feedback.record_answer(result, asked_by=user, channel=channel)
        except Exception:
            # The answer matters more than its feedback buttons.
            log.exception("could not record the answer for feedback")
            answer_id = None
        return render_answer(
            result, answer_id, show_question=show_question, follow=self._follow(result)
        )

    def _follow(self, result: Answer) -> str | None:
        """The case (or story) a Follow button on this answer follows, if any."""
        try:
            return follow_target(result, self.store())
        except Exception:  # the answer matters more than its Follow button
            log.exception("could not tell which case the answer is about")
            return None
