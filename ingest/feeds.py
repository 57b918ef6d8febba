"""Tell feeds, sitemaps and pages apart, and list the items of RSS/Atom feeds and sitemaps."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import io
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from index.errors import SourceError

KINDS = ("auto", "page", "feed", "sitemap")
_FEED_ROOTS = {"rss", "rdf", "feed"}
_SITEMAP_ROOTS = {"urlset", "sitemapindex"}
_XML_TYPES = {
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
}
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_SKIP = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>)", re.S | re.I)
_NAMES = {"feed": "an RSS/Atom feed", "sitemap": "a sitemap", "page": "a page"}


@dataclass(frozen=True)
class Item:
    """One page a feed or sitemap lists, with the date the listing gives it."""

    url: str
    published: dt.date | None = None
    updated: dt.date | None = None


@dataclass(frozen=True)
class Listing:
    """What a feed or sitemap names: pages, and for a sitemap index, more sitemaps."""

    items: list[Item]
    sitemaps: list[str]


def gunzip(data: bytes, url: str, limit: int) -> bytes:
    """Inflate a gzipped sitemap (`sitemap.xml.gz`) without letting it grow past `limit`."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(limit + 1)
    except (OSError, EOFError) as exc:
        raise SourceError(url, f"corrupt gzip data: {exc}") from None
    if len(out) > limit:
        raise SourceError(url, f"inflates to over the limit of {limit:,} bytes")
    return out


def root_element(data: bytes) -> str | None:
    """Local name of the first element, lower-cased, skipping declarations and comments."""
    head = data[:8192].lstrip(b"\xef\xbb\xbf")
    pos = 0
    while (skip := _SKIP.match(head, pos)) and skip.end() > pos:
        pos = skip.end()
    found = _ROOT.match(head[pos:].lstrip())
    return found.group(2).decode("ascii").lower() if found else None


def kind_of(url: str, content_type: str, data: bytes, expected: str = "auto") -> str:
    """'feed', 'sitemap' or 'page', from the media type and root element; checks `expected`."""
    mime = content_type.split(";")[0].strip().lower()
    root = root_element(data) if not data.startswith(b"%PDF") else None
    if root in _FEED_ROOTS:
        kind = "feed"
    elif root in _SITEMAP_ROOTS:
        kind = "sitemap"
    elif mime in _XML_TYPES and root != "html":
        raise SourceError(
            url, f"XML with root element <{root or '?'}> is neither an RSS/Atom feed nor a sitemap"
        )
    else:
        kind = "page"
    if expected not in ("auto", kind):
        got = f"{_NAMES[kind]} ({mime or 'no content type'})"
        raise SourceError(url, f"expected {_NAMES[expected]} but got {got}")
    return kind


def _xml(data: bytes, url: str):
    """Parse untrusted XML: no entity expansion, no DTD or network access."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(url, f"malformed XML: {exc}") from None


def _date(raw: str | None, parsed) -> dt.date | None:
    """The date as the publisher wrote it (their local day), not shifted to UTC."""
    if raw:
        try:
            return email.utils.parsedate_to_datetime(raw).date()
        except (TypeError, ValueError):
            pass
        try:
            return dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00")).date()
        except ValueError:
            pass
    return dt.date(*parsed[:3]) if parsed else None


def parse_feed(data: bytes, url: str) -> Listing:
    """Items of an RSS 0.9x/1.0/2.0 or Atom feed, links made absolute against `url`."""
    import feedparser

    _xml(data, url)  # feedparser would quietly read broken XML with its loose parser
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": url})
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (lk.get("href") for lk in entry.get("links", []) if lk.get("href")), None
        )
        if not link:
            continue
        published = _date(entry.get("published"), entry.get("published_parsed")) or _date(
            entry.get("updated"), entry.get("updated_parsed")
        )
        items.append(Item(urljoin(url, link.strip()), published))
    return Listing(_unique(items), [])


def parse_sitemap(data: bytes, url: str) -> Listing:
    """Pages of a `<urlset>` (with Google News dates), or the sitemaps of a `<sitemapindex>`."""
    root = _xml(data, url)
    local = root.tag.rsplit("}", 1)[-1] if isinstance(root.tag, str) else ""
    if local not in _SITEMAP_ROOTS:
        raise SourceError(url, f"expected a sitemap but the root element is <{local}>")
    locs = []
    for node in root:
        if not isinstance(node.tag, str):
            continue
        loc = next((c.text for c in node if _local(c) == "loc" and c.text), None)
        if not loc:
            continue
        news = next((c.text for c in node.iter() if _local(c) == "publication_date"), None)
        lastmod = next((c.text for c in node if _local(c) == "lastmod" and c.text), None)
        locs.append(Item(urljoin(url, loc.strip()), _date(news, None), _date(lastmod, None)))
    if local == "sitemapindex":
        return Listing([], [i.url for i in _unique(locs)])
    return Listing(_unique(locs), [])


def newest_first(items: list[Item]) -> list[Item]:
    """Sitemap pages by date, newest first (undated last), so a per-run cap keeps new ones."""
    return sorted(items, key=lambda i: i.updated or i.published or dt.date.min, reverse=True)


def _local(node) -> str:
    return node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""


def _unique(items: list[Item]) -> list[Item]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.url not in seen:
            seen.add(item.url)
            out.append(item)
    return out
