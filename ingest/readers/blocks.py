"""Flatten an HTML subtree into headings, paragraphs and list items, in reading order."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html as lxml_html

from .textutil import clean_line

_SKIP = {"script", "style", "noscript", "form", "select", "button", "iframe", "svg", "nav", "img"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote",
    "table", "tbody", "thead", "tr", "ul", "ol", "dl", "dt", "dd", "pre", "hr", "center",
    "figure", "figcaption", "address", "td", "th",
}  # fmt: skip
# Source newlines are just spaces; only <br> breaks a line, so it gets its own mark.
_BR = "\u2028"
# Cells hold fragments of one row; a row is one line of text.
_INLINE_CELLS = {"td", "th"}


@dataclass
class Block:
    """One unit of text: `kind` is "h1".."h6", "p" (paragraph) or "li" (list item)."""

    kind: str
    text: str
    anchor: str | None = None

    @property
    def level(self) -> int:
        return _HEADINGS.get(self.kind, 0)


class _Flattener:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.anchor: str | None = None

    def flush(self, kind: str = "p") -> None:
        # A run of <br> marks a paragraph break; a single <br> is a line break.
        raw = "".join(self.buf)
        self.buf = []
        for para in re.split(f"{_BR}\\s*{_BR}", raw):
            lines = [clean_line(line) for line in para.split(_BR)]
            text = "\n".join(line for line in lines if line)
            if text:
                self.blocks.append(Block(kind, text, self.anchor))
                self.anchor = None

    def walk(self, el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP or not tag:  # also comments: keep only the text after them
            self.buf.append(el.tail or "")
            return
        if tag == "a" and (name := el.get("name") or el.get("id")) and not self.buf_has_text():
            self.anchor = self.anchor or name
        if tag == "tr" and not el.xpath(".//table"):
            # A data row reads best as one line: "Name | 32 | WPG".
            self.flush()
            cells = [clean_line(c.text_content()) for c in el if c.tag in _INLINE_CELLS]
            self.buf.append(" | ".join(c for c in cells if c))
            self.flush()
            self.buf.append(el.tail or "")
            return
        if tag == "br":
            self.buf.append(_BR)
            self.buf.append(el.tail or "")
            return
        heading = tag in _HEADINGS
        block = heading or tag == "li" or (tag in _BLOCK and tag not in _INLINE_CELLS)
        if block:
            self.flush()
        elif tag in _INLINE_CELLS:
            self.buf.append(" ")
        self.buf.append(el.text or "")
        for child in el:
            self.walk(child)
        if heading or tag == "li":
            self.flush(tag)
        elif block:
            self.flush()
        self.buf.append(el.tail or "")

    def buf_has_text(self) -> bool:
        return any(s.strip() for s in self.buf)


def flatten(root) -> list[Block]:
    """Return the text blocks under `root` (an lxml element)."""
    f = _Flattener()
    f.walk(root)
    f.flush()
    return f.blocks


def render(blocks: list[Block]) -> str:
    """Join blocks as paragraphs, keeping consecutive list items on their own lines."""
    parts: list[str] = []
    for b in blocks:
        if b.kind == "li":
            item = "- " + b.text.replace("\n", " ")
            if parts and parts[-1].startswith("- "):
                parts[-1] += "\n" + item
                continue
            parts.append(item)
        else:
            parts.append(b.text)
    return "\n\n".join(parts)


def parse_html(text: str):
    """Parse HTML text into an lxml document, tolerating an XML encoding declaration."""
    return lxml_html.document_fromstring(text.encode("utf-8"), parser=_PARSER)


_PARSER = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
