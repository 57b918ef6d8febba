"""Digests: releases stored since a channel's last digest, posted through the real slack_sdk
to the fake Slack Web API, from a real store of corpus releases; the daily schedule `watch`
keeps; the CLI's output and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bot.cases.digest_post import slack_client
from bot.cases.digest_schedule import due, post_due
from bot.cli import main
from index.models import Publication
from index.settings import Settings, get_settings
from index.store import open_store
from ingest.pipeline import Ingestor
from ingest.sources_file import DigestSpec
from tests.fakes.slack import TOKEN, FakeSlack
from tests.support import PAGES, REPO

OCTOBER = ["2019_10oct_2019_10_29.html", "2019_10oct_2019_10_30.html", "2019_10oct_2019_10_31.html"]
NOVEMBER = [
    "2019_11nov_2019_11_03.html", "2019_11nov_2019_11_04.html", "2019_11nov_2019_11_05.html",
    "2019_11nov_2019_11_06.html", "2019_11nov_2019_11_07.html", "2019_11nov_2019_11_08.html",
]  # fmt: skip
LONDON = PAGES.parents[1] / "london" / "000_474315e251677573.txt"
# The release of November 3 on case C19-255700 and the one thing it adds to October's.
UPDATE_TITLE = "Homicide – Investigation: C19-255700"
UPDATE_URL = "https://winnipeg.ca/police/press/2019/11nov/2019_11_03.aspx#homicide"
UPDATE_LINK = f"<{UPDATE_URL}|{UPDATE_TITLE}>"
UPDATE_NEWS = "On November 2, 2019 the child succumbed to his injuries."
WINNIPEG = dt.timezone(dt.timedelta(hours=-6))  # America/Winnipeg in January (CST)


class Slack(FakeSlack):
    """The fake Web API, with channels that refuse posts as Slack does."""

    def __init__(self):
        super().__init__()
        self.refusals: dict[str, str] = {}

    def chat_postMessage(self, params: dict) -> dict:  # noqa: N802 - Slack's method name
        error = self.refusals.get(params.get("channel", ""))
        if error:
            return {"ok": False, "error": error}
        return super().chat_postMessage(params)

    def posts(self, channel: str) -> list[dict]:
        """What was sent to chat.postMessage for `channel`, accepted or not."""
        return [p for p in self.called("chat.postMessage") if p.get("channel") == channel]


@pytest.fixture
def slack(monkeypatch):
    with Slack() as fake:
        monkeypatch.setenv("POLICING_QA_SLACK_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("POLICING_QA_SLACK_API_URL", fake.api_url)
        get_settings.cache_clear()
        yield fake


def _ingest(store, embedder, *paths) -> None:
    report = Ingestor(store, embedder).run([str(p) for p in paths])
    assert not report.failed and report.added, report.summary()


@pytest.fixture
def october(store, embedder, corpus):
    """The store, holding October 29-31, 2019 (the first releases of C19-255700)."""
    _ingest(store, embedder, *(PAGES / name for name in OCTOBER))
    return store


def _november(store, embedder) -> None:
    _ingest(store, embedder, *(PAGES / name for name in NOVEMBER), LONDON)


def digest(settings, *args: str):
    return CliRunner().invoke(main, ["digest", "--store", str(settings.store), *args])


def _sections(post: dict) -> str:
    return "\n".join(b["text"]["text"] for b in post["blocks"] if b["type"] == "section")


# --- posting -------------------------------------------------------------------------------


@pytest.mark.slow
def test_digest_posts_new_releases_by_issuer_with_the_news_of_a_case_update(
    october, embedder, settings, slack
):
    first = digest(settings, "--channel", "C0NEWS")
    assert first.exit_code == 0, first.output
    assert "posted 10 new releases to C0NEWS" in first.stdout
    _november(october, embedder)

    second = digest(settings, "--channel", "C0NEWS")
    assert second.exit_code == 0, second.output
    assert "posted 11 new releases to C0NEWS" in second.stdout
    post = slack.posts("C0NEWS")[-1]
    header = post["blocks"][0]["text"]["text"]
    assert header.startswith("Policing releases: 11 new releases since ")
    body = _sections(post)
    # Grouped by issuer, each release with its title, link and date.
    assert body.index("*Mayor of London*") < body.index("*Winnipeg Police Service*")
    assert "Mayor joins local neighbourhood policing teams" in body
    assert f"• *{UPDATE_LINK}* (2019-11-02) · update of C19-255700\n{UPDATE_NEWS}" in body
    # The update's news is what it adds, not what October already said.
    assert "seriously assaulted" not in body
    # Only what was stored since the first digest.
    assert "Attempt Murder – Update/Arrest" not in body
    assert "Attempt Murder – Update/Arrest" in _sections(slack.posts("C0NEWS")[0])
    # The text fallback carries the same releases.
    assert UPDATE_LINK in post["text"] and UPDATE_NEWS in post["text"]


@pytest.mark.slow
def test_a_second_digest_right_after_posts_nothing(october, settings, slack):
    assert digest(settings, "--channel", "C0TWICE").exit_code == 0
    again = digest(settings, "--channel", "C0TWICE")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("nothing new since ") and "for C0TWICE" in again.stdout
    shown = json.loads(digest(settings, "--channel", "C0TWICE", "--json").stdout)
    assert shown["posted"] is False and shown["count"] == 0 and shown["releases"] == []
    assert len(slack.posts("C0TWICE")) == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "failure, message",
    [
        ("not_in_channel", "the bot is not in channel C0FAIL: invite it with /invite @policing-qa"),
        ("channel_not_found", "channel_not_found: Slack knows no channel C0FAIL"),
        ("invalid_auth", "Slack refused the bot token (invalid_auth)"),
        ("http_500", "Slack did not take the post to C0FAIL: HTTP 500"),
    ],
)
def test_a_failed_post_is_named_and_retried_next_time_with_the_same_releases(
    october, settings, slack, monkeypatch, failure, message
):
    if failure == "http_500":
        slack.fail("chat.postMessage", status=500)  # every try, retries included
    elif failure == "invalid_auth":
        monkeypatch.setenv("POLICING_QA_SLACK_BOT_TOKEN", "xoxb-revoked-1111-token")
        get_settings.cache_clear()
    else:
        slack.refusals["C0FAIL"] = failure

    failed = digest(settings, "--channel", "C0FAIL")
    assert failed.exit_code == 1
    assert f"error: {message}" in failed.stderr and "Traceback" not in failed.output
    assert october.get_run_records("digest") == {}  # nothing recorded

    slack.limits.clear()
    slack.refusals.clear()
    monkeypatch.setenv("POLICING_QA_SLACK_BOT_TOKEN", TOKEN)
    get_settings.cache_clear()
    retried = digest(settings, "--channel", "C0FAIL")
    assert retried.exit_code == 0, retried.output
    refused, taken = slack.posts("C0FAIL")[0], slack.posts("C0FAIL")[-1]
    assert "Attempt Murder – Update/Arrest: C19-255700" in _sections(taken)
    assert _sections(taken) == _sections(refused)
    assert set(october.get_run_records("digest")) == {"C0FAIL"}


@pytest.mark.slow
def test_a_release_committed_at_the_mark_after_a_digest_goes_in_the_next(october, settings, slack):
    assert digest(settings, "--channel", "C0MARK").exit_code == 0
    mark = october.get_run_records("digest")["C0MARK"]["until"]
    # A run stamps its releases with its start: one committing after the digest read the
    # store carries the digest's mark.
    late = Publication(source="/late/release.txt", title="Late release", text="It came late.")
    october.commit_publications([(late, [])], mark)
    again = json.loads(digest(settings, "--channel", "C0MARK", "--json").stdout)
    assert again["posted"] and [r["title"] for r in again["releases"]] == ["Late release"]


# --- the CLI ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_dry_run_prints_the_digest_and_posts_and_records_nothing(october, embedder, settings):
    _november(october, embedder)
    since = "2019-01-01T00:00"  # before anything was stored: everything is new
    shown = digest(settings, "--channel", "C0DRY", "--since", since, "--dry-run")
    assert shown.exit_code == 0, shown.output  # Slack need not be configured
    lines = shown.stdout.splitlines()
    assert lines[0] == "C0DRY: 21 new releases since 2019-01-01 00:00 UTC"
    assert "Winnipeg Police Service" in lines and "Mayor of London" in lines
    update = lines.index(f"  - {UPDATE_TITLE} (2019-11-02) [update of C19-255700] {UPDATE_URL}")
    assert lines[update + 1] == f"    {UPDATE_NEWS}"
    as_json = digest(settings, "--channel", "C0DRY", "--dry-run", "--json")
    out = json.loads(as_json.stdout)
    assert out["dry_run"] and not out["posted"] and out["ts"] is None and out["count"] == 21
    (release,) = [r for r in out["releases"] if r["title"] == UPDATE_TITLE]
    assert release["news"] == UPDATE_NEWS and release["update_of"] == ["C19-255700"]
    assert release["published"] == "2019-11-02" and release["issuer"] == "Winnipeg Police Service"
    assert october.get_run_records("digest") == {}


@pytest.mark.slow
def test_cli_posts_with_json_and_exits_non_zero_when_slack_is_not_configured(october, settings):
    missing = digest(settings, "--channel", "C0CLI")
    assert missing.exit_code == 1
    assert "error: Slack is not configured: set POLICING_QA_SLACK_BOT_TOKEN" in missing.stderr
    with Slack() as fake:
        env = {"POLICING_QA_SLACK_BOT_TOKEN": TOKEN, "POLICING_QA_SLACK_API_URL": fake.api_url}
        get_settings.cache_clear()
        result = CliRunner(env=env).invoke(
            main, ["digest", "--store", str(settings.store), "--channel", "C0CLI", "--json"]
        )
        assert result.exit_code == 0, result.output
        out = json.loads(result.stdout)
        assert out["posted"] is True and out["ts"] and out["count"] == 10
        assert out["channel"] == "C0CLI" and len(out["releases"]) == 10
        assert fake.messages["C0CLI"][0]["ts"] == out["ts"]
    record = october.get_run_records("digest")["C0CLI"]
    assert record["ts"] == out["ts"] and record["releases"] == 10


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "Missing option '--channel'"),
        (["--channel", "C0X", "--since", "yesterday"], "'yesterday' is not a date and time"),
        (["--channel", "two words"], "give a Slack channel ID"),
    ],
)
def test_cli_usage_errors_exit_2(settings, args, message):
    result = digest(settings, *args)
    assert result.exit_code == 2 and message in result.output


# --- the daily schedule that watch keeps ------------------------------------------------------


DAILY = DigestSpec("C0DAILY", dt.time(7, 30), "America/Winnipeg")


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment on January `day`, 2026, Winnipeg time."""
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=WINNIPEG)


