"""A digest as Slack Block Kit (with its text fallback) and as plain text for a terminal."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.slack.blocks import escape, link

if TYPE_CHECKING:
    from bot.cases.digest import Digest, DigestItem

# Slack's limits: 3000 characters a section, 150 a header; the notification text is shown
# in full up to about 4000.
_SECTION_CHARS = 3000
_HEADER_CHARS = 150
_TEXT_CHARS = 3900
NOTHING_ADDED = "nothing new beyond its earlier releases"


def when(moment: dt.datetime) -> str:
    """'2019-11-07 13:30 UTC'."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def releases(count: int) -> str:
    """'1 new release', '11 new releases'."""
    return f"{count} new release{'' if count == 1 else 's'}"


def headline(digest: Digest) -> str:
    return f"{releases(digest.count)} since {when(digest.since)}"


def _news(item: DigestItem) -> str | None:
    if item.news:
        return item.news
    return NOTHING_ADDED if item.update_of else None


def _line(item: DigestItem) -> str:
    """One release in mrkdwn: linked title, date, the cases it updates; its news below."""
    dated = f" ({item.published.isoformat()})" if item.published else ""
    update = f" · update of {', '.join(item.update_of)}" if item.update_of else ""
    news = _news(item)
    below = f"\n{escape(news)}" if news else ""
    return f"• *{link(item.url, item.title)}*{dated}{update}{below}"


def _packed(lines: list[str]) -> list[str]:
    """Lines joined into texts that each fit a section."""
    texts: list[str] = []
    for line in lines:
        line = line[:_SECTION_CHARS]
        if texts and len(texts[-1]) + 1 + len(line) <= _SECTION_CHARS:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _unlisted(digest: Digest) -> str:
    return f"…and {digest.unlisted} more, not listed here (the newest are above)."


def render(digest: Digest) -> dict:
    """`{"text", "blocks"}` for chat.postMessage."""
    title = f"Policing releases: {headline(digest)}"[:_HEADER_CHARS]
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    texts = [title]
    for issuer, items in digest.groups():
        group = _packed([f"*{escape(issuer)}*", *(_line(item) for item in items)])
        blocks.extend(_section(text) for text in group)
        texts.extend(group)
    if digest.unlisted:
        note = _unlisted(digest)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
        texts.append(note)
    text = "\n".join(texts)
    if len(text) > _TEXT_CHARS:
        text = text[: _TEXT_CHARS - 1].rsplit("\n", 1)[0] + "\n…"
    return {"text": text, "blocks": blocks}


def plain(digest: Digest) -> str:
    """The digest for a terminal: issuers, then each release, its date, link and news."""
    lines = [f"{digest.channel}: {headline(digest)}"]
    for issuer, items in digest.groups():
        lines.append(issuer)
        for item in items:
            dated = f" ({item.published.isoformat()})" if item.published else ""
            update = f" [update of {', '.join(item.update_of)}]" if item.update_of else ""
            lines.append(f"  - {item.title}{dated}{update} {item.url or ''}".rstrip())
            news = _news(item)
            if news:
                lines.append(f"    {news}")
    if digest.unlisted:
        lines.append(_unlisted(digest))
    return "\n".join(lines)
