"""Two `serve` replicas on one Chroma server act as one Slack app.

Each replica is the app `policing-qa serve` runs (`bot.cli.serve.service_app`): its own
runtime, answerer, embedding model, Bolt app and worker pool, and no local store. Both
use one `chroma run` started here and one fake Slack Web API. That a retry is answered
once rests on Chroma's `add` never replacing a record; the first tests check exactly that.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from bot.cli.serve import service_app
from bot.slack.blocks import THANKS
from bot.slack.feedback import Feedback
from index.client import open_client
from index.runs import RunRecords
from index.store import open_store
from ingest.pipeline import Ingestor
from tests.fakes.slack import TOKEN, FakeSlack
from tests.slack_workspace import ALICE, CHANNEL, LURING, LURING_CASE, SECRET, Slack, buttons
from tests.support import PAGES, REPO, clean_settings

BOB = "UBOB00001"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def _records(where: str, tmp_path) -> RunRecords:
    """A fresh run-records collection: embedded in `tmp_path`, or on the Chroma server."""
    client = open_client(tmp_path / "store") if where == "embedded" else open_client(None, where)
    name = f"runs_{uuid.uuid4().hex[:8]}"
    return RunRecords(client.create_collection(name, embedding_function=None))


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.slow)])
def records(request, tmp_path):
    where = "embedded" if request.param == "embedded" else request.getfixturevalue("chroma_server")
    return _records(where, tmp_path)


def test_chroma_add_never_replaces_a_record(records):
    collection = records.collection
    collection.add(ids=["x"], embeddings=[[1.0]], metadatas=[{"token": "first"}])
    collection.add(ids=["x"], embeddings=[[1.0]], metadatas=[{"token": "second"}])  # no error
    assert collection.get(ids=["x"], include=["metadatas"])["metadatas"] == [{"token": "first"}]
    collection.add(ids=["x", "y"], embeddings=[[1.0]] * 2, metadatas=[{"token": "third"}] * 2)
    got = collection.get(ids=["x", "y"], include=["metadatas"])
    assert dict(zip(got["ids"], got["metadatas"], strict=True)) == {
        "x": {"token": "first"},
        "y": {"token": "third"},
    }


def test_a_claim_is_taken_once_and_lapses(records):
    assert records.claim("Ev1", "slack_event", ttl=60)
    assert not records.claim("Ev1", "slack_event", ttl=60)  # a redelivery
    assert records.claim("Ev1", "other_kind", ttl=60) and records.claim("Ev2", "slack_event", 60)
    records.put("keep", "slack_event", {"no": "expiry"})
    assert records.claim("Ev3", "slack_event", ttl=0.0)
    time.sleep(0.05)
    assert records.claim("Ev3", "slack_event", ttl=60)  # the lapsed claim was removed first
    assert set(records.all("slack_event")) == {"Ev1", "Ev2", "Ev3", "keep"}


# One claimant process: says it is ready, reads the moment to start, then claims key n at
# `start + n * step`, so all processes claim each key at once; prints the keys it won.
_CLAIMANT = """
import json, sys, time
from index.client import open_client
from index.runs import RunRecords
url, name, step, keys = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
records = RunRecords(open_client(None, url).get_collection(name))
print("ready", flush=True)
start = float(sys.stdin.readline())
won = []
for n, key in enumerate(keys):
    time.sleep(max(0.0, start + n * step - time.time()))
    if records.claim(key, "slack_event", ttl=60):
        won.append(key)
