"""Following cases in Slack: `follow`, `unfollow`, `following` and `case`, said to `/ask`
or in a mention, and the Follow and Unfollow buttons.

Alerts go in a thread. A mention ("@policing-qa follow C18-209330") follows in the
thread it was said in, a Follow button in the thread of the message it is on. `/ask`,
and a button on a message only the clicker sees, have no thread: the bot opens one with
a line in the channel saying who follows what, and the alerts go in its thread.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.cases.follows import STORY, Follow, Follows, describe, now_iso
from bot.cases.timeline import CaseBook, case_key
from bot.slack.blocks import escape
from bot.slack.case_blocks import (
    followed_thing,
    render_following,
    render_timeline,
    what_is_followed,
)
from bot.slack.threads import post_in_thread, reason

log = logging.getLogger(__name__)

SUBCOMMANDS = {
    "follow": "`/ask follow C18-209330`: post each new release of the case in a thread",
    "unfollow": "`/ask unfollow C18-209330`: stop that",
    "following": "`/ask following`: the cases you follow in this channel",
    "case": "`/ask case C18-209330`: the case's releases so far, with what each added",
    "help": "`/ask help`: this list",
}
HELP = (
    "Ask a question (`/ask was anyone charged after the robbery on Main Street?`), or:\n"
    + "\n".join(f"• {line}" for line in SUBCOMMANDS.values())
    + "\nIn a thread, mention me with the same words: `@policing-qa follow C18-209330`."
)
NO_STORE = "Sorry, following cases is not available: I have no publications store."
_TARGETED = ("follow", "unfollow", "case")
_STORY_ID = re.compile(r"story:[0-9a-f]{24}")


@dataclass(frozen=True)
class Command:
    """A subcommand with its case number (or story id), or the error to reply with."""

    name: str
    target: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Where:
    """Who asked where; `thread_ts` is the follow's thread, or None to open one."""

    team: str
    channel: str
    user: str
    thread_ts: str | None = None


def parse_target(text: str) -> str | None:
    """A case number ("c18-209330" -> "C18-209330") or a story id, else None."""
    text = text.strip()
    return text if _STORY_ID.fullmatch(text) else case_key(text)


def parse_command(text: str) -> Command | None:
    """The subcommand `text` says, or None when it is a question to answer."""
    words = text.split()
    if not words:
        return None
    head, rest = words[0].lower(), words[1:]
    if head in ("following", "help"):
        return None if rest else Command(head)
    if head in _TARGETED:
        target = parse_target(" ".join(rest))
        if target and (head != "case" or not target.startswith(STORY)):
            return Command(head, target)
        # "follow up on the robbery?" is a question; "follow banana" a bad case number.
        return Command(head, error=_needs_case(head)) if len(rest) <= 1 else None
    close = difflib.get_close_matches(head, SUBCOMMANDS, n=1, cutoff=0.8)
    looks_like_one = len(words) == 2 and head.isalpha() and parse_target(rest[0])
    if looks_like_one or (len(words) == 1 and close):
        return Command(head, error=f"`{head}` is not something I do. {HELP}")
    return None


def _needs_case(name: str) -> str:
    return (
        f"`{name}` needs a case number, like `/ask {name} C18-209330` "
        "(a letter, two digits, a dash, then digits)."
    )


def run(command: Command, where: Where, client: WebClient, store) -> dict:
    """The reply to a subcommand, as a message."""
    if command.error or command.name == "help":
        return {"text": command.error or HELP}
    if store is None:
        return {"text": NO_STORE}
    if command.name == "following":
        return {"text": render_following(_callers(Follows(store), where))}
    if command.name == "case":
        timeline = CaseBook(store).timeline(command.target)
        if timeline is None:
            return {"text": f"No release mentions {command.target} yet."}
        return render_timeline(timeline)
    if command.name == "unfollow":
        return {"text": unfollow(store, where, command.target)}
    return {"text": follow(store, where, command.target, client)}


