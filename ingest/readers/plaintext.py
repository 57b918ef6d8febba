"""Read plain-text and Markdown releases, including text saved from a web page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .markdown import heading, strip_emphasis, strip_links
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
    return strip_emphasis(strip_links(line))


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
    reader = _LineReader(
        markdown,
        title=fields.get("title"),
        published=parse_date(fields.get("date")),
        issuer=fields.get("issuer") or fields.get("publisher"),
    )
    for line in clean_text(text.replace("\r", "\n")).split("\n"):
        if not reader.take(line.rstrip()):
            break
    return reader.release(fields.get("url"))


@dataclass
class _LineReader:
    """Read a release line by line; each line settles one part of it."""

    markdown: bool
    title: str | None = None
    published: dt.date | None = None
    issuer: str | None = None
    body: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    in_notes: bool = False
    pending_dateline: bool = False

    def take(self, line: str) -> bool:
        """Take one line; return False once the site footer starts."""
        plain = clean_line(line)
        if _TAIL_CHROME.match(plain):
            return False
        if self._head_chrome(plain) or self._dateline(plain):
            return True
        if self.markdown and (h := heading(plain)) is not None:
            plain = line = h
        if not (self._note(line, plain) or self._title(plain)):
            self._body_line(line, plain)
        return True

    def release(self, url: str | None) -> TextRelease | None:
        """Return the release read so far, with footnote markers rewritten; None if empty."""
        numbers = set(self.notes)
        text = clean_text(_markers("\n".join(self.body), numbers))
        notes = {n: clean_text(_markers(v, numbers - {n})) for n, v in self.notes.items()}
        if not self.title or not text:
            return None
        return TextRelease(self.title, text, self.published, self.issuer, url, notes)

    def _head_chrome(self, plain: str) -> bool:
        """Skip site chrome above the headline, keeping the issuer a logo names."""
        if self.body or self.title or not (_HEAD_CHROME.match(plain) or not plain):
            return False
        if (m := _LOGO.match(plain)) and not self.issuer:
            self.issuer = m.group(1)
        return True

    def _dateline(self, plain: str) -> bool:
        """Take the publication date from a dateline, or from the line after a bare one."""
        if self.pending_dateline and plain:
            self.published, self.pending_dateline = self.published or parse_date(plain), False
            return True
        if self.body or self.published is not None or not (m := _DATELINE.match(plain)):
            return False
        if found := parse_date(m.group(4)):
            self.published = found
        else:
            self.pending_dateline = not m.group(4)
        # A "Date:" line that states no date is text like any other.
        return bool(self.published or self.pending_dateline)

    def _note(self, line: str, plain: str) -> bool:
        """Take a notes heading, a numbered note, or a further line of the last note."""
        if _NOTES_HEAD.match(plain):
            self.in_notes = True
            return True
        note = _NOTE_ITEM.match(plain) if self.in_notes or plain.startswith("[^") else None
        if note:
            self.notes[note.group(1) or note.group(2)] = self._unmark(note.group(3))
            return True
        if not (self.in_notes and self.notes):
            return False
        if plain:
            last = list(self.notes)[-1]
            self.notes[last] += "\n" + self._unmark(_BULLET.sub("- ", line.strip()))
        return True

    def _title(self, plain: str) -> bool:
        """Take the first line of text as the title, unless one is already known."""
        if self.title is not None:
            return False
        if plain:
            self.title = self._unmark(plain)
        return True

    def _body_line(self, line: str, plain: str) -> None:
        """Add a line to the body, with bullets as `- ` and no leading blank lines."""
        if not self.body and (clean_line(plain) == self.title or not plain):
            return  # saved pages repeat the headline under the dateline
        item = _BULLET.sub("- ", line.strip()) if plain else ""
        self.body.append(self._unmark(item))

    def _unmark(self, text: str) -> str:
        return _strip_markdown(text) if self.markdown else text
