"""Split a Winnipeg Police daily media-release page into one release per headline.

Three layouts share one walk: the 2016-2019 page (date heading, "For Immediate
Release", an `<h3>` per release, "For Further Information Contact" / "Last update"),
the 2020 transition (`<h1>March 8, 2020 Media Releases</h1>`, `<h3>` per release) and
the 2020-2021 city template (`<h1>May 12, 2021 Media Release</h1>`, `<h2>` per release,
a PIO contact block, the "City of Winnipeg 510 Main St" footer outside the content).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from index.text import CASE_NUMBER

from .blocks import Block, flatten, render
from .textutil import clean_line, parse_date

ISSUER = "Winnipeg Police Service"

_START = re.compile(r"for immediate release", re.I)
# `\s*(?:-\s*)?`, not `\s*-?\s*`: two runs of spaces side by side split a long run in
# quadratically many ways before the match fails.
_DATE_HEADING = re.compile(r"^\w+ \d{1,2}, \d{4}\b(?:\s*(?:-\s*)?(?:media|news) releases?)?$", re.I)
# Where the page's release text ends: footers and the feedback form.
_END = re.compile(
    r"^(last update|\*? ?top of page|was this information helpful|city of winnipeg\s+510 main"
    r"|\"?an internationally accredited)",
    re.I,
)
# A contact block ends one release; another headline may follow it.
_CONTACT = re.compile(
    r"^(for further information|(office|fax|e-mail|phone):"
    r"|(constable|cst\.|sgt\.|sergeant|inspector|kelly dehn)\b[^\n]{0,40}\n?,?"
    r" (public information\s+officer|manager of public affairs))",
    re.I,
)


@dataclass
class Release:
    """One release cut out of a bulletin page."""

    title: str
    text: str
    anchor: str | None


def content_root(doc):
    """Return the element holding the release text, or None if this is no Winnipeg page."""
    for xpath in ('//main//div[@class="cw-content"]', '//div[@id="content"]', "//main"):
        if found := doc.xpath(xpath):
            return found[0]
    return None


def is_winnipeg(doc) -> bool:
    """Tell a Winnipeg Police release page by its title and department banner."""
    title = " ".join(doc.xpath("//title//text()"))
    return "Winnipeg Police" in title or bool(
        doc.xpath('//span[@class="deptTitle"]/a[contains(., "Winnipeg Police")]')
    )


def _is_headline(b: Block, level: int, anchored: bool, first: bool) -> bool:
    # Releases carry a menu anchor or a case number; sub-headings ("Tips to remember:")
    # carry neither, and most end with a colon. Some 2016-2018 pages set headlines as
    # anchored bold paragraphs instead of headings.
    text = b.text.rstrip()
    if len(text) > 200:
        return False
    if b.kind == "p":
        return bool(b.anchor) and len(text) <= 150 and "\n" not in text and text[-1] != "."
    if not 2 <= b.level <= 4:
        return False
    if first or b.anchor or CASE_NUMBER.search(text):
        return True
    return not anchored and b.level == level and not text.endswith(":")


def _real_anchor(name: str | None) -> str | None:
    # Word bookmarks (_Hlk…, _GoBack, OLE_LINK1) and skip links are no release anchors.
    if not name or name.startswith(("_", "OLE_LINK")) or name in ("skipToContent", "top"):
        return None
    return name


def _continues_title(title: str, heading: str) -> bool:
    # A second heading right under a headline finishes it ("COUNTER EXPLOITATION UNIT:"
    # + the operation's name); one ending in a colon opens a section instead.
    return len(heading) <= 150 and (title.endswith(":") or not heading.rstrip().endswith(":"))


def split_page(doc) -> tuple[dt.date | None, list[Release]]:
    """Return the date the page states and its releases, in page order."""
    root = content_root(doc)
    blocks = flatten(root) if root is not None else []
    day, start = _page_date(blocks)
    body = _release_blocks(blocks[start:])
    heads = _headlines(body)
    if not heads:
        return day, [Release("", render(body), None)] if body else []
    releases = _cut_at_headlines(body, heads)
    return day, [r for r in releases if r.text or r.title]


def _page_date(blocks: list[Block]) -> tuple[dt.date | None, int]:
    """Return the date the page heading states and the index of the first release block."""
    day = None
    start = 0
    # The date heading and "For Immediate Release" come first; later dates are in the text.
    for i, b in enumerate(blocks[:8]):
        if day is None and _DATE_HEADING.match(b.text.replace("\n", " ")):
            day = parse_date(b.text)
            start = i + 1
        if _START.search(b.text):
            start = i + 1
    return day, start


def _release_blocks(blocks: list[Block]) -> list[Block]:
    """Keep the blocks before the page footer that are release text."""
    body: list[Block] = []
    skipping = False
    for b in blocks:
        b.anchor = _real_anchor(b.anchor)
        if _END.match(b.text):
            break
        if _CONTACT.match(b.text):
            skipping = True
        elif b.level:
            skipping = False
        # A bare date line before a contact block repeats the page date.
        if not skipping and not _DATE_HEADING.match(b.text):
            body.append(b)
    return body


def _headlines(body: list[Block]) -> set[int]:
    """Return the ids of the blocks that open a release."""
    # The page's first heading level is its headline level, and a page that anchors its
    # headlines leaves its sub-headings unanchored.
    levels = [b.level for b in body if 2 <= b.level <= 4] or [0]
    anchored = any(b.anchor for b in body if b.level or len(b.text) < 200)
    first = next((b for b in body if b.level or b.anchor), None)
    return {id(b) for b in body if _is_headline(b, levels[0], anchored, b is first)}


def _cut_at_headlines(body: list[Block], heads: set[int]) -> list[Release]:
    """Cut the body into one release per headline, in page order."""
    parts: list[tuple[Release, list[Block]]] = []
    intro: list[Block] = []
    for b in body:
        if parts and _finishes_title(parts[-1], b, id(b) in heads):
            parts[-1][0].title = f"{parts[-1][0].title} {clean_line(b.text)}"
        elif id(b) in heads:
            parts.append(_open_release(b))
        elif parts:
            parts[-1][1].append(b)
        else:
            intro.append(b)
    for release, lines in parts:
        release.text = render(lines)
    if intro and parts:
        # An opening paragraph before the first headline belongs to the first release.
        first = parts[0][0]
        first.text = render(intro) + ("\n\n" + first.text if first.text else "")
    return [release for release, _ in parts]


def _finishes_title(part: tuple[Release, list[Block]], b: Block, headline: bool) -> bool:
    """Tell a heading that completes the title of the release just opened."""
    release, lines = part
    # Only a heading right under the headline, before any text, can finish its title.
    if lines or not (headline or 2 <= b.level <= 4):
        return False
    return _continues_title(release.title, b.text)


def _open_release(b: Block) -> tuple[Release, list[Block]]:
    """Start a release at headline block `b`, with the lines it already brings."""
    # A long two-line headline keeps its first line as title, the rest as a lede.
    title, _, subtitle = b.text.partition("\n")
    if len(b.text) <= 120:
        title, subtitle = clean_line(b.text), ""
    return Release(title, "", b.anchor), [Block("p", subtitle)] if subtitle else []
