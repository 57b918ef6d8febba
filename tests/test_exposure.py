"""Safe to expose: what a client can make the server log, say or spend.

Served by a real uvicorn on 127.0.0.1 over the API tests' real store.
"""

from __future__ import annotations

import logging
import socket

import httpx
import pytest

from bot.api.app import create_app
from tests.api_cases import KEYS, QUESTION
from tests.fakes.server import LiveServer
from tests.support import clean_settings

pytestmark = pytest.mark.slow  # every test serves the app with uvicorn


@pytest.fixture(scope="module")
def server(api_store, api_answerer):
    with LiveServer(create_app(api_store.settings, api_answerer)) as live:
        yield live


def raw_request(server, request_line: bytes) -> bytes:
    """Send one request line as given (no client library normalises it); the reply."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    return reply


def test_a_path_cannot_forge_a_request_log_line(server, caplog):
    caplog.set_level(logging.INFO, logger="bot.api.middleware")
    forged = b"GET /x%0Amethod=POST%20path=/ask%20status=200%20forged=1 HTTP/1.1"
    assert raw_request(server, forged).startswith(b"HTTP/1.1 404")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.api.middleware"]
    (line,) = [m for m in lines if "forged" in m]
    assert "\n" not in line and line.startswith("method=GET path=/x%0Amethod")
    assert not any(m.startswith("method=POST") for m in lines)


def test_a_flood_of_readiness_probes_scans_the_store_only_every_few_seconds(
    api_store, api_answerer, monkeypatch
):
    from bot.api import runtime as runtime_module

    scans = []
    store = api_answerer.store
    real = store.freshness
    monkeypatch.setattr(store, "freshness", lambda: scans.append(1) or real())
    monkeypatch.setattr(runtime_module, "READY_EVERY", 60.0)
    with LiveServer(create_app(api_store.settings, api_answerer)) as live:
        with httpx.Client(base_url=live.url, timeout=30) as client:
            answers = [client.get("/readyz") for _ in range(200)]
    assert all(a.status_code == 200 for a in answers)
    assert answers[-1].json()["publications"] == api_store.report.publications
    assert len(scans) == 1  # one measure for 200 probes


def test_answers_are_rate_limited_per_client_with_retry_after(api_store, api_answerer):
    keys = clean_settings(api_keys=KEYS).api_keys
    settings = api_store.settings.model_copy(update={"api_keys": keys, "rate_limit": 3})
    with LiveServer(create_app(settings, api_answerer)) as live:
        with httpx.Client(base_url=live.url, timeout=60) as client:
            first, second = ({"Authorization": f"Bearer {k}"} for k in KEYS[:2])
            codes = [
                client.post("/ask", json={"question": QUESTION}, headers=first).status_code
                for _ in range(4)
            ]
            limited = client.post("/ask/stream", json={"question": QUESTION}, headers=first)
            other = client.post("/ask", json={"question": QUESTION}, headers=second)
            health = client.get("/healthz")
    assert codes == [200, 200, 200, 429]
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 20
    assert "at most 3 a minute" in limited.json()["detail"]
    assert other.status_code == 200 and health.status_code == 200  # others are not held up


def test_a_bucket_refills_evenly_over_the_minute():
    from bot.api.limits import RateLimiter

    now = [0.0]
    limiter = RateLimiter(6, clock=lambda: now[0])  # one answer every 10 s, six in a burst
    assert [limiter.take("a") for _ in range(6)] == [0.0] * 6
    assert limiter.take("a") == pytest.approx(10.0)
    assert limiter.take("b") == 0.0
    now[0] += 10.0
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0


def test_a_trickled_body_is_cut_off_with_408(api_store, api_answerer, monkeypatch):
    import time

    from bot.api import middleware

    monkeypatch.setattr(middleware, "BODY_SECONDS", 1.0)
    with LiveServer(create_app(api_store.settings, api_answerer)) as live:
        with socket.create_connection(("127.0.0.1", live.port), timeout=10) as conn:
            started = time.monotonic()
            conn.sendall(
                b"POST /ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 400\r\n\r\n" + b'{"question": "wh'
            )
            reply = conn.recv(65536)  # the rest of the body never comes
    assert reply.startswith(b"HTTP/1.1 408") and b"not received within 1s" in reply
    assert time.monotonic() - started < 5


def test_serve_writes_json_logs_one_object_a_line(api_store, tmp_path):
    import json
    import os
    import subprocess
    import sys
    import time

    from tests.support import REPO, free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICING_QA_")}
    env["POLICING_QA_LOG_FORMAT"] = "json"
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        cmd = [sys.executable, "-m", "bot", "serve", "--store", str(api_store.settings.store),
               "--port", str(port)]  # fmt: skip
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    time.sleep(0.3)
            server = type("Server", (), {"port": port})
            raw_request(server, b"GET /x%0Amethod=POST%20forged=1 HTTP/1.1")
            httpx.post(f"http://127.0.0.1:{port}/ask", json={"question": QUESTION}, timeout=60)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    asked = [r for r in records if r.get("path") == "/ask"]
    assert asked and asked[0]["status"] == 200 and asked[0]["method"] == "POST"
    assert any(r.get("path", "").startswith("/x%0A") for r in records)
    assert "Driftwood" not in log_path.read_text()