print(json.dumps(won), flush=True)
"""


@pytest.mark.slow
def test_claims_racing_from_separate_processes_have_one_winner_each(chroma_server, tmp_path):
    name = _records(chroma_server, tmp_path).collection.name
    keys = [f"Ev{n:03d}" for n in range(30)]
    argv = [sys.executable, "-c", _CLAIMANT, chroma_server, name, "0.25", *keys]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    procs = [subprocess.Popen(argv, cwd=REPO, **pipes) for _ in range(4)]
    assert [proc.stdout.readline() for proc in procs] == ["ready\n"] * 4
    start = f"{time.time() + 0.5}\n"
    for proc in procs:
        proc.stdin.write(start)
        proc.stdin.flush()
    won = [json.loads(proc.communicate(timeout=120)[0]) for proc in procs]
    assert sorted(key for keys_won in won for key in keys_won) == keys  # one winner each
    assert sum(1 for keys_won in won if keys_won) > 1, won  # they did race


# --- two replicas of `serve` --------------------------------------------------------------


@pytest.fixture(scope="module")
def replicas(chroma_server, tmp_path_factory, embedder):
    """Replicas A and B (Slack workspaces over the two apps), the settings they share."""
    home = tmp_path_factory.mktemp("replicas")
    shared = clean_settings(
        store=home / "unused",
        chroma_url=chroma_server,
        collection=f"replicas_{uuid.uuid4().hex[:8]}",
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
    )
    pages = [str(PAGES / f"2019_10oct_2019_10_{day}.html") for day in ("04", "07", "08")]
    assert not Ingestor(open_store(shared), embedder).run(pages).failed
    with FakeSlack() as fake:
        settings = shared.model_copy(update={"slack_api_url": fake.api_url})
        with TestClient(service_app(settings)) as a, TestClient(service_app(settings)) as b:
            stores = [app.app.state.runtime.answerer().store for app in (a, b)]
            assert stores[0] is not stores[1]
            yield Slack(fake, a, stores[0]), Slack(fake, b, stores[1]), settings
    assert not (home / "unused").exists()  # nothing on local disk


def _declined(caplog, slack: Slack, event: dict, event_id: str, count: int = 1) -> None:
    """Wait until `count` deliveries of the event were declined as already answered;
    fail as soon as it is answered twice."""
    deadline = time.monotonic() + 30
    said = f"event {event_id} was already delivered"
    while sum(said in r.getMessage() for r in caplog.records) < count:
        assert len(slack.posted(event)) <= 1, f"{event_id} was answered twice"
        assert time.monotonic() < deadline, f"no replica declined {event_id}"
        time.sleep(0.02)


def _shown(message: dict) -> tuple[str, list]:
    """What a person sees of an answer: not the answer id its feedback buttons carry."""
    return message["text"], [b for b in message["blocks"] if b.get("block_id") != "feedback"]


@pytest.mark.slow
def test_a_retry_landing_on_the_other_replica_is_not_answered_again(replicas, caplog):
    caplog.set_level(logging.INFO, logger="bot.slack.listeners")
    a, b, _ = replicas
    event = a.message(LURING)
    assert a.event(event, event_id="EvREPLICA01").status_code == 200
    assert b.event(event, event_id="EvREPLICA01", headers=RETRY).status_code == 200
    reply = a.answer_to(event)
    _declined(caplog, a, event, "EvREPLICA01")
    assert LURING_CASE in json.dumps(reply["blocks"])
    # A third delivery, later, to either replica: still declined.
    again = {**RETRY, "X-Slack-Retry-Num": "2"}
    assert a.event(event, event_id="EvREPLICA01", headers=again).status_code == 200
    _declined(caplog, a, event, "EvREPLICA01", 2)
    assert len(a.posted(event)) == 1 and len(a.replies(event["ts"])) == 1


def _at_once(*calls) -> list:
    """Make the calls at the same moment, each in its own thread; their results."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.slow
def test_deliveries_racing_on_both_replicas_get_one_answer(replicas, caplog):
    caplog.set_level(logging.INFO, logger="bot.slack.listeners")
    a, b, _ = replicas
    for n in range(3):
        event, event_id = a.message(LURING), f"EvRACE{n:04d}"
        first = partial(a.event, event, event_id=event_id)
        retry = partial(b.event, event, event_id=event_id, headers=RETRY)
        assert [r.status_code for r in _at_once(first, retry)] == [200, 200]
        a.answer_to(event)
        _declined(caplog, a, event, event_id)
        assert len(a.posted(event)) == 1


@pytest.mark.slow
def test_feedback_taken_by_either_replica_is_read_by_both(replicas, monkeypatch):
    from bot.cli import main

    a, b, settings = replicas
    event = a.say(LURING)
    answer_id = buttons(a.answer_to(event))["feedback_helpful"]
    # The click on A's answer reaches B; another person's reaches A.
    assert b.click("feedback_helpful", answer_id, event["ts"]).status_code == 200
    assert a.click("feedback_unhelpful", answer_id, event["ts"], user=BOB).status_code == 200
    thanks = a.fake.wait_for("response_url", 2)
    assert [t["text"] for t in thanks[-2:]] == [THANKS, THANKS]

    def verdicts(rows) -> dict[str, str]:
        return {r["user"]: r["choice"] for r in rows if r["answer_id"] == answer_id}

    assert verdicts(Feedback(a.store).export()) == {ALICE: "helpful", BOB: "unhelpful"}
    assert verdicts(Feedback(b.store).export()) == {ALICE: "helpful", BOB: "unhelpful"}
    monkeypatch.setenv("POLICING_QA_CHROMA_URL", settings.chroma_url)
    monkeypatch.setenv("POLICING_QA_COLLECTION", settings.collection)
    result = CliRunner().invoke(main, ["feedback", "export"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert verdicts(rows) == {ALICE: "helpful", BOB: "unhelpful"}
    assert {r["channel"] for r in rows if r["answer_id"] == answer_id} == {CHANNEL}


@pytest.mark.slow
def test_both_replicas_answer_alike_in_and_out_of_a_thread(replicas):
    a, b = replicas[:2]
    asked_a, asked_b = a.say(LURING), b.say(LURING)
    first_a, first_b = a.answer_to(asked_a), b.answer_to(asked_b)
    assert _shown(first_a) == _shown(first_b)
    assert LURING_CASE in json.dumps(first_a["blocks"])
    # A follow-up reads its thread from Slack, whichever replica answered there before.
    follow_up = "and was he charged?"
    via_b = b.answer_to(b.say(follow_up, thread_ts=asked_a["ts"]))
    via_a = a.answer_to(a.say(follow_up, thread_ts=asked_b["ts"]))
    assert _shown(via_a) == _shown(via_b) and LURING_CASE in json.dumps(via_a["blocks"])
