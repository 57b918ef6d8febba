"""When Slack or the answerer fails: rate limits and server errors retried, answers
Slack never takes reported once, unreadable threads answered alone, apologies."""

from __future__ import annotations

import json
import time

import pytest
from slack_sdk import WebClient

from bot.slack.blocks import APOLOGY, NOT_POSTED, THREAD_UNREAD
from bot.slack.web import RATE_LIMIT_RETRIES, RateLimitRetry, web_client
from index.settings import Settings
from tests.fakes.slack import TOKEN, FakeSlack
from tests.slack_workspace import CHANNEL, LURING, LURING_CASE, all_text, buttons


@pytest.mark.slow
def test_a_rate_limited_slash_command_reply_still_arrives_once(slack):
    slack.fake.rate_limit("response_url", times=1, retry_after=1)
    assert slack.command("what happened in the kidnapping?").status_code == 200
    (posted,) = slack.fake.wait_for("response_url")  # taken after Retry-After, only once
    assert "C19-221951" in all_text(posted) and posted["blocks"]


@pytest.mark.slow
def test_a_rate_limited_answer_is_posted_once_with_its_blocks(slack):
    slack.fake.rate_limit("chat.postMessage", times=1, retry_after=1)
    event = slack.say(LURING)
    reply = slack.answer_to(event)
    slack.settle()
    assert [m["ts"] for m in slack.posted(event)] == [reply["ts"]]
    limited, accepted = slack.replies(event["ts"])  # the 429, then the same message again
    assert accepted["blocks"] == limited["blocks"] and reply["blocks"] == limited["blocks"]
    assert LURING_CASE in json.dumps(reply["blocks"]) and buttons(reply)


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
def test_answerer_failure_gets_an_apology_in_the_thread(broken_slack):
    event = broken_slack.say(LURING)
    reply = broken_slack.answer_to(event)
    assert reply["text"] == APOLOGY and reply["thread_ts"] == event["ts"]
    assert broken_slack.command("what happened?").status_code == 200
    (posted,) = broken_slack.fake.wait_for("response_url")
    assert posted["text"] == APOLOGY and posted["response_type"] == "ephemeral"
