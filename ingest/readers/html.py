"""Extract releases from HTML: a template-aware path for known layouts, trafilatura otherwise.

Extractor comparison (Nov 2025, this corpus, 120 random Winnipeg pages + all 140 Regina
pages, checked by eye against the pages):

- trafilatura 2.3 (`extract`, txt/markdown): 7 ms/Winnipeg page, 50 ms/Regina page (their
  180 KB of WordPress markup). Kept paragraphs and list items, dropped Regina's
  navigation, sharing and "Previous/Next post" links, kept headings in markdown mode.
  On Winnipeg pages it kept the PIO contact table and "Last update" and, having no idea
  of a bulletin, returned one blob for several releases.
- readability-lxml 0.9 (`Document.summary`): 8 ms/Winnipeg page. Same Winnipeg junk,
  plus it lost list structure and ran paragraphs together on Regina pages and kept the
  "Post navigation Previous post ... Next post" line.

Neither can split a daily bulletin into releases, which the citations need, so known
layouts get a template-aware walk over lxml (`winnipeg.py`; `.entry-content` for
WordPress posts, Regina's CMS), about 2-4 ms/page, and trafilatura, the better of the
two, is the generic fallback for every other page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import trafilatura

from index.errors import SourceError

from . import winnipeg
from .blocks import flatten, parse_html, render
from .htmlmeta import PageMeta, page_meta
from .textutil import clean_text, fix_text

_MIN_WORDS = 8
# IIS/ASP.NET error pages saved in place of a release.
_ERROR_TITLE = re.compile(r"resource cannot be found|parser error|server error|404|not found", re.I)
# Blog chrome that survives extraction on WordPress pages.
_CHROME = re.compile(
    r"^(you must be logged in to post a comment\.?|share this:?|like this:?|related|"
    r"post navigation|previous post.*|next post.*|leave a reply)$",
    re.I,
)
_WORDPRESS_BODY = (
    '//article//div[contains(concat(" ", normalize-space(@class), " "), " entry-content ")]'
)
_WORDPRESS_JUNK = (
    './/div[contains(@class, "sharedaddy") or contains(@class, "jp-relatedposts")'
    ' or contains(@class, "post-navigation")]'
)


@dataclass
class HtmlRelease:
    """One release found in a page, before it becomes a Publication."""

    title: str
    text: str
    anchor: str | None = None


def _wordpress(doc) -> str | None:
    found = doc.xpath(_WORDPRESS_BODY)
    if not found:
        return None
    body = found[0]
    for junk in body.xpath(_WORDPRESS_JUNK):
        junk.drop_tree()
    return render(flatten(body))


def _generic(doc) -> str | None:
    return trafilatura.extract(
        doc,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )


def _strip_chrome(text: str) -> str:
    kept = [p for p in text.split("\n") if not _CHROME.match(p.strip())]
    return clean_text("\n".join(kept))


def read_html(text: str, source: str) -> tuple[PageMeta, dt.date | None, list[HtmlRelease]]:
    """Return the page metadata, the date the body states, and its releases."""
    doc = parse_html(text)
    meta = page_meta(doc)
    if meta.page_title and _ERROR_TITLE.search(meta.page_title) and not meta.title:
        raise SourceError(source, f"server error page ({meta.page_title}), no release text")
    if winnipeg.is_winnipeg(doc) and winnipeg.content_root(doc) is not None:
        day, parts = winnipeg.split_page(doc)
        meta.issuer = meta.issuer or winnipeg.ISSUER
        releases = [HtmlRelease(fix_text(p.title), fix_text(p.text), p.anchor) for p in parts]
        return meta, day, [r for r in releases if r.text.strip()]
    body = _wordpress(doc)
    if not body:
        body = _generic(doc)
    body = _strip_chrome(fix_text(body or ""))
    if len(body.split()) < _MIN_WORDS:  # a lone "Home" link left of a navigation-only page
        body = ""
    if not body:
        if meta.redirect:
            raise SourceError(source, f"redirect to {meta.redirect}, no release text found")
        return meta, None, []
    title = meta.title or _h1(doc) or meta.page_title or ""
    return meta, None, [HtmlRelease(title, body)]


def _h1(doc) -> str | None:
    for h in doc.xpath("//h1"):
        if text := " ".join(h.text_content().split()):
            return fix_text(text)
    return None
