"""How fast the Slack endpoint acknowledges: HTTP response time of POST /slack/events.

Serves the real API app (create_app) with the Slack app mounted, under uvicorn on
127.0.0.1, the extractive answerer over a real store, and a fake Slack Web API. Sends
signed `/ask` commands and `app_mention` events one after another (answers pile up in
the worker pool meanwhile, as in a busy workspace) and prints p50/p95/max of the
acknowledgement time, which Slack wants under 3 s, and of the time to the answer.

    python bench/slack_ack.py [--store DIR] [--requests 30]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
# The script's own folder would come first and bench/http.py would shadow the stdlib.
sys.path[0] = str(REPO)

SECRET = "bench-signing-secret-5f0c2a"
PAGES = REPO.parent / "shared" / "corpus" / "winnipeg-police" / "pages"
QUESTIONS = [
    "What happened in the kidnapping?",
    "Was anyone charged after the homicide?",
    "What happened with the internet child luring case?",
    "Were there any robberies downtown?",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _store(path: Path | None, settings_cls):
    """An existing store, or October 2019 ingested into a temporary one."""
    from index.embed import LocalEmbeddings
    from index.store import open_store

    settings = settings_cls(store=path or Path(tempfile.mkdtemp()) / "store")
    embedder = LocalEmbeddings(settings.embedding_model)
    store = open_store(settings)
    if path is None:
        from ingest.pipeline import Ingestor

        pages = sorted(str(p) for p in PAGES.glob("2019_10oct_*.html"))
        report = Ingestor(store, embedder).run(pages)
        print(f"ingested {report.publications} releases from {len(pages)} pages", flush=True)
    return settings, store, embedder


def _percentiles(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(
        f"{label:<34} n={len(ms):<3} p50={statistics.median(ms):7.1f} ms  "
        f"p95={p95:7.1f} ms  max={ms[-1]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="existing store (default: ingest Oct 2019)")
    parser.add_argument("--requests", type=int, default=30, help="requests of each kind")
    args = parser.parse_args()

    import httpx
    import uvicorn
    from pydantic import SecretStr
    from slack_sdk.signature import SignatureVerifier

    from bot.answer.answerer import build_answerer
    from bot.api.app import create_app
    from bot.slack.app import build_slack_app, mount_slack
    from index.settings import Settings
    from tests.fakes.slack import BOT_USER_ID, TEAM_ID, TOKEN, FakeSlack

    base, store, embedder = _store(args.store, Settings)
    answerer = build_answerer(base, store=store, embedder=embedder)
    answerer.ask(QUESTIONS[0])  # warm the model and the lexical index, as a server would be

    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        settings = base.model_copy(
            update={
                "slack_api_url": fake.api_url,
                "feedback_db": Path(tmp) / "feedback.sqlite3",
                "slack_bot_token": SecretStr(TOKEN),
                "slack_signing_secret": SecretStr(SECRET),
            }
        )
        app = create_app(settings, answerer)
        mount_slack(app, build_slack_app(settings, answerer))
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/slack/events"
        verifier = SignatureVerifier(SECRET)

        def send(http: httpx.Client, body: str, content_type: str) -> float:
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
            }
            start = time.perf_counter()
            response = http.post(url, content=body, headers=headers)
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit(f"/slack/events answered {response.status_code}")
            return elapsed

        def command(i: int) -> str:
            return urlencode(
                {
                    "team_id": TEAM_ID,
                    "channel_id": "CBENCH",
                    "user_id": "UBENCH",
                    "command": "/ask",
                    "text": QUESTIONS[i % len(QUESTIONS)],
                    "trigger_id": "1",
                    "response_url": f"{fake.url}/commands/{i}",
                }
            )

        def mention(i: int) -> str:
            text = f"<@{BOT_USER_ID}> {QUESTIONS[i % len(QUESTIONS)]}"
            ts = fake.add_message("CBENCH", user="UBENCH", text=text)["ts"]
            event = {
                "type": "app_mention",
                "user": "UBENCH",
                "text": text,
                "ts": ts,
                "channel": "CBENCH",
                "event_ts": ts,
            }
            return json.dumps(
                {
                    "type": "event_callback",
                    "team_id": TEAM_ID,
                    "event": event,
                    "event_id": f"Ev{uuid.uuid4().hex[:12]}",
                    "api_app_id": "A1",
                }
            )

        form, js = "application/x-www-form-urlencoded", "application/json"
        n = args.requests
        with httpx.Client(timeout=30) as http:
            cold = send(http, command(0), form)  # includes Bolt's one-off auth.test
            fake.wait_for("response_url", 1, timeout=120)
            start = time.perf_counter()
            acks_command = [send(http, command(i), form) for i in range(n)]
            fake.wait_for("response_url", n + 1, timeout=600)
            command_total = time.perf_counter() - start
            start = time.perf_counter()
            acks_mention = [send(http, mention(i), js) for i in range(n)]
            fake.wait_for("chat.postMessage", n, timeout=600)
            mention_total = time.perf_counter() - start
        server.should_exit = True

    print(f"\nacknowledgement time of POST /slack/events (uvicorn, extractive, {n} each)")
    print(f"{'first request (with auth.test)':<34} {cold * 1000:7.1f} ms")
    _percentiles("/ask slash command", acks_command)
    _percentiles("app_mention event", acks_mention)
    print(
        f"all {n} /ask answers delivered in {command_total:.1f} s "
        f"({command_total / n * 1000:.0f} ms each)"
    )
    print(
        f"all {n} mention answers delivered in {mention_total:.1f} s "
        f"({mention_total / n * 1000:.0f} ms each)"
    )


if __name__ == "__main__":
    main()
