"""Block Kit rendering of answers: text with [n] markers, linked sources, feedback buttons."""

from __future__ import annotations

import re

from bot.cases.follows import STORY
from index.models import Answer, Citation

HELPFUL, UNHELPFUL = "feedback_helpful", "feedback_unhelpful"
FOLLOW, UNFOLLOW = "follow_case", "unfollow_case"
USAGE = (
    "Ask me about police and mayoral press releases, e.g. "
    "`/ask was anyone charged after the robbery on Main Street?`. "
    "Add `--public` to post the answer in the channel: `/ask --public ...`"
)
APOLOGY = "Sorry, I couldn't answer that just now. Please try again in a minute."
NOT_POSTED = "Sorry, I could not post the answer: Slack is busy; please ask again."
THREAD_UNREAD = (
    "I could not read the earlier messages of this thread, so this answers the question on its own."
)
THANKS = "Thanks, your feedback was recorded."
UNKNOWN_ANSWER = "Sorry, I no longer have that answer on record, so the feedback was not stored."

# Slack's limits: 3000 characters a section text, 50 blocks a message.
_SECTION_CHARS = 3000
_MAX_SOURCES = 20


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str | None, title: str) -> str:
    """`<url|title>` for an http(s) URL, else the escaped title alone."""
    label = escape(title).replace("|", "¦") or "untitled"
    if not url or not re.match(r"https?://", url):
        return label
    # Characters that would end the link early are percent-encoded, not dropped.
    safe = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    return f"<{safe}|{label}>"


def _source_line(citation: Citation) -> str:
    dated = f" ({citation.published})" if citation.published else ""
    issuer = f" · {escape(citation.issuer)}" if citation.issuer else ""
    return f"[{citation.n}] {link(citation.url, citation.title)}{dated}{issuer}"


def _sections(text: str) -> list[dict]:
    """Split long text on paragraph or line breaks so each piece fits a section."""
    pieces, rest = [], text
    while len(rest) > _SECTION_CHARS:
        cut = max(rest.rfind("\n", 0, _SECTION_CHARS), rest.rfind(" ", 0, _SECTION_CHARS))
        cut = cut if cut > 0 else _SECTION_CHARS
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in pieces if p]


def fallback_text(answer: Answer) -> str:
    """The plain text Slack shows in notifications, and what history reads back."""
    return escape(answer.answer.strip() or "The publications don't say.")


def render_answer(
    answer: Answer,
    answer_id: str | None = None,
    *,
    show_question: bool = False,
    follow: str | None = None,
) -> dict:
    """`{"text", "blocks"}` for chat.postMessage or a response_url reply; `follow` (a case
    number or `story:` id) adds a Follow button."""
    blocks: list[dict] = []
    if show_question:
        question = escape(answer.question)[: _SECTION_CHARS - 10]
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"*Q:* {question}"}]}
        )
    if answer.refused:
        note = ":grey_question: *Not in the publications.*"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    blocks.extend(_sections(fallback_text(answer)))
    citations = answer.citations[:_MAX_SOURCES]
    if citations:
        lines = "\n".join(_source_line(c) for c in citations)
        as_of = f"\n_As of {answer.as_of}._" if answer.as_of else ""
        blocks.extend(_sections(f"*Sources*\n{lines}{as_of}"))
    if answer_id:
        blocks.append(_feedback_buttons(answer_id))
    if follow:
        blocks.append(follow_button(follow))
    return {"text": fallback_text(answer), "blocks": blocks}


def button(action_id: str, label: str, value: str) -> dict:
    text = {"type": "plain_text", "text": label, "emoji": True}
    return {"type": "button", "action_id": action_id, "text": text, "value": value}


def follow_button(target: str) -> dict:
    """A "Follow this case" (or story) button: its new releases will come in the thread."""
    label = "Follow this story" if target.startswith(STORY) else "Follow this case"
    return {"type": "actions", "block_id": "follow", "elements": [button(FOLLOW, label, target)]}


def unfollow_button(follow_key: str) -> dict:
    return {
        "type": "actions",
        "block_id": "unfollow",
        "elements": [button(UNFOLLOW, "Unfollow", follow_key)],
    }


def with_note(message: dict, note: str) -> dict:
    """`message` with `note` shown above its blocks (a plain message is left as it is)."""
    if not message.get("blocks"):
        return message
    context = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"_{escape(note)}_"}]}
    return {**message, "blocks": [context, *message["blocks"]]}


def _feedback_buttons(answer_id: str) -> dict:
    return {
        "type": "actions",
        "block_id": "feedback",
        "elements": [
            button(HELPFUL, ":+1: Helpful", answer_id),
            button(UNHELPFUL, ":-1: Not helpful", answer_id),
        ],
    }
