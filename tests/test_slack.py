"""The Slack app through real FastAPI + Bolt, signed requests, and a fake Slack Web API.

Answering happens after the acknowledgement, in Bolt's worker pool; each test app has
a single worker, so once a later "sentinel" question is answered every earlier request
has been handled, and "no reply" can be asserted without sleeping.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import yaml
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.slack.app import build_slack_app, mount_slack
from bot.slack.blocks import (
    APOLOGY,
    NOT_POSTED,
    THANKS,
    THREAD_UNREAD,
    UNKNOWN_ANSWER,
    USAGE,
    render_answer,
)
from bot.slack.threads import plain_text
from bot.slack.web import RATE_LIMIT_RETRIES, RateLimitRetry, web_client
from index.errors import BackendUnavailable, ConfigError
from index.models import Answer
from index.settings import Settings
from tests.fakes.slack import BOT_ID, BOT_USER_ID, TEAM_ID, TOKEN, FakeSlack
from tests.support import PAGES, REPO

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL, DM, ALICE = "CPOLICE01", "DALICE001", "UALICE001"
LURING = "What happened with the internet child luring case?"
LURING_CASE = "R19-44954"


@pytest.fixture(scope="module")
def answerer(tmp_path_factory, embedder):
    """The real answerer over a store of three days of Winnipeg releases (October 2019)."""
    from bot.answer.answerer import build_answerer
    from index.store import open_store
    from ingest.pipeline import Ingestor

    settings = Settings(store=tmp_path_factory.mktemp("slack") / "store")
    store = open_store(settings)
    pages = [str(PAGES / f"2019_10oct_2019_10_{day}.html") for day in ("04", "07", "08")]
    report = Ingestor(store, embedder).run(pages)
    assert report.publications >= 5 and not report.failed
    return build_answerer(settings, store=store, embedder=embedder)


class FailingAnswerer:
    """The Answerer interface, failing the way an unreachable LLM server does."""

    store = None

    def ask(self, question, history=(), *, since=None, until=None, top_k=None):
        raise BackendUnavailable("LLM server at 127.0.0.1:9 did not answer within 30s")


class Slack:
    """A workspace: the fake Web API plus signed requests to our /slack/events."""

    def __init__(self, fake: FakeSlack, http: TestClient | None, feedback_db):
        self.fake, self.http, self.feedback_db = fake, http, feedback_db

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

    def click(self, action_id: str, value: str, thread_ts: str):
        payload = {
            "type": "block_actions",
            "user": {"id": ALICE},
            "team": {"id": TEAM_ID},
            "api_app_id": "AQAAPP01",
            "channel": {"id": CHANNEL},
            "trigger_id": "1.2.4",
            "container": {"type": "message", "channel_id": CHANNEL, "thread_ts": thread_ts},
            "response_url": f"{self.fake.url}/actions/{TEAM_ID}/1/{uuid.uuid4().hex}",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "feedback",
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


def _build(fake: FakeSlack, tmp_path, answerer, **more) -> Slack:
    settings = Settings(
        store=tmp_path / "store",
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake.api_url,
        feedback_db=tmp_path / "feedback.sqlite3",
        **more,
    )
    bolt = build_slack_app(settings, answerer, executor=ThreadPoolExecutor(max_workers=1))
    app = FastAPI()
    mount_slack(app, bolt)
    return Slack(fake, TestClient(app), settings.feedback_db)


@pytest.fixture
def slack(tmp_path, answerer):
    with FakeSlack() as fake:
        yield _build(fake, tmp_path, answerer)


@pytest.fixture
def broken_slack(tmp_path):
    with FakeSlack() as fake:
        yield _build(fake, tmp_path, FailingAnswerer())


def _all_text(message: dict) -> str:
    return message["text"] + json.dumps(message.get("blocks") or [])


def _buttons(message: dict) -> dict[str, str]:
    actions = [b for b in message.get("blocks") or [] if b["type"] == "actions"]
    return {e["action_id"]: e["value"] for b in actions for e in b["elements"]}


@pytest.mark.slow
def test_mention_gets_one_threaded_reply_with_source_links(slack):
    event = slack.say(LURING)
    reply = slack.answer_to(event)
    slack.settle()
    assert len(slack.replies(event["ts"])) == 1
    assert reply["channel"] == CHANNEL and reply["thread_ts"] == event["ts"]
    assert "[1]" in reply["text"]
    blocks = json.dumps(reply["blocks"])
    assert "<https://winnipeg.ca/police/" in blocks and LURING_CASE in blocks
    assert "As of 2019-10-" in blocks
    assert _buttons(reply).keys() == {"feedback_helpful", "feedback_unhelpful", "follow_case"}
    assert _buttons(reply)["follow_case"] == LURING_CASE  # "Follow this case"


@pytest.mark.slow
def test_direct_message_is_answered_in_its_thread(slack):
    event = slack.say("What happened in the kidnapping?", channel=DM, mention=False)
    reply = slack.answer_to(event)
    assert reply["channel"] == DM and reply["thread_ts"] == event["ts"]
    assert "C19-221951" in _all_text(reply)


@pytest.mark.slow
def test_follow_up_in_a_thread_uses_the_earlier_turns(slack, answerer):
    follow_up = "and was he charged?"
    # Without the thread, this follow-up is about some other case.
    alone = {r for c in answerer.ask(follow_up).citations for r in c.references}
    assert LURING_CASE not in alone
    first = slack.say(LURING)
    assert LURING_CASE in _all_text(slack.answer_to(first))
    second = slack.say(follow_up, thread_ts=first["ts"])
    reply = slack.answer_to(second)
    assert reply["thread_ts"] == first["ts"]
    assert LURING_CASE in _all_text(reply)
    asked = slack.fake.called("conversations.replies")
    assert asked and asked[-1]["ts"] == first["ts"] and asked[-1]["channel"] == CHANNEL


@pytest.mark.slow
def test_slash_command_answers_only_the_asker(slack):
    response = slack.command("what happened in the kidnapping?")
    assert response.status_code == 200 and response.text == ""
    (posted,) = slack.fake.wait_for("response_url")
    assert posted["response_type"] == "ephemeral"
    assert "C19-221951" in _all_text(posted) and "*Q:* what happened in the kidnapping?" in (
        json.dumps(posted["blocks"])
    )
    assert slack.fake.called("chat.postMessage") == []


@pytest.mark.slow
def test_a_rate_limited_slash_command_reply_still_arrives_once(slack):
    slack.fake.rate_limit("response_url", times=1, retry_after=1)
    assert slack.command("what happened in the kidnapping?").status_code == 200
    (posted,) = slack.fake.wait_for("response_url")  # taken after Retry-After, only once
    assert "C19-221951" in _all_text(posted) and posted["blocks"]


@pytest.mark.slow
def test_slash_command_public_option_posts_in_channel(slack):
    assert slack.command("--public what happened in the kidnapping?").status_code == 200
    (posted,) = slack.fake.wait_for("response_url")
    assert posted["response_type"] == "in_channel"
    assert "--public" not in json.dumps(posted["blocks"])


@pytest.mark.slow
@pytest.mark.parametrize("text", ["", "   ", "--public", "--public  "])
def test_empty_slash_command_gets_the_usage_hint(slack, text):
    response = slack.command(text)
    assert response.status_code == 200
    assert response.text == USAGE
    slack.settle()
    assert slack.fake.called("response_url") == []


@pytest.mark.slow
def test_mention_without_a_question_gets_the_usage_hint(slack):
    event = slack.say("")
    assert slack.answer_to(event)["text"] == USAGE


@pytest.mark.slow
def test_feedback_is_stored_and_exported(slack):
    from bot.cli import main

    event = slack.say(LURING)
    buttons = _buttons(slack.answer_to(event))
    assert (
        slack.click("feedback_unhelpful", buttons["feedback_unhelpful"], event["ts"]).status_code
        == 200
    )
    (thanks,) = slack.fake.wait_for("response_url")
    assert thanks["text"] == THANKS and thanks["replace_original"] is False

    runner = CliRunner()
    result = runner.invoke(main, ["feedback", "export", "--db", str(slack.feedback_db)])
    assert result.exit_code == 0, result.output
    (row,) = [json.loads(line) for line in result.output.splitlines()]
    assert row["question"] == LURING and row["choice"] == "unhelpful"
    assert row["user"] == ALICE and row["channel"] == CHANNEL
    assert LURING_CASE in row["citations"][0]["references"] and row["answer"]
    csv_out = runner.invoke(
        main, ["feedback", "export", "--format", "csv", "--db", str(slack.feedback_db)]
    )
    (record,) = csv.DictReader(io.StringIO(csv_out.output))
    assert record["choice"] == "unhelpful" and record["question"] == LURING
    assert json.loads(record["citations"]) == row["citations"]


@pytest.mark.slow
def test_feedback_on_an_unknown_answer_says_so(slack):
    assert slack.click("feedback_helpful", "no-such-answer", "1.0").status_code == 200
    (reply,) = slack.fake.wait_for("response_url")
    assert reply["text"] == UNKNOWN_ANSWER


def test_feedback_export_without_a_database_is_a_clear_error(tmp_path):
    from bot.cli import main

    missing = tmp_path / "none.sqlite3"
    result = CliRunner().invoke(main, ["feedback", "export", "--db", str(missing)])
    assert result.exit_code == 1 and f"no feedback database at {missing}" in result.output


@pytest.mark.slow
@pytest.mark.parametrize(
    "tamper",
    [
        {"headers": {"X-Slack-Signature": "v0=" + "0" * 64}},
        {"headers": {"X-Slack-Signature": None}},
        {"headers": {"X-Slack-Request-Timestamp": None}},
        {"age": 3600},
        {"secret": "another-apps-signing-secret"},
        {"signed_body": "{}"},
    ],
    ids=["wrong", "no-signature", "no-timestamp", "stale", "other-secret", "other-body"],
)
def test_unsigned_or_badly_signed_requests_are_refused(slack, tamper):
    event = slack.message(LURING)
    assert slack.event(event, **tamper).status_code == 401
    form = {"command": "/ask", "text": LURING, "response_url": f"{slack.fake.url}/commands/x"}
    assert (
        slack.post(urlencode(form), "application/x-www-form-urlencoded", **tamper).status_code
        == 401
    )
    slack.settle()
    assert slack.replies(event["ts"]) == [] and slack.fake.called("response_url") == []


@pytest.mark.slow
def test_a_retried_event_is_answered_once(slack):
    event = slack.message(LURING)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    for headers in (None, retry, {**retry, "X-Slack-Retry-Num": "2"}):
        assert slack.event(event, event_id="EvRETRY0001", headers=headers).status_code == 200
    slack.settle()
    assert len(slack.replies(event["ts"])) == 1


@pytest.mark.slow
def test_a_retry_of_a_delivery_that_never_arrived_is_answered(slack):
    event = slack.message(LURING)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert slack.event(event, headers=retry).status_code == 200
    slack.settle()
    assert len(slack.replies(event["ts"])) == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "extra",
    [
        {"user": BOT_USER_ID, "bot_id": BOT_ID},
        {"user": "UOTHERBOT", "bot_id": "BOTHERBOT", "subtype": "bot_message"},
        {"subtype": "message_changed"},
    ],
    ids=["itself", "another-bot", "edit"],
)
def test_messages_from_bots_and_edits_get_no_reply(slack, extra):
    ts = slack.fake.next_ts()
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": DM,
        "user": ALICE,
        "text": LURING,
        "ts": ts,
        **extra,
    }
    assert slack.event(event).status_code == 200
    slack.settle()
    assert slack.replies(ts) == []


@pytest.mark.slow
def test_a_rate_limited_answer_is_posted_once_with_its_blocks(slack):
    slack.fake.rate_limit("chat.postMessage", times=1, retry_after=1)
    event = slack.say(LURING)
    reply = slack.answer_to(event)
    slack.settle()
    assert [m["ts"] for m in slack.posted(event)] == [reply["ts"]]
    limited, accepted = slack.replies(event["ts"])  # the 429, then the same message again
    assert accepted["blocks"] == limited["blocks"] and reply["blocks"] == limited["blocks"]
    assert LURING_CASE in json.dumps(reply["blocks"]) and _buttons(reply)


@pytest.mark.slow
def test_an_answer_slack_never_takes_is_reported_once_plainly(slack, caplog):
    # Every post carrying the answer's blocks is refused; a plain note gets through.
    slack.fake.rate_limit("chat.postMessage", retry_after=0, when=lambda p: "blocks" in p)
    event = slack.say(LURING)
    assert slack.answer_to(event)["text"] == NOT_POSTED
    slack.settle()
    (note,) = slack.posted(event)
    assert note["text"] == NOT_POSTED and not note.get("blocks")
    tries = [c for c in slack.replies(event["ts"]) if "blocks" in c]
    assert len(tries) == 1 + RATE_LIMIT_RETRIES
    assert "could not post in thread" in caplog.text and "ratelimited (HTTP 429)" in caplog.text


@pytest.mark.slow
def test_when_slack_refuses_every_post_the_listener_gives_up_quietly(slack, caplog):
    slack.fake.rate_limit("chat.postMessage", retry_after=0)
    event = slack.say(LURING)
    tries = slack.fake.wait_for("chat.postMessage", 2 * (1 + RATE_LIMIT_RETRIES))
    time.sleep(1)  # nothing more is tried
    assert len(slack.fake.called("chat.postMessage")) == len(tries)
    assert slack.posted(event) == []
    assert [t.get("text") for t in tries].count(NOT_POSTED) == 1 + RATE_LIMIT_RETRIES
    assert "its answer was lost" in caplog.text and "Slack listener" not in caplog.text


def test_a_long_retry_after_is_waited_only_up_to_the_cap(tmp_path):
    with FakeSlack() as fake:
        fake.rate_limit("chat.postMessage", times=1, retry_after=3600)
        client = WebClient(
            token=TOKEN, base_url=fake.api_url, retry_handlers=[RateLimitRetry(cap=0.2)]
        )
        started = time.monotonic()
        assert client.chat_postMessage(channel=CHANNEL, text="hello")["ok"]
        assert time.monotonic() - started < 5 and len(fake.called("chat.postMessage")) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_transient_server_errors_are_retried(tmp_path, status):
    with FakeSlack() as fake:
        fake.fail("chat.postMessage", times=2, status=status)
        settings = Settings(store=tmp_path, slack_bot_token=TOKEN, slack_api_url=fake.api_url)
        assert web_client(settings).chat_postMessage(channel=CHANNEL, text="hello")["ok"]
        assert len(fake.called("chat.postMessage")) == 3
        assert [m["text"] for m in fake.messages[CHANNEL]] == ["hello"]


@pytest.mark.slow
def test_an_unreadable_thread_is_answered_alone_and_says_so(slack):
    first = slack.say(LURING)
    slack.answer_to(first)
    slack.fake.rate_limit("conversations.replies", retry_after=0)
    second = slack.say("and was he charged?", thread_ts=first["ts"])
    reply = slack.answer_to(second)
    blocks = reply["blocks"]
    assert blocks[0]["type"] == "context" and THREAD_UNREAD in blocks[0]["elements"][0]["text"]
    assert "[1]" in reply["text"]
    assert len(slack.fake.called("conversations.replies")) == 1 + RATE_LIMIT_RETRIES


@pytest.mark.slow
@pytest.mark.parametrize("log_questions", [False, True], ids=["off", "on"])
def test_slack_logs_question_and_answer_text_only_when_allowed(
    tmp_path, answerer, caplog, log_questions
):
    with FakeSlack() as fake:
        slack = _build(fake, tmp_path, answerer, log_questions=log_questions)
        caplog.set_level(logging.DEBUG)
        first = slack.say(LURING)
        answer = slack.answer_to(first)["text"]
        follow_up = "and was he charged with luring?"
        reply = slack.answer_to(slack.say(follow_up, thread_ts=first["ts"]))
        slack.settle()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    texts = [LURING, follow_up, answer[:60], reply["text"][:60]]
    if log_questions:
        assert LURING in logged and follow_up in logged
    else:
        assert [t for t in texts if t in logged] == []
        assert "earlier turns): <" in logged  # what was asked is still logged, by size


@pytest.mark.slow
def test_answerer_failure_gets_an_apology_in_the_thread(broken_slack):
    event = broken_slack.say(LURING)
    reply = broken_slack.answer_to(event)
    assert reply["text"] == APOLOGY and reply["thread_ts"] == event["ts"]
    assert broken_slack.command("what happened?").status_code == 200
    (posted,) = broken_slack.fake.wait_for("response_url")
    assert posted["text"] == APOLOGY and posted["response_type"] == "ephemeral"


def _answer(**fields) -> Answer:
    citation = {
        "n": 1,
        "title": "Fraud <arrest> & charges | update",
        "published": "2019-10-08",
        "url": "https://example.org/a?b=1|2>",
        "source": "page.html",
        "quote": "q",
    }
    base = {
        "question": "q",
        "answer": "Two men & a <b>dog</b> were charged [1].",
        "refused": False,
        "citations": [citation],
        "as_of": "2019-10-08",
    }
    return Answer(**{**base, **fields})


def test_answer_blocks_escape_slack_control_characters():
    message = render_answer(_answer(), "abc123")
    assert message["text"] == "Two men &amp; a &lt;b&gt;dog&lt;/b&gt; were charged [1]."
    sources = json.dumps(message["blocks"])
    assert (
        "<https://example.org/a?b=1%7C2%3E|Fraud &lt;arrest&gt; &amp; charges ¦ update>"
        in (json.loads(sources)[1]["text"]["text"])
    )
    assert "(2019-10-08)" in sources and "As of 2019-10-08" in sources
    assert _buttons(message) == {"feedback_helpful": "abc123", "feedback_unhelpful": "abc123"}


@pytest.mark.parametrize("url", [None, "javascript:alert(1)", "file:///etc/passwd"])
def test_sources_without_a_web_address_are_not_links(url):
    answer = _answer()
    answer.citations[0].url = url
    sources = render_answer(answer)["blocks"][1]["text"]["text"]
    assert "<" not in sources and "[1] Fraud &lt;arrest&gt;" in sources


def test_refusals_are_rendered_as_such():
    message = render_answer(
        _answer(answer="The publications don't say.", refused=True, citations=[], as_of=None), "id1"
    )
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["context", "section", "actions"]
    assert "Not in the publications" in json.dumps(message["blocks"][0])


def test_long_answers_are_split_to_fit_slack_sections():
    message = render_answer(_answer(answer=("word " * 1500).strip()))
    sections = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections) and len(sections) >= 3
    assert " ".join(sections[:-1]).split() == message["text"].split()


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        (f"<@{BOT_USER_ID}> what happened?", "what happened?"),
        (f"<@{BOT_USER_ID}|qa>   was   he &amp; she charged?", "was he & she charged?"),
        ("see <https://x.org/a|the release> in <#C1|news>", "see the release in news"),
        (f"<@{BOT_USER_ID}>", ""),
    ],
)
def test_questions_are_taken_from_slack_markup(raw, plain):
    assert plain_text(raw, BOT_USER_ID) == plain


def test_manifest_subscribes_to_what_the_app_handles():
    manifest = yaml.safe_load((REPO / "bot" / "slack" / "manifest.yaml").read_text())
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert settings["interactivity"]["is_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ask"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert all(url.endswith("/slack/events") for url in urls)
    needed = {"app_mentions:read", "chat:write", "commands", "im:history", "channels:history"}
    assert needed <= set(manifest["oauth_config"]["scopes"]["bot"])


@pytest.mark.parametrize(
    ("fields", "socket_mode", "named"),
    [
        ({"slack_signing_secret": SECRET}, False, "POLICING_QA_SLACK_BOT_TOKEN"),
        ({"slack_bot_token": TOKEN}, False, "POLICING_QA_SLACK_SIGNING_SECRET"),
        ({"slack_signing_secret": SECRET}, True, "POLICING_QA_SLACK_BOT_TOKEN"),
    ],
)
def test_missing_slack_settings_are_named(tmp_path, fields, socket_mode, named):
    settings = Settings(store=tmp_path / "store", feedback_db=tmp_path / "f.sqlite3", **fields)
    with pytest.raises(ConfigError, match=named):
        build_slack_app(settings, FailingAnswerer(), socket_mode=socket_mode)


@pytest.mark.slow
def test_socket_mode_app_answers_without_a_signing_secret(tmp_path):
    with FakeSlack() as fake:
        settings = Settings(
            store=tmp_path / "store",
            feedback_db=tmp_path / "f.sqlite3",
            slack_bot_token=TOKEN,
            slack_api_url=fake.api_url,
        )
        bolt = build_slack_app(
            settings, FailingAnswerer(), socket_mode=True, executor=ThreadPoolExecutor(1)
        )
        slack = Slack(fake, http=None, feedback_db=settings.feedback_db)
        event = slack.message(LURING)
        # What slack_bolt's Socket Mode adapter does with each envelope: no signature at all.
        response = bolt.dispatch(BoltRequest(body=envelope(event), mode="socket_mode"))
        assert response.status == 200
        reply = slack.answer_to(event)
    assert reply["text"] == APOLOGY and reply["thread_ts"] == event["ts"]


def test_socket_mode_needs_an_app_token(tmp_path, monkeypatch):
    from bot.cli import main

    monkeypatch.setenv("POLICING_QA_SLACK_BOT_TOKEN", TOKEN)
    result = CliRunner().invoke(main, ["slack", "--socket"])
    assert result.exit_code == 1 and "POLICING_QA_SLACK_APP_TOKEN is not set" in result.output


@pytest.mark.slow
def test_mounted_on_the_api_app_slack_needs_no_api_key(tmp_path, answerer):
    from bot.api.app import create_app
    from bot.slack.app import mount_slack_if_configured

    with FakeSlack() as fake:
        base = {"store": tmp_path / "store", "api_keys": ["k-2f9d1c7a"]}
        assert mount_slack_if_configured(FastAPI(), Settings(**base), answerer) is None
        settings = Settings(
            **base,
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=fake.api_url,
            feedback_db=tmp_path / "feedback.sqlite3",
        )
        app = create_app(settings, answerer)
        assert not [r for r in app.routes if getattr(r, "path", None) == "/slack/events"]
        bolt = mount_slack_if_configured(app, settings, answerer)
        assert bolt is not None and bolt.client.base_url == fake.api_url
        assert [r for r in app.routes if getattr(r, "path", None) == "/slack/events"]
        slack = Slack(fake, TestClient(app), settings.feedback_db)
        assert slack.http.post("/ask", json={"question": LURING}).status_code == 401
        reply = slack.answer_to(slack.say(LURING))
        assert LURING_CASE in _all_text(reply)
