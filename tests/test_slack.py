"""The Slack app answering through real FastAPI + Bolt, signed requests, and a fake
Slack Web API: mentions, DMs, threads, `/ask`, feedback buttons, retries, signatures.

Answering happens after the acknowledgement, in Bolt's worker pool; each test app has
a single worker, so once a later "sentinel" question is answered every earlier request
has been handled, and "no reply" can be asserted without sleeping. The workspace and
the `slack` fixtures: tests/slack_workspace.py and tests/conftest.py.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from bot.slack.blocks import THANKS, UNKNOWN_ANSWER, USAGE
from tests.fakes.slack import BOT_ID, BOT_USER_ID, FakeSlack
from tests.slack_workspace import (
    ALICE,
    CHANNEL,
    DM,
    LURING,
    LURING_CASE,
    all_text,
    build_workspace,
    buttons,
)


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
    assert buttons(reply).keys() == {"feedback_helpful", "feedback_unhelpful", "follow_case"}
    assert buttons(reply)["follow_case"] == LURING_CASE  # "Follow this case"


@pytest.mark.slow
def test_direct_message_is_answered_in_its_thread(slack):
    event = slack.say("What happened in the kidnapping?", channel=DM, mention=False)
    reply = slack.answer_to(event)
    assert reply["channel"] == DM and reply["thread_ts"] == event["ts"]
    assert "C19-221951" in all_text(reply)


@pytest.mark.slow
def test_follow_up_in_a_thread_uses_the_earlier_turns(slack, slack_answerer):
    follow_up = "and was he charged?"
    # Without the thread, this follow-up names nothing: it is refused (a refusal cites the
    # closest releases, whatever they are) or answered about some other case.
    alone = slack_answerer.ask(follow_up)
    assert alone.refused or LURING_CASE not in {r for c in alone.citations for r in c.references}
    first = slack.say(LURING)
    assert LURING_CASE in all_text(slack.answer_to(first))
    second = slack.say(follow_up, thread_ts=first["ts"])
    reply = slack.answer_to(second)
    assert reply["thread_ts"] == first["ts"]
    assert LURING_CASE in all_text(reply) and "don't say" not in all_text(reply)
    asked = slack.fake.called("conversations.replies")
    assert asked and asked[-1]["ts"] == first["ts"] and asked[-1]["channel"] == CHANNEL


@pytest.mark.slow
def test_slash_command_answers_only_the_asker(slack):
    response = slack.command("what happened in the kidnapping?")
    assert response.status_code == 200 and response.text == ""
    (posted,) = slack.fake.wait_for("response_url")
    assert posted["response_type"] == "ephemeral"
    assert "C19-221951" in all_text(posted) and "*Q:* what happened in the kidnapping?" in (
        json.dumps(posted["blocks"])
    )
    assert slack.fake.called("chat.postMessage") == []


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
def test_feedback_is_stored_and_exported(slack, slack_answerer):
    from bot.cli import main

    event = slack.say(LURING)
    answer_id = buttons(slack.answer_to(event))["feedback_unhelpful"]
    assert slack.click("feedback_unhelpful", answer_id, event["ts"]).status_code == 200
    (thanks,) = slack.fake.wait_for("response_url")
    assert thanks["text"] == THANKS and thanks["replace_original"] is False

    runner = CliRunner()
    store = [
        "--store",
        str(slack_answerer.settings.store),
    ]  # the store the app keeps its records in
    result = runner.invoke(main, ["feedback", "export", *store])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    (row,) = [r for r in rows if r["answer_id"] == answer_id]
    assert row["question"] == LURING and row["choice"] == "unhelpful"
    assert row["user"] == ALICE and row["channel"] == CHANNEL
    assert LURING_CASE in row["citations"][0]["references"] and row["answer"]
    csv_out = runner.invoke(main, ["feedback", "export", "--format", "csv", *store])
    (record,) = [
        r for r in csv.DictReader(io.StringIO(csv_out.output)) if r["answer_id"] == answer_id
    ]
    assert record["choice"] == "unhelpful" and record["question"] == LURING
    assert json.loads(record["citations"]) == row["citations"]


@pytest.mark.slow
def test_feedback_on_an_unknown_answer_says_so(slack):
    assert slack.click("feedback_helpful", "no-such-answer", "1.0").status_code == 200
    (reply,) = slack.fake.wait_for("response_url")
    assert reply["text"] == UNKNOWN_ANSWER


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
@pytest.mark.parametrize("log_questions", [False, True], ids=["off", "on"])
def test_slack_logs_question_and_answer_text_only_when_allowed(
    tmp_path, slack_answerer, caplog, log_questions
):
    with FakeSlack() as fake:
        slack = build_workspace(fake, tmp_path, slack_answerer, log_questions=log_questions)
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
