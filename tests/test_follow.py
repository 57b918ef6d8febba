"""Following a case in Slack, and the alerts ingest runs post in the follow's thread.

Real corpus releases in a fresh store, the real answerer, real Bolt with signed requests,
and the fake Slack Web API on 127.0.0.1 for both the app and the alerts that `run_once`
posts (POLICING_QA_SLACK_BOT_TOKEN and POLICING_QA_SLACK_API_URL point it at the fake).
C19-255700 (Winnipeg): a child assaulted on Pritchard Avenue on 2019-10-30, an arrest on
10-31, a homicide on 11-02 (told on the 11-03 page) and a murder charge on 11-07.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cases.alerts import EVENT_TYPE, alerter
from bot.cases.follows import Follow, Follows
from bot.slack.blocks import FOLLOW, UNFOLLOW
from bot.slack.case_blocks import NOTHING_NEW, render_alert
from bot.slack.follows import HELP
from bot.slack.web import RATE_LIMIT_RETRIES
from index.client import open_client
from index.errors import StoreUnavailable
from index.records import StoredPublication
from index.settings import Settings, get_settings
from index.store import Store, open_store
from ingest.fetch import Fetcher, FetchOptions
from ingest.pipeline import Ingestor
from ingest.watch import run_once
from tests.fakes.slack import TEAM_ID, TOKEN, FakeSlack
from tests.slack_workspace import ALICE, CHANNEL, FailingAnswerer, build_workspace
from tests.support import PAGES

pytestmark = pytest.mark.slow  # real embeddings of real releases

CASE = "C19-255700"
FIRST = ["2019_10oct_2019_10_29", "2019_10oct_2019_10_30", "2019_10oct_2019_10_31"]
HOMICIDE = "2019_11nov_2019_11_03"  # the update: the child died
HOMICIDE_NEWS = "On November 2, 2019 the child succumbed to his injuries."
MURDER_CHARGE = "2019_11nov_2019_11_07"
# A Regina story without case numbers: a death, then "now deemed a homicide", then charges.
REGINA_FIRST = [
    "regina_police_2021_07_death-investigation-underway-9_",
    "regina_police_2021_07_update-death-investigation-now-deemed-a-homicide-2_",
]
REGINA_CHARGES = "regina_police_2021_08_charges-laid-in-jason-bird-homicide-case_"


class MarkFails(Store):
    """The real store, except that marking an alert delivered fails once: a run that
    dies between posting an alert and recording it."""

    failures = 1

    def put_run_record(self, key: str, kind: str, data: dict) -> None:
        if kind == "alert" and data.get("state") == "delivered" and self.failures:
            self.failures -= 1
            raise StoreUnavailable("the store went away before the alert was marked")
        super().put_run_record(key, kind, data)


@pytest.fixture
def fake(monkeypatch):
    """The fake Slack, and the settings every ingest run reads pointing at it."""
    with FakeSlack() as slack:
        monkeypatch.setenv("POLICING_QA_SLACK_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("POLICING_QA_SLACK_API_URL", slack.api_url)
        get_settings.cache_clear()
        yield slack


@pytest.fixture
def workspace(tmp_path, fake, embedder):
    """A fresh store holding the first releases of C19-255700, and the Slack app over it."""
    return _workspace(tmp_path, fake, embedder, FIRST)


def _workspace(tmp_path: Path, fake: FakeSlack, embedder, pages: list[str]):
    from bot.answer.answerer import build_answerer

    settings = Settings(store=tmp_path / "store")
    store = open_store(settings)
    assert not Ingestor(store, embedder).run(_pages(*pages)).failed
    answerer = build_answerer(settings, store=store, embedder=embedder)
    slack = build_workspace(fake, tmp_path, answerer)
    slack.store, slack.store_dir, slack.ingestor = store, settings.store, Ingestor(store, embedder)
    return slack


def _pages(*names: str) -> list[str]:
    return [str(PAGES / f"{name}.html") for name in names]


def ingest(ingestor: Ingestor, *names: str):
    """One ingest run over these corpus pages, as `policing-qa ingest` runs it."""
    with Fetcher(FetchOptions()) as fetcher:
        alert = alerter(get_settings())  # the fake Slack the `fake` fixture set up
        return run_once(ingestor, fetcher, [], args=_pages(*names), alert=alert)


def alerts(fake: FakeSlack, thread_ts: str, channel: str = CHANNEL) -> list[dict]:
    """The alert messages Slack accepted in a thread."""
    return [
        m
        for m in list(fake.messages.get(channel, []))
        if m.get("thread_ts") == thread_ts
        and (m.get("metadata") or {}).get("event_type") == EVENT_TYPE
    ]


def alert_posts(fake: FakeSlack) -> list[dict]:
    """Every chat.postMessage call that carried an alert, accepted or not."""
    return [c for c in fake.called("chat.postMessage") if c.get("metadata")]


def text_of(message: dict) -> str:
    return message.get("text", "") + json.dumps(message.get("blocks") or [])


def buttons(message: dict) -> dict[str, str]:
    actions = [b for b in message.get("blocks") or [] if b["type"] == "actions"]
    return {e["action_id"]: e["value"] for b in actions for e in b["elements"]}


def click(slack, action_id: str, value: str, container: dict):
    """Press a case button on a message (`container`: its message_ts and thread_ts)."""
    done = slack.click(
        action_id,
        value,
        container["thread_ts"],
        message_ts=container["message_ts"],
        block_id="case",
    )
    assert done.status_code == 200


def follow_by_mention(slack, text: str = f"follow {CASE}") -> tuple[dict, dict]:
    """Ask a question, then say `text` in its thread; (the question, the bot's reply)."""
    question = slack.say("What happened to the 3-year-old child on Pritchard?")
    slack.answer_to(question)
    said = slack.say(text, thread_ts=question["ts"])
    return question, slack.answer_to(said)


def test_follow_by_mention_then_one_alert_per_update_in_its_thread(workspace, fake):
    question, reply = follow_by_mention(workspace)
    assert reply["thread_ts"] == question["ts"]
    assert f"Following {CASE} (2 releases so far)" in reply["text"]
    (follow,) = Follows(workspace.store).all()
    assert (follow.team, follow.channel, follow.thread_ts) == (TEAM_ID, CHANNEL, question["ts"])
    assert follow.user == ALICE and len(follow.known) == 2

    # `policing-qa ingest --json` stores the update and posts its alert.
    store_dir = str(workspace.store_dir)
    run = CliRunner().invoke(_main(), ["ingest", *_pages(HOMICIDE), "--store", store_dir, "--json"])
    assert run.exit_code == 0, run.output
    outcome = json.loads(run.stdout)["alerts"]
    assert (outcome["sent"], outcome["failed"], outcome["pending"]) == (1, 0, 0)
    (alert,) = alerts(fake, question["ts"])
    assert HOMICIDE_NEWS in alert["text"] + json.dumps(alert["blocks"])
    quoted = alert["blocks"][1]["text"]["text"]
    assert f"> {HOMICIDE_NEWS} [1]" in quoted and "Pritchard" not in quoted  # only what is new
    assert "[1] <https://winnipeg.ca/police/press/2019/11nov/2019_11_03" in json.dumps(
        alert["blocks"]
    )
    payload = alert["metadata"]["event_payload"]
    assert payload["follow"] == follow.key and payload["publication_id"]

    # The same run again: nothing new, nothing posted.
    again = CliRunner().invoke(_main(), ["ingest", *_pages(HOMICIDE), "--store", store_dir])
    assert again.exit_code == 0 and "alerts: 0 sent, 0 failed, 0 pending" in again.output
    assert len(alert_posts(fake)) == 1

    # Unfollow from the alert: the murder charge is stored, and not posted.
    assert buttons(alert) == {UNFOLLOW: follow.key}
    posts = len(fake.called("chat.postMessage"))
    click(workspace, UNFOLLOW, follow.key, {"message_ts": alert["ts"], "thread_ts": question["ts"]})
    (said,) = fake.wait_for("chat.postMessage", posts + 1)[posts:]
    assert said["thread_ts"] == question["ts"] and f"unfollowed {CASE}" in said["text"]
    assert Follows(workspace.store).all() == []
    report = ingest(workspace.ingestor, MURDER_CHARGE)
    assert report.added >= 1 and report.alerts["sent"] == 0
    assert len(alert_posts(fake)) == 1


def _main():
    from bot.cli import main

    return main


def test_follow_by_slash_command_opens_a_thread_that_gets_the_alerts(workspace, fake):
    assert workspace.command(f"follow {CASE}").status_code == 200
    (reply,) = fake.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"
    assert "in the thread of my message in this channel" in reply["text"]
    (opened,) = [m for m in fake.messages[CHANNEL] if f"<@{ALICE}> follows {CASE}" in m["text"]]
    (follow,) = Follows(workspace.store).all()
    assert follow.thread_ts == opened["ts"] and follow.user == ALICE

    report = ingest(workspace.ingestor, HOMICIDE, MURDER_CHARGE)
    assert report.alerts["sent"] == 2 and "alerts: 2 sent, 0 failed, 0 pending" in report.summary()
    homicide, charge = alerts(fake, opened["ts"])
    assert HOMICIDE_NEWS in text_of(homicide)
    assert "obtained a warrant for the arrest of Daniel Jensen for Second Degree Murder" in (
        text_of(charge)
    )
    assert HOMICIDE_NEWS not in charge["blocks"][1]["text"]["text"]  # told already


def test_follow_button_on_an_answer_follows_in_its_thread(workspace, fake):
    question = workspace.say("What happened to the 3-year-old child on Pritchard?")
    answer = workspace.answer_to(question)
    assert buttons(answer)[FOLLOW] == CASE
    assert "Follow this case" in json.dumps(answer["blocks"])
    click(workspace, FOLLOW, CASE, {"message_ts": answer["ts"], "thread_ts": question["ts"]})
    fake.wait_for("chat.postMessage", 2)
    said = [m for m in workspace.posted(question) if m["ts"] > answer["ts"]]
    assert f"Following {CASE}" in said[0]["text"]
    (follow,) = Follows(workspace.store).all()
    assert follow.thread_ts == question["ts"]

    ingest(workspace.ingestor, HOMICIDE)
    (alert,) = alerts(fake, question["ts"])
    assert HOMICIDE_NEWS in text_of(alert)


def test_a_failed_post_is_retried_by_later_runs_and_delivered_once(workspace, fake):
    question, _ = follow_by_mention(workspace)
    other = workspace.say(f"follow {CASE}")  # a second thread follows the case
    assert "Following" in workspace.answer_to(other)["text"]
    fake.rate_limit("chat.postMessage", retry_after=0, when=lambda p: "metadata" in p)
    down = ingest(workspace.ingestor, HOMICIDE)
    assert (down.alerts["sent"], down.alerts["failed"], down.alerts["pending"]) == (0, 2, 2)
    # Retry-After honoured, then given up; the other alert is not tried while Slack fails.
    assert len(alert_posts(fake)) == 1 + RATE_LIMIT_RETRIES
    errors = sorted(p["error"] for p in down.alerts["undelivered"])
    assert errors[0] == "not tried, Slack is failing: ratelimited (HTTP 429)"
    assert errors[1] == "ratelimited (HTTP 429)"
    assert {p["where"] for p in down.alerts["undelivered"]} == {f"{CASE} in {CHANNEL}"}
    assert "alerts: 0 sent, 2 failed, 2 pending" in down.summary()

    still_down = ingest(workspace.ingestor)  # reported until delivered
    assert (still_down.alerts["failed"], still_down.alerts["pending"]) == (2, 2)
    assert alerts(fake, question["ts"]) == []

    fake.limits.clear()
    up = ingest(workspace.ingestor)
    assert (up.alerts["sent"], up.alerts["failed"], up.alerts["pending"]) == (2, 0, 0)
    looked = fake.called("conversations.replies")[-2:]
    assert question["ts"] in {c["ts"] for c in looked}
    assert all(c["include_all_metadata"] in ("1", "true") for c in looked)
    (alert,) = alerts(fake, question["ts"])
    assert HOMICIDE_NEWS in text_of(alert)
    assert ingest(workspace.ingestor, HOMICIDE).alerts["sent"] == 0
    assert len(alerts(fake, question["ts"])) == 1
    assert len(alert_posts(fake)) == 2 * (1 + RATE_LIMIT_RETRIES) + 2  # two runs down, one up


def test_a_crash_between_posting_and_marking_does_not_post_twice(workspace, fake, embedder):
    question, _ = follow_by_mention(workspace)
    crashing = MarkFails(open_client(workspace.store_dir))
    first = ingest(Ingestor(crashing, embedder), HOMICIDE)
    assert (first.alerts["sent"], first.alerts["failed"], first.alerts["pending"]) == (0, 1, 1)
    assert len(alerts(fake, question["ts"])) == 1  # posted, though not recorded

    second = ingest(workspace.ingestor, HOMICIDE)
    assert (second.alerts["sent"], second.alerts["pending"]) == (1, 0)  # found in the thread
    assert len(alert_posts(fake)) == 1 and len(alerts(fake, question["ts"])) == 1
    assert ingest(workspace.ingestor).alerts == {
        "sent": 0,
        "failed": 0,
        "pending": 0,
        "undelivered": [],
    }


def test_a_run_that_dies_before_its_alerts_leaves_them_to_the_next_run(workspace, fake):
    question, _ = follow_by_mention(workspace)
    assert ingest(workspace.ingestor).alerts["sent"] == 0  # a pass: what is stored next is new

    class Killed(Exception):
        pass

    def killed(store, report, started):
        raise Killed  # the update is committed; the run dies before alerting

    with pytest.raises(Killed), Fetcher(FetchOptions()) as fetcher:
        run_once(workspace.ingestor, fetcher, [], args=_pages(HOMICIDE), alert=killed)
    assert alerts(fake, question["ts"]) == []
    report = ingest(workspace.ingestor)  # stores nothing, but looks back to the last pass
    assert report.changed == [] and report.alerts["sent"] == 1
    (alert,) = alerts(fake, question["ts"])
    assert HOMICIDE_NEWS in text_of(alert)


def test_a_story_without_case_numbers_is_followed_by_its_button(tmp_path, fake, embedder):
    slack = _workspace(tmp_path, fake, embedder, REGINA_FIRST)
    question = slack.say("What happened in the death investigation deemed a homicide?")
    answer = slack.answer_to(question)
    target = buttons(answer)[FOLLOW]
    assert target.startswith("story:") and "Follow this story" in json.dumps(answer["blocks"])
    click(slack, FOLLOW, target, {"message_ts": answer["ts"], "thread_ts": question["ts"]})
    fake.wait_for("chat.postMessage", 2)
    (follow,) = Follows(slack.store).all()
    assert follow.label == "Death Investigation Underway" and len(follow.known) == 2

    report = ingest(slack.ingestor, REGINA_CHARGES, "2019_10oct_2019_10_30")
    assert report.added >= 2 and report.alerts["sent"] == 1  # the Winnipeg page is no part of it
    (alert,) = alerts(fake, question["ts"])
    assert "Charges Laid in Jason Bird Homicide Case" in alert["text"]
    assert "the story “Death Investigation Underway”" in alert["text"]
    assert (
        "> The Regina Police Service has arrested and charged a 27 year-old male"
        in (alert["blocks"][1]["text"]["text"])
    )


def test_following_unfollow_and_a_case_no_release_carries(workspace, fake):
    def ask(text: str) -> str:
        before = len(fake.called("response_url"))
        assert workspace.command(text).status_code == 200
        return fake.wait_for("response_url", before + 1)[-1]["text"]

    assert ask("follow C99-000000").startswith(
        "No release mentions C99-000000 yet; I will post when one does"
    )
    ask(f"follow {CASE}")
    assert "already follow" in ask(f"follow {CASE}").lower()
    listed = ask("following")
    assert "C99-000000" in listed and CASE in listed
    assert ask("unfollow C99-000000").startswith("Unfollowed C99-000000")
    assert ask("unfollow C99-000000") == "You are not following C99-000000 in this channel."
    listed = ask("following")
    assert "C99-000000" not in listed and CASE in listed
    assert [f.target for f in Follows(workspace.store).all()] == [CASE]
    # The follow of a case no release carries yet was kept until it was unfollowed: its
    # first release would have been posted.


def test_case_replies_with_the_timeline_as_blocks(workspace, fake):
    assert workspace.command(f"case {CASE}").status_code == 200
    (reply,) = fake.wait_for("response_url")
    header, summary, *entries, follow = reply["blocks"]
    assert header["type"] == "header" and header["text"]["text"].startswith(f"{CASE}: Assault")
    assert "2 releases, 2019-10-30 to 2019-10-31" in summary["elements"][0]["text"]
    first, second = (e["text"]["text"] for e in entries)
    assert first.startswith("*2019-10-30* · <https://winnipeg.ca/police/press/2019/10oct/")
    assert "> Upon arrival, a 3-year-old male child was located" in first
    assert "> Daniel Jensen, a 33-year-old male of Winnipeg, has been charged with:" in second
    assert buttons({"blocks": [follow]}) == {FOLLOW: CASE}
    assert workspace.command("case C99-000000").status_code == 200
    assert fake.wait_for("response_url", 2)[-1]["text"] == "No release mentions C99-000000 yet."


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("folow C19-255700", "`folow` is not something I do."),
        ("timeline C19-255700", "`timeline` is not something I do."),
        ("folowing", "`folowing` is not something I do."),
        ("follow banana", "`follow` needs a case number, like `/ask follow C18-209330`"),
        ("unfollow", "`unfollow` needs a case number"),
        ("case C19", "`case` needs a case number"),
        ("help", HELP),
    ],
)
def test_bad_subcommands_get_a_clear_reply(tmp_path, fake, text, says):
    slack = build_workspace(fake, tmp_path, FailingAnswerer())
    response = slack.command(text)
    assert response.status_code == 200 and says in response.text
    if "not something I do" in says:  # the subcommands are listed
        assert all(f"/ask {name}" in response.text for name in ("follow", "unfollow", "case"))


def test_an_update_that_adds_nothing_says_so_in_one_line():
    follow = Follow(TEAM_ID, CHANNEL, "1.0", CASE, CASE, ALICE, "2019-11-03T00:00:00+00:00")
    pub = StoredPublication(
        "p1", "h", ["c1"], "page.html", "Homicide – Update: C19-255700", None,
        "https://winnipeg.ca/police/press/x", "Winnipeg Police Service", [CASE], "now",
    )  # fmt: skip
    message = render_alert(follow, pub, [])
    assert message["blocks"][1]["text"]["text"] == f"{NOTHING_NEW} [1]."
    assert message["blocks"][2]["elements"][0]["text"].startswith("[1] <https://winnipeg.ca/")


def test_without_slack_an_ingest_run_posts_nothing(tmp_path, embedder, monkeypatch):
    monkeypatch.delenv("POLICING_QA_SLACK_BOT_TOKEN", raising=False)
    get_settings.cache_clear()
    report = ingest(Ingestor(open_store(Settings(store=tmp_path / "s")), embedder), FIRST[1])
    assert report.alerts is None and report.as_json()["alerts"] is None
    assert "alerts" not in report.summary()
