"""A Slack workspace for tests: the fake Web API (tests/fakes/slack.py) plus signed
requests to an app's /slack/events, as Slack sends them (bolt-python signs its test
bodies the same way, with `SignatureVerifier.generate_signature`)."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.testclient import TestClient
from slack_sdk.signature import SignatureVerifier

from bot.slack.app import build_slack_app, mount_slack
from index.errors import BackendUnavailable
from index.settings import Settings
from tests.fakes.slack import BOT_USER_ID, TEAM_ID, TOKEN, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL, DM, ALICE = "CPOLICE01", "DALICE001", "UALICE001"
# A question the store of the `slack_answerer` fixture answers, and the case it is about.
LURING = "What happened with the internet child luring case?"
LURING_CASE = "R19-44954"


class Slack:
    """A workspace: the fake Web API plus signed requests to our /slack/events."""

    def __init__(self, fake: FakeSlack, http: TestClient | None, store=None):
        self.fake, self.http, self.store = fake, http, store  # the store the app keeps records in

    def post(
        self, body: str, content_type: str, *, secret=SECRET, age=0, signed_body=None, headers=None
    ):
        timestamp = str(int(time.time()) - age)
        signature = SignatureVerifier(secret).generate_signature(
            timestamp=timestamp, body=body if signed_body is None else signed_body
        )
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        return self.http.post(
            "/slack/events", content=body, headers={k: v for k, v in sent.items() if v is not None}
        )

    def event(self, event: dict, *, event_id: str | None = None, **post):
        return self.post(json.dumps(envelope(event, event_id)), "application/json", **post)

    def message(self, text: str, *, channel=CHANNEL, thread_ts=None, mention=True) -> dict:
        """A person posts a message (mentioning the bot in channels); returns its event."""
        if mention:
            text = f"<@{BOT_USER_ID}> {text}"
        message = self.fake.add_message(channel, user=ALICE, text=text, thread_ts=thread_ts)
        event = {
            "type": "app_mention" if mention else "message",
            "user": ALICE,
            "text": text,
            "ts": message["ts"],
            "channel": channel,
            "event_ts": message["ts"],
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        if not mention:
            event["channel_type"] = "im"
        return event

    def say(self, text: str, **where) -> dict:
        """Post a message and deliver its event to the app."""
        event = self.message(text, **where)
        assert self.event(event).status_code == 200
        return event

    def command(self, text: str):
        form = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "channel_id": CHANNEL,
            "user_id": ALICE,
            "command": "/ask",
            "text": text,
            "trigger_id": "1.2.3",
            "response_url": f"{self.fake.url}/commands/{TEAM_ID}/1/{uuid.uuid4().hex}",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def click(
        self,
        action_id: str,
        value: str,
        thread_ts: str,
        *,
        user: str = ALICE,
        message_ts: str | None = None,
        block_id: str = "feedback",
    ):
        """A signed block_actions request for a button on a message in `thread_ts`."""
        container = {"type": "message", "channel_id": CHANNEL, "thread_ts": thread_ts}
        if message_ts:
            container["message_ts"] = message_ts
        payload = {
            "type": "block_actions",
            "user": {"id": user},
            "team": {"id": TEAM_ID},
            "api_app_id": "AQAAPP01",
            "channel": {"id": CHANNEL},
            "trigger_id": "1.2.4",
            "container": container,
            "response_url": f"{self.fake.url}/actions/{TEAM_ID}/1/{uuid.uuid4().hex}",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "action_ts": str(time.time()),
                }
            ],
        }
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")

    def replies(self, thread_ts: str) -> list[dict]:
        return [c for c in self.fake.called("chat.postMessage") if c.get("thread_ts") == thread_ts]

    def posted(self, event: dict) -> list[dict]:
        """The bot's messages that Slack accepted in the thread of `event`."""
        thread = event.get("thread_ts") or event["ts"]
        return [
            m
            for m in list(self.fake.messages.get(event["channel"], []))
            if m.get("user") == BOT_USER_ID and m.get("thread_ts") == thread
        ]

    def answer_to(self, event: dict) -> dict:
        """Wait for the bot's first reply after `event` in its thread; return it."""
        thread = event.get("thread_ts") or event["ts"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for message in list(self.fake.messages.get(event["channel"], [])):
                ours = message.get("user") == BOT_USER_ID and message["ts"] > event["ts"]
                if ours and message.get("thread_ts") == thread:
                    return {**message, "channel": event["channel"]}
            time.sleep(0.02)
        raise AssertionError(f"no reply in thread {thread}")

    def settle(self) -> None:
        """Return once everything sent before has been handled (single worker, FIFO)."""
        self.answer_to(
            self.say("Sentinel: what happened in the kidnapping?", channel=DM, mention=False)
        )


def envelope(event: dict, event_id: str | None = None) -> dict:
    """The Events API body that carries `event`, as Slack sends it over HTTP or a socket."""
    return {
        "token": "legacy",
        "team_id": TEAM_ID,
        "api_app_id": "AQAAPP01",
        "type": "event_callback",
        "event": event,
        "event_time": int(time.time()),
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


class FailingAnswerer:
    """The Answerer interface, failing the way an unreachable LLM server does."""

    store = None

    def ask(self, question, history=(), *, since=None, until=None, top_k=None):
        raise BackendUnavailable("LLM server at 127.0.0.1:9 did not answer within 30s")


def build_workspace(fake: FakeSlack, tmp_path, answerer, **more) -> Slack:
    """The Slack app over `answerer` (one worker) behind FastAPI, in a workspace."""
    settings = Settings(
        store=tmp_path / "store",
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake.api_url,
        **more,
    )
    bolt = build_slack_app(settings, answerer, executor=ThreadPoolExecutor(max_workers=1))
    app = FastAPI()
    mount_slack(app, bolt)
    return Slack(fake, TestClient(app), getattr(answerer, "store", None))


def all_text(message: dict) -> str:
    """A message's text and its blocks, to look for a word in either."""
    return message["text"] + json.dumps(message.get("blocks") or [])


def buttons(message: dict) -> dict[str, str]:
    """A message's buttons: action id -> value."""
    actions = [b for b in message.get("blocks") or [] if b["type"] == "actions"]
    return {e["action_id"]: e["value"] for b in actions for e in b["elements"]}