@pytest.mark.parametrize(
    "now, previous, expected",
    [
        (_at(15, 7, 29), None, False),  # not before its time
        (_at(15, 7, 30), None, True),
        (_at(15, 23, 59), None, True),  # late (watch was down) is still today's
        (_at(15, 9), {"posted_at": "2026-01-15T13:31:00+00:00"}, False),  # 07:31 local
        (_at(15, 9), {"checked_at": "2026-01-15T13:31:00+00:00"}, False),  # nothing was new
        (_at(15, 9), {"posted_at": "2026-01-15T05:00:00+00:00"}, True),  # Jan 14, 23:00 local
        (_at(16, 7, 0), {"posted_at": "2026-01-15T13:31:00+00:00"}, False),
        (_at(16, 7, 45), {"posted_at": "2026-01-15T13:31:00+00:00"}, True),
    ],
)
def test_a_digest_is_due_once_a_day_after_its_local_time(now, previous, expected):
    assert due(DAILY, previous, now) is expected


@pytest.mark.slow
def test_watch_posts_a_due_digest_once_a_day_even_across_restarts(
    october, embedder, settings, slack
):
    slack_settings = Settings(slack_bot_token=TOKEN, slack_api_url=slack.api_url)

    def after_run(now: dt.datetime, store=october) -> list[str]:
        return post_due(store, [DAILY], lambda: slack_client(slack_settings), now=now)

    assert after_run(_at(15, 7, 10)) == []  # a run ending before 07:30 posts nothing
    assert after_run(_at(15, 7, 40)) == ["digest to C0DAILY: posted 10 new releases"]
    assert after_run(_at(15, 7, 55)) == []
    restarted = open_store(settings)  # a new watch process reads the same record
    assert after_run(_at(15, 18), store=restarted) == []
    assert len(slack.posts("C0DAILY")) == 1

    # The next day: due again at 07:30; nothing new is not posted, and counts as the day's.
    assert after_run(_at(16, 7)) == []
    (line,) = after_run(_at(16, 7, 35))
    assert line.startswith("digest to C0DAILY: nothing new since ")
    _november(october, embedder)
    assert after_run(_at(16, 12)) == []
    assert after_run(_at(17, 7, 31)) == ["digest to C0DAILY: posted 11 new releases"]
    assert len(slack.posts("C0DAILY")) == 2
    assert UPDATE_NEWS in _sections(slack.posts("C0DAILY")[-1])