def follow(store, where: Where, target: str, client: WebClient) -> str:
    """Follow `target` where asked (opening a thread if need be); the reply to say."""
    follows = Follows(store)
    here = follows.where(where.team, where.channel)
    if where.thread_ts:
        same = [f for f in here if f.thread_ts == where.thread_ts and f.target == target]
    else:
        same = [f for f in here if f.user == where.user and f.target == target]
    if same:
        return f"Already following {escape(what_is_followed(same[0]))} {_here(same[0], where)}."
    described = describe(store, target)
    if described is None:
        return "That release is no longer stored, so I cannot follow its story."
    label, known = described
    thread = where.thread_ts or open_thread(client, where, followed_thing(target, label))
    if thread is None:
        return (
            "I could not post in this channel to open a thread for the alerts. Invite me "
            "(`/invite @policing-qa`), or mention me in a thread: `follow C18-209330`."
        )
    new = Follow(
        where.team, where.channel, thread, target, label, where.user, now_iso(), tuple(known)
    )
    follows.add(new)
    return _followed(new, where)


def _followed(follow: Follow, where: Where) -> str:
    here = _here(follow, where)
    if not follow.known:
        return f"No release mentions {follow.target} yet; I will post when one does, {here}."
    n = len(follow.known)
    return (
        f"Following {escape(what_is_followed(follow))} ({n} release{'' if n == 1 else 's'} "
        f"so far). I will post each new release {here}."
    )


def _here(follow: Follow, where: Where) -> str:
    if follow.thread_ts == where.thread_ts:
        return "in this thread"
    return "in the thread of my message in this channel"


def open_thread(client: WebClient, where: Where, what: str) -> str | None:
    """Post who follows what in the channel; the message's ts, or None if Slack refused."""
    text = f"<@{where.user}> follows {escape(what)}: new releases will be posted in this thread."
    try:
        return client.chat_postMessage(channel=where.channel, text=text).get("ts")
    except (SlackApiError, OSError) as exc:
        log.warning("could not open a follow thread in %s: %s", where.channel, reason(exc))
        return None


def unfollow(store, where: Where, target: str) -> str:
    """Stop the caller's follows of `target` here (this thread's, in a thread)."""
    follows = Follows(store)
    doomed = [f for f in _callers(follows, where, thread_first=True) if f.target == target]
    if not doomed:
        return f"You are not following {target} in this channel."
    for stopped in doomed:
        follows.remove(stopped)
    return f"Unfollowed {escape(what_is_followed(doomed[0]))}: no more alerts about it."


def _callers(follows: Follows, where: Where, *, thread_first: bool = False) -> list[Follow]:
    """The follows of this thread (when asked in one and it has some), else the caller's
    in this channel."""
    here = follows.where(where.team, where.channel)
    in_thread = [f for f in here if thread_first and f.thread_ts == where.thread_ts]
    return in_thread or [f for f in here if f.user == where.user]


def clicked(body: dict, team: str) -> Where:
    """Who clicked a button where: the thread of its message (None if only they see it)."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    thread = container.get("thread_ts") or container.get("message_ts")
    thread = None if container.get("is_ephemeral") else thread
    return Where(team, channel, body["user"]["id"], thread)


def on_follow_button(where: Where, target: str, client: WebClient, respond, store) -> None:
    """A Follow button: follow in the message's thread and say so there (else privately)."""
    target = parse_target(target or "")
    if target is None:
        text = _needs_case("follow")
    else:
        text = follow(store, where, target, client) if store is not None else NO_STORE
    if where.thread_ts and post_in_thread(client, where.channel, where.thread_ts, {"text": text}):
        return
    respond(text=text, response_type="ephemeral", replace_original=False)


def on_unfollow_button(where: Where, key: str, client: WebClient, respond, store) -> None:
    """An alert's Unfollow button: stop that follow and say so in its thread."""
    follows = Follows(store) if store is not None else None
    stopped = follows.get(key) if follows else None
    if stopped is None:
        text = "That follow was already stopped." if follows else NO_STORE
    else:
        follows.remove(stopped)
        what = escape(what_is_followed(stopped))
        text = f"<@{where.user}> unfollowed {what}: no more alerts in this thread."
    if stopped and post_in_thread(client, stopped.channel, stopped.thread_ts, {"text": text}):
        return
    respond(text=text, response_type="ephemeral", replace_original=False)
