"""What the Slack app shows and reads: Block Kit answers, Slack markup, the manifest."""

from __future__ import annotations

import json

import pytest
import yaml

from bot.slack.blocks import render_answer
from bot.slack.threads import plain_text
from index.models import Answer
from tests.fakes.slack import BOT_USER_ID
from tests.slack_workspace import buttons
from tests.support import REPO


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
    assert buttons(message) == {"feedback_helpful": "abc123", "feedback_unhelpful": "abc123"}


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
