"""Read what an HTML page says about itself: title, declared URLs, issuer, date."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from .textutil import clean_line, fix_text, parse_date


@dataclass
class PageMeta:
    """Metadata found in an HTML head; every field may be missing."""

    title: str | None = None
    # Every URL the page declares for itself, most trusted first: og:url, canonical, JSON-LD.
    urls: list[str] = field(default_factory=list)
    issuer: str | None = None
    published: dt.date | None = None
    redirect: str | None = None
    page_title: str | None = None


def _all(doc, *xpaths: str) -> list[str]:
    """Every non-blank value the XPaths select, cleaned, in XPath then document order."""
    return [
        fix_text(clean_line(value))
        for xpath in xpaths
        for value in doc.xpath(xpath)
        if value and value.strip()
    ]


def _first(doc, *xpaths: str) -> str | None:
    for xpath in xpaths:
        for value in doc.xpath(xpath):
            if value and value.strip():
                return fix_text(clean_line(value))
    return None


def _json_ld(doc) -> dict:
    """Merge the fields we use from every JSON-LD object on the page (WordPress nests them)."""
    found: dict = {}

    def visit(node) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            for key in ("datePublished", "headline", "url"):
                if isinstance(node.get(key), str):
                    found.setdefault(key, node[key])
            if isinstance(pub := node.get("publisher"), dict) and isinstance(pub.get("name"), str):
                found.setdefault("publisher", pub["name"])
            visit(node.get("@graph"))

    for script in doc.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            visit(json.loads(script))
        except ValueError:
            continue  # broken JSON-LD is common and never fatal
    return found


_REFRESH = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)


def page_meta(doc) -> PageMeta:
    """Collect title, declared URLs, issuer, publication date and any meta refresh target."""
    ld = _json_ld(doc)
    meta = PageMeta()
    meta.page_title = _first(doc, "//title/text()")
    meta.title = _first(
        doc, '//meta[@property="og:title"]/@content', '//meta[@name="twitter:title"]/@content'
    ) or (fix_text(ld["headline"]) if "headline" in ld else None)
    meta.urls = _all(doc, '//meta[@property="og:url"]/@content', '//link[@rel="canonical"]/@href')
    meta.urls += [ld["url"]] if "url" in ld else []
    meta.issuer = _first(doc, '//meta[@property="og:site_name"]/@content') or ld.get("publisher")
    meta.published = parse_date(
        _first(
            doc,
            '//meta[@property="article:published_time"]/@content',
            '//meta[@name="date"]/@content',
            '//meta[@name="dc.date"]/@content',
            '//meta[@itemprop="datePublished"]/@content',
            "//time/@datetime",
        )
        or ld.get("datePublished")
    )
    refresh = _first(doc, '//meta[translate(@http-equiv,"REFSH","refsh")="refresh"]/@content')
    if refresh and (m := _REFRESH.search(refresh)):
        meta.redirect = m.group(1).strip()
    return meta
