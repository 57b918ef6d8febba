"""Turn bytes into text: BOM, declared charset, then detection; refuse binary junk."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from index.errors import SourceError

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Formats that are certainly not text, named so the error says what the file is.
_MAGIC = [
    (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"%PDF", "PDF"),
]
# `\s*(?:["']\s*)?`, not `\s*["']?\s*`, for the same reason as winnipeg._DATE_HEADING.
# Searched in the first 8 KB only, so `<meta[^>]+` retried per unclosed tag stays cheap.
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*(?:[\"']\s*)?([\w.:-]+)", re.I)
# C0 controls other than tab/newline/CR/FF: plentiful in binary, absent in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def sniff_binary(data: bytes) -> str | None:
    """Name a well-known binary format the bytes start with, if any."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return None


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """Charset from an HTTP Content-Type header, else the first HTML meta tag."""
    if content_type and (m := re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)):
        return m.group(1)
    if m := _META_CHARSET.search(data[:8192]):
        return m.group(1).decode("ascii", "ignore")
    return None


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    return bool(sample) and len(_CONTROL.findall(sample)) <= max(2, len(sample) // 1000)


def decode(data: bytes, source: str, charset: str | None = None) -> str:
    """Decode `data`, raising SourceError for empty, binary or undecodable input."""
    if not data.strip():
        raise SourceError(source, "empty file")
    if kind := sniff_binary(data):
        raise SourceError(source, f"binary content ({kind}), not text")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            if not _looks_like_text(text):
                raise SourceError(source, "binary content, not text")
            return text
    if b"\x00" in data[:4096]:
        raise SourceError(source, "binary content, not text")
    try:
        # Valid UTF-8 with non-ASCII bytes is almost never a legacy encoding by chance,
        # and some pages declare windows-1250 over UTF-8 bytes; trust the bytes.
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None and charset:
        try:
            text = data.decode(codecs.lookup(charset).name)
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        best = charset_normalizer.from_bytes(data[:200000]).best()
        if best is None or best.encoding is None:
            raise SourceError(source, "undecodable bytes: no text encoding fits")
        text = data.decode(best.encoding, errors="replace")
    if not _looks_like_text(text):
        raise SourceError(source, "binary content, not text")
    return text
