"""Setting the Slack app up: missing settings named, Socket Mode, mounted on the API app."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from slack_bolt.request import BoltRequest

from bot.slack.app import build_slack_app
from bot.slack.blocks import APOLOGY
from index.errors import ConfigError
from index.settings import Settings
from tests.fakes.slack import TOKEN, FakeSlack
from tests.slack_workspace import (
    LURING,
    LURING_CASE,
    SECRET,
    FailingAnswerer,
    Slack,
    all_text,
    envelope,
)


@pytest.mark.parametrize(
    ("fields", "socket_mode", "named"),
    [
        ({"slack_signing_secret": SECRET}, False, "POLICING_QA_SLACK_BOT_TOKEN"),
        ({"slack_bot_token": TOKEN}, False, "POLICING_QA_SLACK_SIGNING_SECRET"),
        ({"slack_signing_secret": SECRET}, True, "POLICING_QA_SLACK_BOT_TOKEN"),
    ],
)
def test_missing_slack_settings_are_named(tmp_path, fields, socket_mode, named):
    settings = Settings(store=tmp_path / "store", **fields)
    with pytest.raises(ConfigError, match=named):
        build_slack_app(settings, FailingAnswerer(), socket_mode=socket_mode)


@pytest.mark.slow
def test_socket_mode_app_answers_without_a_signing_secret(tmp_path):
    with FakeSlack() as fake:
        settings = Settings(
            store=tmp_path / "store",
            slack_bot_token=TOKEN,
            slack_api_url=fake.api_url,
        )
        bolt = build_slack_app(
            settings, FailingAnswerer(), socket_mode=True, executor=ThreadPoolExecutor(1)
        )
        slack = Slack(fake, http=None)
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
def test_mounted_on_the_api_app_slack_needs_no_api_key(tmp_path, slack_answerer):
    from bot.api.app import create_app
    from bot.slack.app import mount_slack_if_configured

    with FakeSlack() as fake:
        base = {"store": tmp_path / "store", "api_keys": ["k-2f9d1c7a"]}
        assert mount_slack_if_configured(FastAPI(), Settings(**base), slack_answerer) is None
        settings = Settings(
            **base,
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=fake.api_url,
        )
        app = create_app(settings, slack_answerer)
        assert not [r for r in app.routes if getattr(r, "path", None) == "/slack/events"]
        bolt = mount_slack_if_configured(app, settings, slack_answerer)
        assert bolt is not None and bolt.client.base_url == fake.api_url
        assert [r for r in app.routes if getattr(r, "path", None) == "/slack/events"]
        slack = Slack(fake, TestClient(app))
        assert slack.http.post("/ask", json={"question": LURING}).status_code == 401
        reply = slack.answer_to(slack.say(LURING))
        assert LURING_CASE in all_text(reply)
