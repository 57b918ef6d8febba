"""Read publications from files or fetched bytes: HTML, plain text, Markdown and PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlparse

from index.errors import SourceError
from index.models import Publication
from index.text import find_references

from .canonical import declared_url, other_site
from .decode import declared_charset, decode, sniff_binary
from .html import read_html
from .pdf import MAX_PAGES, read_pdf
from .plaintext import read_text
from .textutil import date_from_name, fix_text
from .urlmap import UrlEntry, UrlMap, find_url_map, load_url_map

__all__ = [
    "READER_VERSION",
    "UrlEntry",
    "UrlMap",
    "find_url_map",
    "load_url_map",
    "read_bytes",
]

# Bump when extraction output changes, so stored sources are re-read.
READER_VERSION = "3"

_KINDS = {
    ".html": "html", ".htm": "html", ".xhtml": "html", ".stm": "html", ".shtml": "html",
    ".asp": "html", ".aspx": "html", ".php": "html", ".jsp": "html",
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".pdf": "pdf",
}  # fmt: skip
_MIME = {
    "text/html": "html", "application/xhtml+xml": "html", "text/plain": "text",
    "text/markdown": "markdown", "text/x-markdown": "markdown", "application/pdf": "pdf",
}  # fmt: skip


def _kind(data: bytes, source: str, content_type: str | None) -> str:
    if data.startswith(b"%PDF"):
        return "pdf"
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        if mime in _MIME:
            return _MIME[mime]
        if mime != "application/octet-stream":
            raise SourceError(source, f"unsupported content type {mime}")
    path = urlparse(source).path if "://" in source else source
    suffix = PurePosixPath(path.replace("\\", "/")).suffix.lower()
    if suffix in _KINDS:
        return _KINDS[suffix]
    if suffix and "://" not in source:
        raise SourceError(source, f"unsupported file type {suffix}")
    # A URL without a telling extension: look at the bytes.
    if kind := sniff_binary(data):
        raise SourceError(source, f"binary content ({kind}), not text")
    head = data[:2048].lstrip().lower()
    return "html" if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<")) else "text"


@dataclass
class _Document:
    """What one reader found in a source, before it becomes publications."""

    parts: list[tuple[str, str, str | None]]  # title, text, anchor of each release
    urls: list[str] = field(default_factory=list)  # what it declares, most trusted first
    issuer: str | None = None
    published: dt.date | None = None
    notes: dict[str, str] = field(default_factory=dict)


def read_bytes(
    data: bytes,
    *,
    source: str,
    content_type: str | None = None,
    url: str | None = None,
    url_map: UrlMap | None = None,
    issuer: str | None = None,
    published_hint: dt.date | None = None,
    max_pdf_pages: int = MAX_PAGES,
) -> list[Publication]:
    """Read every release in `data`; `source` (path or URL) names it in results and errors."""
    kind = _kind(data, source, content_type)
    if not data.strip():
        raise SourceError(source, "empty file")
    entry = url_map.lookup(source) if url_map else None
    doc = _read_document(data, source, kind, content_type, max_pdf_pages)
    if not doc.parts:
        raise SourceError(source, "no release text found")
    read_from = _read_from(source, url, entry)
    return _publications(
        doc,
        source,
        url=_page_url(doc, read_from),
        published=_published(doc, source, entry, published_hint),
        issuer=_issuer(doc, read_from, issuer),
    )


def _read_document(
    data: bytes, source: str, kind: str, content_type: str | None, max_pdf_pages: int
) -> _Document:
    """Run the reader for `kind` over the bytes."""
    if kind == "pdf":
        return _pdf_document(data, source, max_pdf_pages)
    text = decode(data, source, declared_charset(data, content_type))
    if kind == "html":
        return _html_document(text, source)
    return _text_document(text, markdown=kind == "markdown")


def _pdf_document(data: bytes, source: str, max_pages: int) -> _Document:
    """Read a PDF's one release and its date."""
    release = read_pdf(data, source, max_pages)
    if release is None:
        return _Document([])
    return _Document([(release.title, release.text, None)], published=release.published)


def _html_document(text: str, source: str) -> _Document:
    """Read a page's releases and the metadata its head declares."""
    meta, day, parts = read_html(text, source)
    return _Document(
        [(p.title, p.text, p.anchor) for p in parts],
        urls=meta.urls,
        issuer=meta.issuer,
        # A date the page body states beats the one in its metadata.
        published=day or meta.published,
    )


def _text_document(text: str, markdown: bool) -> _Document:
    """Read a text or Markdown release and what its front matter and dateline say."""
    release = read_text(fix_text(text), markdown=markdown)
    if release is None:
        return _Document([])
    return _Document(
        [(release.title, release.text, None)],
        urls=[release.url] if release.url else [],
        issuer=release.issuer,
        published=release.published,
        notes=release.notes,
    )


def _read_from(source: str, url: str | None, entry: UrlEntry | None) -> str | None:
    """The URL the document was read from: fetched, mapped to its file, or its source URL."""
    mapped = entry.url if entry else None
    return url or mapped or (source if "://" in source else None)


def _page_url(doc: _Document, read_from: str | None) -> str | None:
    """Choose the URL the publications are cited by: a citable declared one, else where read."""
    return declared_url(doc.urls, read_from) or read_from


def _issuer(doc: _Document, read_from: str | None, issuer: str | None) -> str | None:
    """Choose the issuer: the document's own, unless it is a copy of another site's page."""
    if any(other_site(declared, read_from) for declared in doc.urls):
        # A page declaring another site's URL is a syndicated copy: its og:site_name or
        # publisher may name either site, so the issuer the operator gave comes first.
        return issuer or doc.issuer
    return doc.issuer or issuer


def _published(
    doc: _Document, source: str, entry: UrlEntry | None, hint: dt.date | None
) -> dt.date | None:
    """Choose the publication date, from the most to the least trusted witness."""
    return (
        doc.published
        or (entry.published if entry else None)
        or hint
        or date_from_name(PurePosixPath(urlparse(source).path).name)
    )


def _publications(
    doc: _Document,
    source: str,
    *,
    url: str | None,
    published: dt.date | None,
    issuer: str | None,
) -> list[Publication]:
    """Build one publication per release of the document, numbered in page order."""
    pubs = []
    for part, (title, text, anchor) in enumerate(doc.parts):
        title = title or _first_line(text)
        pubs.append(
            Publication(
                source=source,
                part=part,
                title=title,
                text=text,
                published=published,
                # Each release of a bulletin is cited at its own anchor on the page.
                url=f"{url}#{anchor}" if url and anchor else url,
                issuer=issuer,
                references=find_references(title, text),
                notes=doc.notes,
            )
        )
    return pubs


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= 160 else line[:157].rsplit(" ", 1)[0] + "..."
