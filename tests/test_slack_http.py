"""`policing-qa slack` in HTTP mode: bodies bounded and requests timed before any
signature work, through real servers (the command itself, and uvicorn in a thread)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.slack.app import build_slack_app
from bot.slack.http import create_slack_http_app
from index.settings import Settings
from tests.fakes.server import LiveServer
from tests.fakes.slack import TOKEN
from tests.support import free_port

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
LIMIT = 4096


def signed(body: bytes) -> dict:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }


def raw_post(port: int, head: str, parts: list[bytes], pause: float = 0.0) -> str:
    """Send a request by hand (chunked or slow bodies); the status line of the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        try:
            sock.sendall(f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())
            for part in parts:
                sock.sendall(part)
                time.sleep(pause)
        except OSError:
            pass  # the server may answer and hang up before the body is all sent
        return sock.makefile("rb").readline().decode()


@pytest.fixture(scope="module")
def command(tmp_path_factory):
    """`policing-qa slack --port N` as a process, with a small body limit; its base URL."""
    home = tmp_path_factory.mktemp("slack-http")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICING_QA_")}
    env.update(
        POLICING_QA_STORE=str(home / "store"),
        POLICING_QA_SLACK_BOT_TOKEN=TOKEN,
        POLICING_QA_SLACK_SIGNING_SECRET=SECRET,
        POLICING_QA_SLACK_API_URL="http://127.0.0.1:9/api/",
        POLICING_QA_MAX_BODY_BYTES=str(LIMIT),
    )
    exe = Path(sys.executable).parent / "policing-qa"
    proc = subprocess.Popen(
        [str(exe), "slack", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(f"{url}/", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("policing-qa slack did not start listening")
    yield url, port
    proc.terminate()
    proc.wait(timeout=30)


@pytest.mark.slow
def test_an_oversize_body_is_refused_before_its_signature_is_read(command):
    url, _ = command
    big = json.dumps({"type": "event_callback", "pad": "x" * LIMIT}).encode()
    # Unsigned: without the limit first, this would be Bolt's 401.
    response = httpx.post(f"{url}/slack/events", content=big, timeout=10)
    assert response.status_code == 413 and "limit of 4,096 bytes" in response.json()["detail"]
    assert httpx.post(f"{url}/slack/events", content=big, headers=signed(big)).status_code == 413


@pytest.mark.slow
def test_a_streamed_oversize_body_is_refused_by_bytes_received(command):
    _, port = command
    chunk = b"a" * 1000
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 6 + [b"0\r\n\r\n"]
    head = "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    assert raw_post(port, head, parts).split()[1] == "413"


@pytest.mark.slow
def test_a_signed_request_within_the_limit_is_answered(command):
    url, _ = command
    body = json.dumps({"type": "url_verification", "challenge": "c-42", "token": "t"}).encode()
    response = httpx.post(f"{url}/slack/events", content=body, headers=signed(body))
    assert response.status_code == 200 and "c-42" in response.text
    assert httpx.post(f"{url}/slack/events", content=body).status_code == 401


@pytest.mark.slow
def test_a_request_that_trickles_in_is_cut_off(tmp_path):
    settings = Settings(
        store=tmp_path / "store",
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
    )
    bolt = build_slack_app(settings, lambda: None)
    with LiveServer(create_slack_http_app(settings, bolt, timeout=1.0)) as server:
        started = time.monotonic()
        head = "Content-Type: application/json\r\nContent-Length: 100\r\n"
        status = raw_post(server.port, head, [b"{", b'"a"', b":"], pause=0.6)
        assert status.split()[1] == "408" and time.monotonic() - started < 5
