"""Read plain-text and Markdown releases, including text saved from a web page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .textutil import clean_line, clean_text, parse_date

# Site chrome a browser's "save as text" keeps above the headline.
_HEAD_CHROME = re.compile(
    r"^(skip to (main )?content|home|menu|search|close|toggle navigation|main navigation"
    r"|breadcrumbs?|you are here:?|.{0,60}\blogo\b.{0,60})$",
    re.I,
)
# Everything from one of these lines on is site footer, not release.
_TAIL_CHROME = re.compile(
    r"^(need a document on this page in an accessible format\??|share this page|back to top"
    r"|was this (page|information) (helpful|useful)\??|cookies? (settings|policy))$",
    re.I,
)
_LOGO = re.compile(r"^(.+?)\s+logo\b", re.I)
_DATELINE = re.compile(
    r"^(created on|published( on)?|posted( on)?|date|issued|released)\s*:?\s*(.*)$", re.I
)
_NOTES_HEAD = re.compile(r"^#*\s*(notes? to editors?|notes|footnotes|references)\s*:?$", re.I)
_NOTE_ITEM = re.compile(r"^(?:\[\^(\d{1,2})\]:|(\d{1,2})[.)])\s+(.*)$")
_BULLET = re.compile(r"^\s*(?:[•●▪◦‣∙·*+-]|\u2013)\s+")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
_MD_LINK = re.compile(r"!?\[([^\]^][^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@dataclass
class TextRelease:
    """A release read from text, before it becomes a Publication."""

    title: str
    text: str
    published: dt.date | None = None
    issuer: str | None = None
    url: str | None = None
    notes: dict[str, str] = field(default_factory=dict)


def _markers(text: str, numbers: set[str]) -> str:
    """Rewrite footnote markers stuck to words (`pandemic.1`, `made. 3`) as `[^N]`."""

    def swap(m: re.Match) -> str:
        return f"{m.group(1)}[^{m.group(2)}]" if m.group(2) in numbers else m.group(0)

    # A marker follows a letter or closing punctuation, never a digit, comma or space inside
    # a number, so "34,542 officers", "2016" and "under-25s" stay as they are.
    text = re.sub(r"([A-Za-z.)\u2019\u201d;:!?])(\d{1,2})(?=[\s,;:]|$)", swap, text, flags=re.M)
    return re.sub(r"([.!?\u2019\u201d]) (\d{1,2})$", swap, text, flags=re.M)


def _strip_markdown(line: str) -> str:
    line = _MD_LINK.sub(r"\1", line)
    return _MD_EMPHASIS.sub(r"\2", line)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    if not (m := _FRONT_MATTER.match(text)):
        return {}, text
    fields = {}
    for line in m.group(1).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields, text[m.end() :]


def read_text(text: str, markdown: bool = False) -> TextRelease | None:
    """Split text into title, dateline, body and notes; None if nothing is left."""
    fields, text = _front_matter(text.replace("\r\n", "\n")) if markdown else ({}, text)
    lines = [line.rstrip() for line in clean_text(text.replace("\r", "\n")).split("\n")]
    issuer = fields.get("issuer") or fields.get("publisher")
    title = fields.get("title")
    published = parse_date(fields.get("date"))
    body: list[str] = []
    notes: dict[str, str] = {}
    in_notes = False
    pending_dateline = False
    for line in lines:
        plain = clean_line(line)
        if _TAIL_CHROME.match(plain):
            break
        if not body and not title and (_HEAD_CHROME.match(plain) or not plain):
            if (m := _LOGO.match(plain)) and not issuer:
                issuer = m.group(1)
            continue
        if pending_dateline and plain:
            published, pending_dateline = published or parse_date(plain), False
            continue
        if not body and published is None and (m := _DATELINE.match(plain)):
            if found := parse_date(m.group(4)):
                published = found
            else:
                pending_dateline = not m.group(4)
            if published or pending_dateline:
                continue
        if markdown and (h := _MD_HEADING.match(plain)):
            plain = line = h.group(1)
        if _NOTES_HEAD.match(plain):
            in_notes = True
            continue
        note = _NOTE_ITEM.match(plain) if in_notes or plain.startswith("[^") else None
        if note:
            number = note.group(1) or note.group(2)
            notes[number] = _strip_markdown(note.group(3)) if markdown else note.group(3)
            continue
        if in_notes and notes:
            if plain:
                last = list(notes)[-1]
                item = _BULLET.sub("- ", line.strip())
                notes[last] += "\n" + (_strip_markdown(item) if markdown else item)
            continue
        if title is None:
            if plain:
                title = _strip_markdown(plain) if markdown else plain
            continue
        if not body and clean_line(plain) == title:
            continue  # saved pages repeat the headline under the dateline
        if not plain and not body:
            continue
        item = _BULLET.sub("- ", line.strip()) if plain else ""
        body.append(_strip_markdown(item) if markdown else item)
    numbers = set(notes)
    text_out = clean_text(_markers("\n".join(body), numbers))
    notes = {n: clean_text(_markers(v, numbers - {n})) for n, v in notes.items()}
    if not title or not text_out:
        return None
    return TextRelease(title, text_out, published, issuer, fields.get("url"), notes)