@pytest.mark.slow
def test_a_refused_scheduled_digest_is_reported_and_tried_after_the_next_run(october, slack):
    slack.refusals["C0DAILY"] = "not_in_channel"
    settings = Settings(slack_bot_token=TOKEN, slack_api_url=slack.api_url)
    (line,) = post_due(october, [DAILY], lambda: slack_client(settings), now=_at(15, 7, 40))
    assert line == (
        "digest to C0DAILY not posted: the bot is not in channel C0DAILY: "
        "invite it with /invite @policing-qa"
    )
    slack.refusals.clear()
    (line,) = post_due(october, [DAILY], lambda: slack_client(settings), now=_at(15, 7, 55))
    assert line == "digest to C0DAILY: posted 10 new releases"


@pytest.mark.slow
def test_watch_command_posts_the_digests_of_its_sources_file_once(site, tmp_path, corpus):
    page = sorted(PAGES.glob("regina_police_*.html"))[0]
    site.put(f"/r/{page.name}", page.read_bytes())
    site.put_rss("/feed.xml", [(f"/r/{page.name}", None)])
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[fetch]\nretries = 0\n[[source]]\nurl = "{site.url("/feed.xml")}"\nkind = "feed"\n'
        '[[digest]]\nchannel = "C0WATCH"\ntime = "00:00"\ntimezone = "UTC"\n'
    )
    with Slack() as fake:
        env = {**os.environ, "POLICING_QA_SLACK_BOT_TOKEN": TOKEN}
        env["POLICING_QA_SLACK_API_URL"] = fake.api_url
        done = subprocess.run(
            [sys.executable, "-m", "bot", "watch", "--sources", str(sources), "--every", "1s",
             "--max-runs", "2", "--store", str(tmp_path / "store")],
            capture_output=True, text=True, cwd=REPO, env=env, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.count("digest to C0WATCH: posted 1 new release") == 1, done.stdout
        (post,) = fake.posts("C0WATCH")
    assert post["blocks"][0]["text"]["text"].startswith("Policing releases: 1 new release since")
    link = site.url(f"/r/{page.name}")
    assert _sections(post).startswith(f"*Regina Police Service*\n• *<{link}|")
