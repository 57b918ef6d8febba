"""The HTTP API served by a real uvicorn on 127.0.0.1: the same checks over a socket, plus
what only a live server shows (a stopped or hanging LLM server, the event loop staying
free while answers run, `policing-qa serve` itself)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest

from bot.api.app import create_app
from index.store import open_store
from tests.api_cases import BAD_REQUESTS, KEYS, NEWEST_PUBLISHED, QUESTION, send, sse_events
from tests.fakes.llm import FakeLLM, Reply
from tests.fakes.server import LiveServer
from tests.support import REPO, clean_settings, free_port

pytestmark = pytest.mark.slow  # every test serves the app with uvicorn


@contextmanager
def serving(app):
    """An httpx client to `app` served by real uvicorn on 127.0.0.1."""
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def http(api_store, api_answerer):
    with serving(create_app(api_store.settings, api_answerer)) as client:
        yield client


@pytest.fixture(scope="module")
def keyed_http(api_store, api_answerer):
    keys = clean_settings(api_keys=KEYS).api_keys
    settings = api_store.settings.model_copy(update={"api_keys": keys})
    with serving(create_app(settings, api_answerer)) as client:
        yield client


@pytest.fixture(scope="module")
def llm():
    """The shared fake LLM server, kept for the module (the conftest one is per test)."""
    fake = FakeLLM().start()
    fake.default = Reply("Police seized the plants [1].")
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def llm_http(api_store, embedder, llm):
    from bot.answer.answerer import build_answerer

    settings = api_store.settings.model_copy(
        update={"generator": "openai", "openai_base_url": llm.url, "llm_timeout": 1.0}
    )
    answerer = build_answerer(settings, store=open_store(settings), embedder=embedder)
    with serving(create_app(settings, answerer)) as client:
        yield client


def test_ask_over_http_gives_the_cited_answer(http, api_answerer):
    resp = http.post("/ask", json={"question": QUESTION})
    assert resp.status_code == 200, resp.text
    assert resp.json() == api_answerer.ask(QUESTION).model_dump(mode="json")
    assert resp.json()["citations"] and not resp.json()["refused"]


@pytest.mark.parametrize(
    ("case", "body", "status", "detail"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS]
)
def test_bad_input_over_http(http, case, body, status, detail):
    resp = send(http, body)
    assert resp.status_code == status, resp.text
    assert detail in json.dumps(resp.json()["detail"])


def test_chunked_body_over_the_limit_over_http(http):
    chunks = (b'{"question": "' + b"x" * 1000 for _ in range(100))
    resp = http.post("/ask", content=chunks, headers={"content-type": "application/json"})
    assert resp.status_code == 413 and "65,536 bytes" in resp.json()["detail"]
    assert http.get("/healthz").status_code == 200  # the server survived it


def test_stream_over_http_in_order(http):
    with http.stream("POST", "/ask/stream", json={"question": QUESTION}) as resp:
        assert resp.status_code == 200
        events = sse_events(resp.iter_lines())
    kinds = [k for k, _ in events]
    assert kinds[0] == "delta" and kinds[-2:] == ["citations", "done"]
    done = json.loads(events[-1][1])
    assert "".join(json.loads(d)["text"] for k, d in events if k == "delta") == done["answer"]
    assert done["citations"] == json.loads(events[-2][1]) != []


def test_keys_over_http(keyed_http, caplog):
    caplog.set_level(logging.DEBUG)
    missing = keyed_http.post("/ask", json={"question": QUESTION})
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    wrong = keyed_http.post(
        "/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer not-a-key"}
    )
    assert wrong.status_code == 401
    good = keyed_http.post(
        "/ask/stream", json={"question": QUESTION}, headers={"Authorization": f"Bearer {KEYS[1]}"}
    )
    assert good.status_code == 200 and "event: done" in good.text
    assert keyed_http.get("/healthz").status_code == 200
    assert keyed_http.get("/readyz").status_code == 200
    assert "status=401" in caplog.text and "path=/ask/stream status=200" in caplog.text
    assert all(k not in caplog.text for k in (*KEYS, "not-a-key"))


def test_readyz_over_http(http, api_store):
    resp = http.get("/readyz")
    assert resp.status_code == 200
    body, report = resp.json(), api_store.report
    assert (body["publications"], body["chunks"]) == (report.added, report.embedded_chunks)
    assert body["newest_published"] == NEWEST_PUBLISHED
    last_ingest = dt.datetime.fromisoformat(body["last_ingest"])
    assert api_store.started <= last_ingest <= api_store.finished


def test_unreachable_store_over_http(tmp_path):
    settings = clean_settings(store=tmp_path / "s", chroma_url=f"http://127.0.0.1:{free_port()}")
    with serving(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        resp = client.post("/ask", json={"question": QUESTION})
        assert resp.status_code == 503 and "store is unavailable" in resp.json()["detail"]
        assert "127.0.0.1" not in resp.text and str(settings.store) not in resp.text


def test_llm_stopped_is_503_and_recovers(llm_http, llm):
    assert llm_http.post("/ask", json={"question": QUESTION}).status_code == 200
    llm.stop()
    try:
        for path in ("/ask", "/ask/stream"):
            started = time.monotonic()
            resp = llm_http.post(path, json={"question": QUESTION})
            assert resp.status_code == 503, resp.text
            assert "answer backend is not responding" in resp.json()["detail"]
            assert "127.0.0.1" not in resp.text  # the LLM server's address stays in the log
            # A refused connection fails within seconds; only a hang would reach half of
            # the client's 60-s timeout.
            assert time.monotonic() - started < 30
        assert llm_http.get("/healthz").status_code == 200
    finally:
        llm.start()
    resp = llm_http.post("/ask", json={"question": QUESTION})
    assert resp.status_code == 200 and resp.json()["answer"]


def test_hanging_llm_times_out_and_loop_stays_free(llm_http, llm):
    # The LLM server would take a minute; the API gives up after its 1-s timeout (and a retry).
    answering, llm.default = llm.default, Reply("Too late [1].", delay=60)
    asked = len(llm.requests)
    result = {}

    def ask():
        started = time.monotonic()
        result["resp"] = llm_http.post("/ask", json={"question": QUESTION})
        result["answered_at"] = time.monotonic()
        result["took"] = result["answered_at"] - started

    try:
        worker = threading.Thread(target=ask)
        worker.start()
        deadline = time.monotonic() + 30
        while len(llm.requests) == asked and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(llm.requests) > asked, "the answer never reached the LLM server"
        # The answer now waits on the LLM server; the event loop still serves others.
        assert llm_http.get("/healthz").status_code == 200
        healthy_at = time.monotonic()
        worker.join(timeout=60)
        assert not worker.is_alive(), "the answer did not time out"
    finally:
        llm.default = answering
    assert healthy_at < result["answered_at"], "/healthz waited for the hanging answer"
    assert result["resp"].status_code == 503, result["resp"].text
    assert "did not answer in time" in result["resp"].json()["detail"]
    assert "127.0.0.1" not in result["resp"].text
    assert result["took"] < 30  # far below the minute the LLM server would take


PARALLEL = [
    QUESTION,
    "What street value did police put on the fentanyl blotters in River Heights?",
    "Who was charged after carfentanil was seized from a hotel room?",
    "What did the Mayor say about neighbourhood policing teams?",
]


def test_serve_command_runs_the_api(api_store, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICING_QA_")}
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                "serve",
                "--store",
                str(api_store.settings.store),
                "--port",
                str(port),
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline, ready = time.monotonic() + 120, None
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                    break
                except httpx.TransportError:
                    time.sleep(0.3)
            assert ready is not None and ready.status_code == 200, log_path.read_text()
            url = f"http://127.0.0.1:{port}/ask"
            resp = httpx.post(url, json={"question": QUESTION}, timeout=60)
            assert resp.status_code == 200 and resp.json()["citations"]
            # Answers computed side by side (parallel encodes) equal those made one by one.
            alone = [httpx.post(url, json={"question": q}, timeout=60).json() for q in PARALLEL]
            with ThreadPoolExecutor(len(PARALLEL) * 2) as pool:
                together = list(
                    pool.map(
                        lambda q: httpx.post(url, json={"question": q}, timeout=60).json(),
                        PARALLEL * 2,
                    )
                )
            assert together == alone * 2
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    text = log_path.read_text()
    assert "no API keys configured" in text
    assert "method=POST path=/ask status=200" in text
    assert "Driftwood" not in text
