"""The HTTP API through TestClient: answers, streaming, bad input, keys, readiness, logs,
case timelines."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse

from bot.answer.answerer import build_answerer
from bot.api.app import create_app
from bot.cases.timeline import CaseBook
from index.store import open_store
from tests.api_cases import BAD_REQUESTS, KEYS, NEWEST_PUBLISHED, QUESTION, send, sse_events
from tests.support import clean_settings, free_port


@pytest.fixture(scope="module")
def client(api_store, api_answerer):
    with TestClient(create_app(api_store.settings, api_answerer)) as http:
        yield http


@pytest.fixture(scope="module")
def keyed_client(api_store, api_answerer):
    keys = clean_settings(api_keys=KEYS).api_keys
    settings = api_store.settings.model_copy(update={"api_keys": keys})
    with TestClient(create_app(settings, api_answerer)) as http:
        yield http


@pytest.mark.slow
def test_ask_gives_the_answerers_cited_answer(client, api_answerer):
    resp = client.post("/ask", json={"question": QUESTION})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body == api_answerer.ask(QUESTION).model_dump(mode="json")
    assert body["refused"] is False and body["citations"]
    stored = {p.title for p in api_answerer.store.get_publications().values()}
    for citation in body["citations"]:
        assert citation["title"] in stored
        assert f"[{citation['n']}]" in body["answer"]
    assert resp.headers["x-request-id"]


@pytest.mark.slow
def test_ask_passes_the_date_window(client, api_answerer):
    body = {"question": QUESTION, "since": "2016-02-01", "until": "2016-02-29", "top_k": 3}
    resp = client.post("/ask", json=body)
    assert resp.status_code == 200, resp.text
    expected = api_answerer.ask(
        QUESTION, since=dt.date(2016, 2, 1), until=dt.date(2016, 2, 29), top_k=3
    )
    assert resp.json() == expected.model_dump(mode="json")
    citations = resp.json()["citations"]
    assert citations and all(c["published"].startswith("2016-02") for c in citations)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "body", "status", "detail"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS]
)
def test_bad_input_names_the_problem(client, case, body, status, detail):
    resp = send(client, body)
    assert resp.status_code == status, resp.text
    assert detail in json.dumps(resp.json()["detail"])


@pytest.mark.slow
def test_streamed_body_over_the_limit_is_refused(client):
    chunks = (b'{"question": "' + b"x" * 1000 for _ in range(100))
    resp = client.post("/ask", content=chunks, headers={"content-type": "application/json"})
    assert resp.status_code == 413
    assert "over the limit of 65,536 bytes" in resp.json()["detail"]


@pytest.mark.slow
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


@pytest.mark.slow
def test_stream_rejects_bad_input_before_streaming(client):
    resp = client.post("/ask/stream", json={"question": "  "})
    assert resp.status_code == 422 and "question is empty" in resp.text


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/docs", "/openapi.json"])
def test_ops_routes_stay_open_with_keys(keyed_client, path):
    assert keyed_client.get(path).status_code == 200
    if path in ("/healthz", "/readyz"):  # load balancers probe with HEAD too
        assert keyed_client.head(path).status_code == 200


@pytest.mark.slow
def test_open_api_warns_at_start_up(api_store, api_answerer, caplog):
    app = create_app(api_store.settings, api_answerer)
    with caplog.at_level(logging.WARNING), TestClient(app):
        pass
    assert "no API keys configured" in caplog.text


@pytest.mark.slow
def test_readyz_reports_counts_and_freshness(client, api_store):
    resp = client.get("/readyz")
    assert resp.status_code == 200
    body = resp.json()
    # The store is fresh: everything in it came from the one run that filled it.
    report = api_store.report
    assert body["status"] == "ready"
    assert (body["publications"], body["chunks"]) == (report.added, report.embedded_chunks)
    assert body["chunks"] >= body["publications"] >= 4
    assert body["newest_published"] == NEWEST_PUBLISHED
    last_ingest = dt.datetime.fromisoformat(body["last_ingest"])
    assert api_store.started <= last_ingest <= api_store.finished
    assert client.get("/healthz").json() == {"status": "ok"}


def test_unreachable_store_is_503_not_a_crash(tmp_path):
    settings = clean_settings(store=tmp_path / "s", chroma_url=f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(settings)) as http:
        assert http.get("/healthz").status_code == 200
        ready = http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        resp = http.post("/ask", json={"question": QUESTION})
        assert resp.status_code == 503 and resp.headers["retry-after"]
        detail = resp.json()["detail"]
        # What failed and what to do; never the store's address or path.
        assert detail.startswith("the publication store is unavailable; try again")
        assert settings.chroma_url not in resp.text and str(settings.store) not in resp.text


@pytest.mark.slow
def test_request_log_has_no_question_text(client, caplog):
    caplog.set_level(logging.INFO)
    client.post(
        "/ask", json={"question": "zebra crossing quokka"}, headers={"X-Request-ID": "trace-42"}
    )
    line = next(r for r in caplog.records if getattr(r, "request_id", None) == "trace-42")
    assert (line.method, line.path, line.status) == ("POST", "/ask", 200)
    assert line.latency_ms > 0
    assert "quokka" not in caplog.text


@pytest.mark.slow
def test_extra_routers_and_mounts_sit_beside_the_api(api_store, api_answerer):
    page = APIRouter()
    page.add_api_route("/", lambda: PlainTextResponse("page"), methods=["GET"])

    async def slack(scope, receive, send):
        await PlainTextResponse("slack")(scope, receive, send)

    app = create_app(
        api_store.settings, api_answerer, extra_routers=[page], mounts=[("/slack/events", slack)]
    )
    with TestClient(app) as http:
        assert http.get("/").text == "page"
        assert http.post("/slack/events").text == "slack"
        assert http.post("/ask", json={"question": QUESTION}).status_code == 200


# --- case timelines -------------------------------------------------------------------------


class Builds:
    """A builder handing out one answerer, counting the times it is asked."""

    def __init__(self, answerer):
        self.answerer, self.count = answerer, 0

    def __call__(self, settings):
        self.count += 1
        return self.answerer


@pytest.fixture(scope="module")
def case_app(qa_store_dir, embedder):
    """The API over the store holding C19-255700 (4 releases) and C17-161171 (3)."""
    settings = clean_settings(store=qa_store_dir, rate_limit=2)
    builds = Builds(build_answerer(settings, store=open_store(settings), embedder=embedder))
    with TestClient(create_app(settings, builder=builds)) as http:
        yield http, builds


@pytest.mark.slow
@pytest.mark.parametrize(("reference", "count"), [("C19-255700", 4), ("c17-161171", 3)])
def test_case_timeline_lists_the_releases_oldest_first(case_app, reference, count):
    http, builds = case_app
    resp = http.get(f"/cases/{reference}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    expected = CaseBook(builds.answerer.store).timeline(reference)
    assert body == expected.as_json() and body["key"] == reference.upper()
    dates = [e["published"] for e in body["entries"]]
    assert len(dates) == count and dates == sorted(dates)
    assert all(e["added"] and reference.upper() in e["references"] for e in body["entries"])
    assert builds.count == 1  # the Runtime's answerer and store, built once at start-up


@pytest.mark.slow
def test_unknown_case_is_404_naming_it(case_app):
    resp = case_app[0].get("/cases/C99-000000")
    assert resp.status_code == 404
    assert resp.json() == {"detail": "no release mentions C99-000000"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "reference",
    ["hello", "C19_255700", "C1-255700", "C19-2", "19-255700", "C19-255700x", "C19 255700"],
)
def test_malformed_case_number_is_422_saying_what_one_looks_like(case_app, reference):
    resp = case_app[0].get(f"/cases/{reference}")
    assert resp.status_code == 422, resp.text
    (error,) = resp.json()["detail"]
    assert error["loc"] == ["path", "reference"]
    assert (
        f"{reference!r} is not a case number; a case number looks like C19-255700" in error["msg"]
    )


@pytest.mark.slow
def test_case_timelines_are_not_rate_limited(case_app):
    http, _ = case_app
    statuses = [http.post("/ask", json={"question": QUESTION}).status_code for _ in range(3)]
    assert statuses[-1] == 429  # two answers a minute
    assert all(http.get("/cases/C19-255700").status_code == 200 for _ in range(5))


@pytest.mark.slow
def test_case_timelines_need_a_key_when_keys_are_set(keyed_client):
    assert keyed_client.get("/cases/R15-96971").status_code == 401
    resp = keyed_client.get("/cases/R15-96971", headers={"Authorization": f"Bearer {KEYS[1]}"})
    assert resp.status_code == 200, resp.text
    (entry,) = resp.json()["entries"]
    assert entry["title"] == "Grow Operation Arrests – R15-96971" and entry["added"]


@pytest.mark.slow
def test_case_route_is_documented(client):
    operation = client.get("/openapi.json").json()["paths"]["/cases/{reference}"]["get"]
    assert {"200", "404", "422", "503"} <= set(operation["responses"])
    (param,) = operation["parameters"]
    assert param["schema"]["pattern"] == "^[A-Za-z][0-9]{2}-[0-9]{2,10}$"
