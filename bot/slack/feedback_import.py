"""Feedback that earlier versions kept in a SQLite file on one host, copied into the store.

Earlier versions kept the Slack app's answers and verdicts in `feedback.sqlite3` beside
the store directory (or at POLICING_QA_FEEDBACK_DB), a file per host. When the Slack app
first needs its records, and when `policing-qa feedback export` runs, that file's rows
are copied into the store, and the log says how many. A row the store already holds is
never replaced (a verdict changed since is kept), so copying again, after a restart or
from another replica, writes nothing. The file is only read; once the log says it was
imported it may be deleted. `policing-qa feedback import FILE` copies another host's file.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

from bot.slack.feedback import Feedback, verdict_key
from index.errors import ConfigError
from index.settings import Settings

log = logging.getLogger(__name__)


def legacy_path(settings: Settings) -> Path:
    """`settings.feedback_db`, else `feedback.sqlite3` beside the store directory."""
    return settings.feedback_db or settings.store.parent / "feedback.sqlite3"


def read_file(path: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    """(answers by id, verdicts by key) from a feedback file, read without changing it."""
    answers: dict[str, dict] = {}
    verdicts: dict[str, dict] = {}
    try:
        with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as db:
            db.row_factory = sqlite3.Row
            for row in db.execute("SELECT * FROM answers ORDER BY asked_at, id"):
                answers[row["id"]] = {
                    "asked_at": row["asked_at"],
                    "question": row["question"],
                    "answer": row["answer"],
                    "refused": bool(row["refused"]),
                    "citations": json.loads(row["citations"]),
                    "asked_by": row["asked_by"],
                    "channel": row["channel"],
                }
            for row in db.execute("SELECT * FROM feedback ORDER BY chosen_at"):
                verdicts[verdict_key(row["answer_id"], row["user"])] = dict(row)
    except (sqlite3.Error, ValueError) as exc:
        raise ConfigError(f"cannot read the feedback database {path}: {exc}") from exc
    return answers, verdicts


def import_file(path: Path, feedback: Feedback) -> tuple[int, int]:
    """Copy a feedback file's answers and verdicts into the store; how many were new."""
    answers, verdicts = read_file(path)
    new_answers, new_verdicts = feedback.add_missing(answers, verdicts)
    if new_answers or new_verdicts:
        log.info(
            "imported %d answers and %d feedback verdicts from %s into the store; "
            "the file is no longer used and may be deleted",
            new_answers,
            new_verdicts,
            path,
        )
    else:
        log.info("feedback database %s is already in the store; it may be deleted", path)
    return new_answers, new_verdicts


class LegacyImport:
    """Import the old feedback file, if there is one, the first time the store is at hand."""

    def __init__(self, path: Path | None):
        self.path = path
        self._done = path is None
        self._lock = threading.Lock()

    def into(self, feedback: Feedback) -> None:
        """Import once per process; a store error leaves it for the next call."""
        if self._done:
            return
        with self._lock:
            if self._done:
                return
            if not self.path.is_file():
                self._done = True
                return
            try:
                import_file(self.path, feedback)
            except ConfigError as exc:  # an unreadable file stays unreadable: said once
                log.error("%s; its feedback was not imported", exc)
            self._done = True
