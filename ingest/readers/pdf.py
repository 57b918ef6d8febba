"""Read a PDF release with pypdf: text per page, hyphenation repaired, metadata date."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from index.errors import SourceError

from .plaintext import TextRelease, read_text

logger = logging.getLogger(__name__)
# pypdf logs every recoverable oddity of a real-world PDF as a warning.
logging.getLogger("pypdf").setLevel(logging.ERROR)

# Text is read from this many pages at most: a press release runs to a few pages, and
# an annual report of thousands would hold up the whole ingest run.
MAX_PAGES = 300

_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")
_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})(\d{2})")


def _pdf_date(value) -> dt.date | None:
    if m := _PDF_DATE.match(str(value or "")):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def _paragraphs(text: str) -> str:
    # PDF text breaks at every visual line: a line that ends a sentence, or is short
    # like a title or a dateline, ends a paragraph; other lines run on.
    out: list[str] = []
    run: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            run.append(line)
        if run and (not line or len(line) < 50 or line[-1] in '.!?:"\u201d'):
            out.append(" ".join(run))
            run = []
    out.append(" ".join(run))
    return "\n\n".join(p for p in out if p)


def read_pdf(data: bytes, source: str, max_pages: int = MAX_PAGES) -> TextRelease | None:
    """Extract a release from the first `max_pages` pages; SourceError if encrypted or broken."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise SourceError(source, "encrypted PDF")
        count = len(reader.pages)
        if count > max_pages:
            logger.warning(
                "%s: PDF of %d pages, text read from the first %d", source, count, max_pages
            )
        # A page whose extraction raises fails the whole file, as for any unreadable PDF.
        pages = [reader.pages[i].extract_text() or "" for i in range(min(count, max_pages))]
        info = reader.metadata or {}
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SourceError(source, f"unreadable PDF ({exc})") from exc
    # A word split at a line end ("investi-\ngation") is one word; a dash between two
    # words on one line is kept.
    text = _HYPHEN_BREAK.sub(r"\1\2", "\n\n".join(pages))
    release = read_text(_paragraphs(text))
    if release is None:
        return None
    title = str(info.get("/Title") or "").strip()
    if title:
        release.title = title
    release.published = release.published or _pdf_date(info.get("/CreationDate"))
    return release
