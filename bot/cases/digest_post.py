"""Posting a digest to Slack, and recording it in the store once Slack has taken it."""

from __future__ import annotations

import datetime as dt

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.cases.digest import KIND, Digest, iso, last_digest, utc_now
from bot.cases.digest_message import render
from index.errors import ConfigError, NotPosted

_AUTH_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "account_inactive"}


def slack_client(settings):
    """The bot's WebClient; a ConfigError when no bot token is set."""
    if settings.slack_bot_token is None:
        raise ConfigError(
            "Slack is not configured: set POLICING_QA_SLACK_BOT_TOKEN to the bot token "
            "(xoxb-..., see docs/slack.md)"
        )
    from bot.slack.web import web_client

    return web_client(settings)


def deliver(store, client, digest: Digest, *, now: dt.datetime | None = None) -> str:
    """Post `digest`, then record it (only then: a refused post goes again next time)."""
    ts = post(client, digest.channel, render(digest))
    record(store, digest, ts=ts, now=now)
    return ts


def post(client, channel: str, message: dict) -> str:
    """Post `message` to `channel` (the client waits out rate limits); its ts."""
    try:
        reply = client.chat_postMessage(
            channel=channel, unfurl_links=False, unfurl_media=False, **message
        )
    except SlackApiError as exc:
        raise NotPosted(refusal(channel, exc)) from None
    except (SlackClientError, OSError) as exc:
        raise NotPosted(f"could not reach Slack to post in {channel}: {exc}") from None
    return str(reply.get("ts") or "")


def refusal(channel: str, exc: SlackApiError) -> str:
    """What to tell the operator about Slack's answer, by Slack's error code."""
    error, status = exc.response.get("error"), exc.response.status_code
    if error == "not_in_channel":
        return f"the bot is not in channel {channel}: invite it with /invite @policing-qa"
    if error == "channel_not_found":
        return (
            f"channel_not_found: Slack knows no channel {channel} the bot can see; give the "
            "channel ID (C...), and invite the bot first if the channel is private"
        )
    if error in _AUTH_ERRORS:
        return f"Slack refused the bot token ({error}): check POLICING_QA_SLACK_BOT_TOKEN"
    if status != 200:
        return f"Slack did not take the post to {channel}: HTTP {status} ({error})"
    return f"Slack refused the post to {channel}: {error}"


def record(store, digest: Digest, *, ts: str | None, now: dt.datetime | None = None) -> None:
    """Remember where `digest` stopped: posted (`ts`), or checked with nothing new (None)."""
    now = now or utc_now()
    data = {**(last_digest(store, digest.channel) or {}), "channel": digest.channel}
    data.update(until=iso(digest.until), seen=digest.seen)
    if ts is None:
        data["checked_at"] = iso(now)
    else:
        data.update(posted_at=iso(now), ts=ts, since=iso(digest.since), releases=digest.count)
    store.put_run_record(digest.channel, KIND, data)
