"""Feedback on the Slack app's answers: kept in the store, and the SQLite file of earlier
versions imported into it once, by the Slack app or by `policing-qa feedback`."""

from __future__ import annotations

import json
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.cli import main
from bot.slack.app import build_slack_app, mount_slack
from bot.slack.blocks import THANKS
from bot.slack.feedback import Feedback
from bot.slack.feedback_import import import_file
from index.errors import BackendUnavailable
from index.models import Answer
from index.settings import Settings
from tests.fakes.slack import TOKEN, FakeSlack
from tests.slack_workspace import ALICE, CHANNEL, SECRET, Slack

CITATION = {"n": 1, "title": "Robbery", "source": "p.html", "quote": "q", "references": ["C1"]}
# What earlier versions wrote: their schema, two answers and three verdicts.
_OLD_SCHEMA = """
CREATE TABLE answers (
    id TEXT PRIMARY KEY, asked_at TEXT NOT NULL, question TEXT NOT NULL,
    answer TEXT NOT NULL, refused INTEGER NOT NULL, citations TEXT NOT NULL,
    asked_by TEXT, channel TEXT
);
CREATE TABLE feedback (
    answer_id TEXT NOT NULL REFERENCES answers(id), user TEXT NOT NULL, channel TEXT,
    choice TEXT NOT NULL, chosen_at TEXT NOT NULL, PRIMARY KEY (answer_id, user)
);
CREATE TABLE seen_events (event_id TEXT PRIMARY KEY, seen_at TEXT NOT NULL);
"""
_OLD_ANSWERS = [
    ("a1", "2024-05-01T10:00:00+00:00", "Who was robbed?", "A store [1].", 0, [CITATION]),
    ("a2", "2024-05-02T10:00:00+00:00", "What about Mars?", "Not said.", 1, []),
]
_OLD_VERDICTS = [
    ("a1", ALICE, CHANNEL, "helpful", "2024-05-01T10:05:00+00:00"),
    ("a1", "UBOB00001", CHANNEL, "unhelpful", "2024-05-01T11:00:00+00:00"),
    ("a2", ALICE, "DALICE001", "helpful", "2024-05-02T10:01:00+00:00"),
]


@pytest.fixture
def old_file(tmp_path):
    """A feedback database as earlier versions left it beside the store."""
    path = tmp_path / "feedback.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(_OLD_SCHEMA)
        for aid, at, question, text, refused, cites in _OLD_ANSWERS:
            row = (aid, at, question, text, refused, json.dumps(cites), ALICE, CHANNEL)
            db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
        db.executemany("INSERT INTO feedback VALUES (?, ?, ?, ?, ?)", _OLD_VERDICTS)
        db.execute("INSERT INTO seen_events VALUES ('Ev1', '2024-05-01T10:00:00+00:00')")
    return path


def _verdicts(feedback: Feedback) -> list[tuple]:
    return [(r["answer_id"], r["user"], r["choice"]) for r in feedback.export()]


def test_an_old_feedback_file_is_imported_once_and_left_as_it_was(store, old_file, caplog):
    caplog.set_level(logging.INFO, logger="bot.slack.feedback_import")
    before = old_file.read_bytes()
    feedback = Feedback(store)
    assert import_file(old_file, feedback) == (2, 3)
    assert f"imported 2 answers and 3 feedback verdicts from {old_file}" in caplog.text
    first, *_ = feedback.export()
    assert first == {
        "answer_id": "a1",
        "asked_at": "2024-05-01T10:00:00+00:00",
        "question": "Who was robbed?",
        "answer": "A store [1].",
        "refused": False,
        "citations": [CITATION],
        "user": ALICE,
        "channel": CHANNEL,
        "choice": "helpful",
        "chosen_at": "2024-05-01T10:05:00+00:00",
    }
    # Alice changes her mind; importing again (a restart, another replica) keeps that.
    assert feedback.record_choice("a1", user=ALICE, channel=CHANNEL, choice="unhelpful")
    assert import_file(old_file, feedback) == (0, 0)
    assert "is already in the store; it may be deleted" in caplog.text
    assert _verdicts(feedback) == [
        ("a1", "UBOB00001", "unhelpful"),
        ("a2", ALICE, "helpful"),
        ("a1", ALICE, "unhelpful"),
    ]
    assert old_file.read_bytes() == before


