"""The HTTP API through TestClient: answers, streaming, bad input, keys, readiness, logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse

from bot.api import create_app
from index.settings import Settings
from index.store import open_store
from tests.conftest import CORPUS, PAGES
from tests.live_server import free_port

# Real releases the questions below are about (from bench/gold.jsonl), plus London.
API_PAGES = [
    "2016_02feb_2016_02_10.html",
    "2018_03mar_2018_03_15.html",
    "2016_09Sep_2016_09_15.html",
]
QUESTION = "How many cannabis plants did police seize at the Driftwood Bay grow operation?"
KEYS = ["test-key-alpha-0123456789", "test-key-bravo-9876543210"]

# (id, request body or raw bytes, status, text the error detail must contain)
BAD_REQUESTS = [
    ("empty question", {"question": ""}, 422, "question is empty"),
    ("blank question", {"question": " \n\t "}, 422, "question is empty"),
    ("missing question", {}, 422, "question"),
    ("question not text", {"question": 5}, 422, "question"),
    ("unknown field", {"question": "q", "colour": "red"}, 422, "colour"),
    ("malformed JSON", b'{"question": ', 422, "JSON"),
    ("impossible date", {"question": "q", "since": "2020-13-01"}, 422, "not a calendar date"),
    ("date not ISO", {"question": "q", "until": "01/02/2020"}, 422, "YYYY-MM-DD"),
    ("date as number", {"question": "q", "since": 20200101}, 422, "YYYY-MM-DD"),
    (
        "since after until",
        {"question": "q", "since": "2021-01-02", "until": "2021-01-01"},
        422,
        "since (2021-01-02) is after until (2021-01-01)",
    ),
    ("top_k zero", {"question": "q", "top_k": 0}, 422, "top_k"),
    ("top_k too big", {"question": "q", "top_k": 51}, 422, "top_k"),
    ("top_k not a number", {"question": "q", "top_k": "many"}, 422, "top_k"),
    (
        "history bad role",
        {"question": "q", "history": [{"role": "system", "content": "x"}]},
        422,
        "role",
    ),
    (
        "history unknown field",
        {"question": "q", "history": [{"role": "user", "content": "x", "name": "y"}]},
        422,
        "name",
    ),
    ("question too long", {"question": "x" * 2001}, 413, "2,001 characters, over the limit"),
    ("body too big", {"question": "x" * 70_000}, 413, "over the limit of 65,536 bytes"),
]


def clean_settings(**values) -> Settings:
    """Settings from explicit values only, whatever POLICING_QA_* the shell has."""
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("POLICING_QA_")]:
            mp.delenv(key)
        return Settings(_env_file=None, **values)


def build_small_store(root, embedder) -> Settings:
    """A store holding a few real releases, ingested with the real pipeline."""
    from ingest.pipeline import Ingestor

    pages = root / "pages"
    pages.mkdir()
    for name in API_PAGES:
        shutil.copy(PAGES / name, pages / name)
    shutil.copy(CORPUS / "winnipeg-police" / "index.csv", root / "index.csv")
    shutil.copy(CORPUS / "london" / "000_474315e251677573.txt", pages / "london.txt")
    settings = clean_settings(store=root / "store")
    report = Ingestor(open_store(settings), embedder).run([str(pages)])
    assert report.failed == [] and report.publications >= 4
    return settings


def sse_events(lines) -> list[tuple[str, str]]:
    """(event, data) pairs from the lines of a text/event-stream body."""
    events, kind, data = [], "message", []
    for line in lines:
        if line == "":
            if data:
                events.append((kind, "\n".join(data)))
            kind, data = "message", []
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return events


def send(client, body, headers=None):
    """POST /ask with a JSON body, or raw bytes as they are."""
    if isinstance(body, bytes):
        return client.post(
            "/ask", content=body, headers={"content-type": "application/json", **(headers or {})}
        )
    return client.post("/ask", json=body, headers=headers)


@pytest.fixture(scope="module")
def small_store(tmp_path_factory, embedder):
    return build_small_store(tmp_path_factory.mktemp("api"), embedder)


@pytest.fixture(scope="module")
def answerer(small_store, embedder):
    from bot.answer import build_answerer

    return build_answerer(small_store, store=open_store(small_store), embedder=embedder)


@pytest.fixture(scope="module")
def client(small_store, answerer):
    with TestClient(create_app(small_store, answerer)) as http:
        yield http


@pytest.fixture(scope="module")
def keyed_client(small_store, answerer):
    settings = small_store.model_copy(update={"api_keys": clean_settings(api_keys=KEYS).api_keys})
    with TestClient(create_app(settings, answerer)) as http:
        yield http


def test_ask_gives_the_answerers_cited_answer(client, answerer):
    resp = client.post("/ask", json={"question": QUESTION})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body == answerer.ask(QUESTION).model_dump(mode="json")
    assert body["refused"] is False and body["citations"]
    stored = {p.title for p in answerer.store.get_publications().values()}
    for citation in body["citations"]:
        assert citation["title"] in stored
        assert f"[{citation['n']}]" in body["answer"]
    assert resp.headers["x-request-id"]


def test_ask_passes_the_date_window(client, answerer):
    body = {"question": QUESTION, "since": "2016-02-01", "until": "2016-02-29", "top_k": 3}
    resp = client.post("/ask", json=body)
    assert resp.status_code == 200, resp.text
    expected = answerer.ask(
        QUESTION, since=dt.date(2016, 2, 1), until=dt.date(2016, 2, 29), top_k=3
    )
    assert resp.json() == expected.model_dump(mode="json")
    citations = resp.json()["citations"]
    assert citations and all(c["published"].startswith("2016-02") for c in citations)


@pytest.mark.parametrize(
    ("case", "body", "status", "detail"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS]
)
def test_bad_input_names_the_problem(client, case, body, status, detail):
    resp = send(client, body)
    assert resp.status_code == status, resp.text
    assert detail in json.dumps(resp.json()["detail"])


def test_streamed_body_over_the_limit_is_refused(client):
    chunks = (b'{"question": "' + b"x" * 1000 for _ in range(100))
    resp = client.post("/ask", content=chunks, headers={"content-type": "application/json"})
    assert resp.status_code == 413
    assert "over the limit of 65,536 bytes" in resp.json()["detail"]


def test_stream_sends_deltas_then_citations_then_done(client):
    with client.stream("POST", "/ask/stream", json={"question": QUESTION}) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = sse_events(resp.iter_lines())
    kinds = [k for k, _ in events]
    assert kinds[-2:] == ["citations", "done"] and kinds[0] == "delta"
    assert set(kinds[:-2]) == {"delta"}
    done = json.loads(events[-1][1])
    assert "".join(json.loads(d)["text"] for k, d in events if k == "delta") == done["answer"]
    assert json.loads(events[-2][1]) == done["citations"]
    assert done == client.post("/ask", json={"question": QUESTION}).json()


def test_stream_rejects_bad_input_before_streaming(client):
    resp = client.post("/ask/stream", json={"question": "  "})
    assert resp.status_code == 422 and "question is empty" in resp.text


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-key"},
        {"Authorization": f"Basic {KEYS[0]}"},
        {"Authorization": KEYS[0]},
    ],
)
def test_keys_are_required_when_configured(keyed_client, headers):
    for path in ("/ask", "/ask/stream"):
        resp = keyed_client.post(path, json={"question": QUESTION}, headers=headers)
        assert resp.status_code == 401, resp.text
        assert resp.headers["www-authenticate"].startswith("Bearer")
        assert "API key" in resp.json()["detail"]


@pytest.mark.parametrize("key", KEYS)
def test_any_configured_key_is_accepted_and_never_logged(keyed_client, key, caplog):
    caplog.set_level(logging.DEBUG)
    resp = keyed_client.post(
        "/ask", json={"question": QUESTION}, headers={"Authorization": f"Bearer {key}"}
    )
    assert resp.status_code == 200
    keyed_client.post(
        "/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer wrong-key-xyz"}
    )
    assert "path=/ask status=200" in caplog.text and "status=401" in caplog.text
    assert key not in caplog.text and "wrong-key-xyz" not in caplog.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/docs", "/openapi.json"])
def test_ops_routes_stay_open_with_keys(keyed_client, path):
    assert keyed_client.get(path).status_code == 200
    if path in ("/healthz", "/readyz"):  # load balancers probe with HEAD too
        assert keyed_client.head(path).status_code == 200


def test_open_api_warns_at_start_up(small_store, answerer, caplog):
    with caplog.at_level(logging.WARNING), TestClient(create_app(small_store, answerer)):
        pass
    assert "no API keys configured" in caplog.text


def test_readyz_reports_counts_and_freshness(client, answerer):
    resp = client.get("/readyz")
    assert resp.status_code == 200
    body = resp.json()
    pubs, chunks = answerer.store.counts()
    assert (body["publications"], body["chunks"]) == (pubs, chunks) and chunks >= pubs > 0
    assert body["newest_published"] == answerer.store.newest_published().isoformat()
    assert body["last_ingest"] == answerer.store.last_ingest()
    assert client.get("/healthz").json() == {"status": "ok"}


def test_unreachable_store_is_503_not_a_crash(tmp_path):
    settings = clean_settings(store=tmp_path / "s", chroma_url=f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(settings)) as http:
        assert http.get("/healthz").status_code == 200
        ready = http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        resp = http.post("/ask", json={"question": QUESTION})
        assert resp.status_code == 503
        assert resp.json()["detail"].startswith("store unavailable")


def test_request_log_has_no_question_text(client, caplog):
    caplog.set_level(logging.INFO)
    client.post(
        "/ask", json={"question": "zebra crossing quokka"}, headers={"X-Request-ID": "trace-42"}
    )
    line = next(r for r in caplog.records if getattr(r, "request_id", None) == "trace-42")
    assert (line.method, line.path, line.status) == ("POST", "/ask", 200)
    assert line.latency_ms > 0
    assert "quokka" not in caplog.text


def test_extra_routers_and_mounts_sit_beside_the_api(small_store, answerer):
    page = APIRouter()
    page.add_api_route("/", lambda: PlainTextResponse("page"), methods=["GET"])

    async def slack(scope, receive, send):
        await PlainTextResponse("slack")(scope, receive, send)

    app = create_app(small_store, answerer, extra_routers=[page], mounts=[("/slack/events", slack)])
    with TestClient(app) as http:
        assert http.get("/").text == "page"
        assert http.post("/slack/events").text == "slack"
        assert http.post("/ask", json={"question": QUESTION}).status_code == 200
