"""Read publications from files or fetched bytes: HTML, plain text, Markdown and PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from index.errors import SourceError
from index.models import Publication

from .decode import declared_charset, decode, sniff_binary
from .html import read_html
from .pdf import read_pdf
from .plaintext import read_text
from .textutil import date_from_name, find_references, fix_text
from .urlmap import UrlEntry, UrlMap, find_url_map, load_url_map

__all__ = [
    "READER_VERSION",
    "UrlEntry",
    "UrlMap",
    "find_url_map",
    "load_url_map",
    "read_bytes",
    "read_file",
]

# Bump when extraction output changes, so stored sources are re-read.
READER_VERSION = "2"

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


def read_bytes(
    data: bytes,
    *,
    source: str,
    content_type: str | None = None,
    url: str | None = None,
    url_map: UrlMap | None = None,
    issuer: str | None = None,
    published_hint: dt.date | None = None,
) -> list[Publication]:
    """Read every release in `data`; `source` (path or URL) names it in results and errors."""
    kind = _kind(data, source, content_type)
    if not data.strip():
        raise SourceError(source, "empty file")
    entry = url_map.lookup(source) if url_map else None
    if kind == "pdf":
        release = read_pdf(data, source)
        found = [(release.title, release.text, None)] if release else []
        doc_url, doc_issuer, doc_date, notes = None, None, release and release.published, {}
    else:
        text = decode(data, source, declared_charset(data, content_type))
        if kind == "html":
            meta, doc_date, parts = read_html(text, source)
            found = [(p.title, p.text, p.anchor) for p in parts]
            doc_url, doc_issuer, notes = meta.url, meta.issuer, {}
            doc_date = doc_date or meta.published
        else:
            release = read_text(fix_text(text), markdown=kind == "markdown")
            found = [(release.title, release.text, None)] if release else []
            doc_url = release.url if release else None
            doc_issuer = release.issuer if release else None
            doc_date = release.published if release else None
            notes = release.notes if release else {}
    if not found:
        raise SourceError(source, "no release text found")
    page_url = doc_url or url or (entry.url if entry else None)
    if page_url is None and "://" in source:
        page_url = source
    published = (
        doc_date
        or (entry.published if entry else None)
        or published_hint
        or date_from_name(PurePosixPath(urlparse(source).path).name)
    )
    pubs = []
    for part, (title, text, anchor) in enumerate(found):
        title = title or _first_line(text)
        pubs.append(
            Publication(
                source=source,
                part=part,
                title=title,
                text=text,
                published=published,
                url=f"{page_url}#{anchor}" if page_url and anchor else page_url,
                issuer=doc_issuer or issuer,
                references=find_references(title, text),
                notes=notes,
            )
        )
    return pubs


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= 160 else line[:157].rsplit(" ", 1)[0] + "..."


def read_file(
    path: Path,
    *,
    url_map: UrlMap | None = None,
    issuer: str | None = None,
    max_bytes: int = 20 * 1024 * 1024,
    source: str | None = None,
) -> list[Publication]:
    """Read a file from disk; every failure is a SourceError naming the file."""
    path = Path(path)
    name = source or str(path)
    if not path.exists():
        raise SourceError(name, "no such file")
    if not path.is_file():
        raise SourceError(name, "not a regular file (a directory?)")
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceError(name, f"file too large ({size} bytes > {max_bytes})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(name, f"cannot read file ({exc.strerror})") from exc
    # The map knows files by name, whatever identity the caller stores them under.
    entry = url_map.lookup(path.name) if url_map else None
    return read_bytes(
        data,
        source=name,
        url=entry.url if entry else None,
        issuer=issuer,
        published_hint=entry.published if entry else None,
    )