def test_feedback_knows_its_answers_and_choices(store):
    feedback = Feedback(store)
    answer = Answer(question="q", answer="a", refused=True, citations=[])
    answer_id = feedback.record_answer(answer, asked_by=ALICE, channel=CHANNEL)
    assert not feedback.record_choice("no-such-answer", user=ALICE, channel=None, choice="helpful")
    with pytest.raises(ValueError, match="not one of helpful, unhelpful"):
        feedback.record_choice(answer_id, user=ALICE, channel=None, choice="meh")
    assert feedback.record_choice(answer_id, user=ALICE, channel=CHANNEL, choice="helpful")
    assert _verdicts(Feedback(store)) == [(answer_id, ALICE, "helpful")]


class StoreOnlyAnswerer:
    """The Answerer interface over a store, failing to answer (no model needed here)."""

    def __init__(self, store):
        self.store = store

    def ask(self, question, history=(), *, since=None, until=None, top_k=None):
        raise BackendUnavailable("LLM server at 127.0.0.1:9 did not answer within 30s")


def test_the_slack_app_imports_the_old_file_on_first_use(tmp_path, store, old_file, caplog):
    caplog.set_level(logging.INFO, logger="bot.slack.feedback_import")
    with FakeSlack() as fake:
        settings = Settings(
            store=tmp_path / "store",  # the old file's default place is beside it
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=fake.api_url,
        )
        app = FastAPI()
        bolt = build_slack_app(settings, StoreOnlyAnswerer(store), executor=ThreadPoolExecutor(1))
        mount_slack(app, bolt)
        slack = Slack(fake, TestClient(app), store)
        # A button under an answer the old file holds: known once the file is imported.
        assert slack.click("feedback_unhelpful", "a2", "1.0").status_code == 200
        (thanks,) = fake.wait_for("response_url")
    assert thanks["text"] == THANKS
    assert "imported 2 answers and 3 feedback verdicts" in caplog.text
    assert ("a2", ALICE, "unhelpful") in _verdicts(Feedback(store))


def test_feedback_export_imports_the_old_file_first(tmp_path, old_file, monkeypatch):
    monkeypatch.setenv("POLICING_QA_FEEDBACK_DB", str(old_file))
    store = ["--store", str(tmp_path / "store")]
    first = CliRunner().invoke(main, ["feedback", "export", *store])
    assert first.exit_code == 0, first.output
    assert f"imported 2 answers and 3 verdicts from {old_file}" in first.stderr
    rows = [json.loads(line) for line in first.stdout.splitlines()]
    assert [(r["answer_id"], r["user"]) for r in rows] == [(a, u) for a, u, *_ in _OLD_VERDICTS]
    again = CliRunner().invoke(main, ["feedback", "export", "--format", "csv", *store])
    assert again.exit_code == 0 and again.stderr == ""
    assert len(again.stdout.splitlines()) == 1 + len(_OLD_VERDICTS)


def test_feedback_import_copies_another_hosts_file(tmp_path, old_file):
    store = tmp_path / "elsewhere"
    result = CliRunner().invoke(main, ["feedback", "import", str(old_file), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "imported 2 answers and 3 verdicts" in result.stderr
    exported = CliRunner().invoke(main, ["feedback", "export", "--store", str(store)])
    assert len(exported.stdout.splitlines()) == len(_OLD_VERDICTS)


@pytest.mark.parametrize("content", [b"not a database at all", None], ids=["garbage", "empty"])
def test_an_unreadable_old_file_is_a_one_line_error(tmp_path, content):
    path = tmp_path / "old.sqlite3"
    if content is None:
        sqlite3.connect(path).close()  # a database without the tables
    else:
        path.write_bytes(content)
    result = CliRunner().invoke(main, ["feedback", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: cannot read the feedback database {path}")
    assert "Traceback" not in result.output
