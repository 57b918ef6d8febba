"""Reading and writing Slack threads: plain questions, history turns, posted replies.

The client retries Slack's rate limits and transient failures (`bot.slack.web`); what
still fails here has failed for good, and is said in the thread rather than lost.
"""

from __future__ import annotations

import html
import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.blocks import APOLOGY, NOT_POSTED, USAGE
from index.models import Turn

log = logging.getLogger(__name__)

# Slack encodes mentions, channels and links as <target|label> or <target>.
_REF = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_HISTORY_TURNS = 12
_NOT_TURNS = {APOLOGY, USAGE, NOT_POSTED}
# Slack refused our blocks themselves: posting them again cannot help, their text can.
_BAD_BLOCKS = {"invalid_blocks", "invalid_blocks_format"}


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
) -> list[Turn] | None:
    """Earlier turns of a thread (the bot's as assistant, people's as user); None when
    the thread could not be read."""
    try:
        reply = client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
    except (SlackApiError, OSError) as exc:
        # A missing history scope or a busy Slack should cost the context, not the answer.
        log.warning("could not read thread %s in %s: %s", thread_ts, channel, reason(exc))
        return None
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


def reason(exc: Exception) -> str:
    """Slack's error code and HTTP status, or the connection error; never message text."""
    if isinstance(exc, SlackApiError):
        return f"{exc.response.get('error')} (HTTP {exc.response.status_code})"
    return f"{type(exc).__name__}: {exc}"


def post_in_thread(client: WebClient, channel: str, thread_ts: str, message: dict) -> bool:
    """Post `message` as it is (the client waits out rate limits); False if it never went."""
    try:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False, **message)
        return True
    except SlackApiError as exc:
        if "blocks" in message and exc.response.get("error") in _BAD_BLOCKS:
            log.error("Slack rejected the answer blocks (%s); posting text", reason(exc))
            return post_in_thread(client, channel, thread_ts, {"text": message["text"]})
        log.error("could not post in thread %s in %s: %s", thread_ts, channel, reason(exc))
    except OSError as exc:
        log.error("could not post in thread %s in %s: %s", thread_ts, channel, reason(exc))
    return False


def reply_in_thread(client: WebClient, channel: str, thread_ts: str, message: dict) -> bool:
    """Post `message`; when it cannot be posted, say so in the thread once, plainly."""
    if post_in_thread(client, channel, thread_ts, message):
        return True
    if not post_in_thread(client, channel, thread_ts, {"text": NOT_POSTED}):
        log.error("could not tell thread %s in %s that its answer was lost", thread_ts, channel)
    return False
