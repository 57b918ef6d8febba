"""Reading and writing Slack threads: plain questions, history turns, posted replies."""

from __future__ import annotations

import html
import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.blocks import APOLOGY, USAGE
from index.models import Turn

log = logging.getLogger(__name__)

# Slack encodes mentions, channels and links as <target|label> or <target>.
_REF = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_HISTORY_TURNS = 12
_NOT_TURNS = {APOLOGY, USAGE}


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """The words a person typed: no mention of the bot, refs as their labels, unescaped."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^<>]*)?>", " ", text)

    def label(match: re.Match) -> str:
        target, shown = match.group(1), match.group(2)
        return shown or target.lstrip("!")

    return " ".join(html.unescape(_REF.sub(label, text)).split())


def _is_ours(message: dict, bot_user_id: str | None, bot_id: str | None) -> bool:
    return bool(
        (bot_user_id and message.get("user") == bot_user_id)
        or (bot_id and message.get("bot_id") == bot_id)
    )


def thread_history(
    client: WebClient,
    channel: str,
    thread_ts: str,
    before_ts: str,
    *,
    bot_user_id: str | None,
    bot_id: str | None,
) -> list[Turn]:
    """Earlier turns of a thread: the bot's messages as assistant, people's as user."""
    try:
        reply = client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
    except SlackApiError as exc:
        # A missing history scope should cost the context, not the answer.
        log.warning(
            "could not read thread %s in %s: %s", thread_ts, channel, exc.response.get("error")
        )
        return []
    turns: list[Turn] = []
    for message in reply.get("messages", []):
        if float(message.get("ts", "0")) >= float(before_ts):
            continue
        if _is_ours(message, bot_user_id, bot_id):
            content = html.unescape(message.get("text") or "").strip()
            if content and content not in _NOT_TURNS:
                turns.append(Turn(role="assistant", content=content))
        elif not message.get("bot_id") and not message.get("subtype"):
            content = plain_text(message.get("text") or "", bot_user_id)
            if content:
                turns.append(Turn(role="user", content=content))
    return turns[-_HISTORY_TURNS:]


def post_in_thread(client: WebClient, channel: str, thread_ts: str, message: dict) -> None:
    """Post in a thread; if Slack rejects the blocks, post the plain text instead."""
    try:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False, **message)
    except SlackApiError as exc:
        if "blocks" not in message:
            raise
        log.error("Slack rejected the answer blocks (%s); posting text", exc.response.get("error"))
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=message["text"])
