"""Undo gzip and deflate content encodings in bounded steps (decompression bombs stop early).

httpx inflates a whole raw chunk in one call, so a few kilobytes of `gzip, gzip` on the
wire become gigabytes before any size check. Here every layer inflates at most STEP
bytes per call and the caller counts decoded bytes as they come.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from index.errors import SourceError

ENCODINGS = {"gzip", "x-gzip", "deflate", "identity"}
STEP = 64 * 1024  # bytes read off the wire, and at most inflated, per step


def encoding_layers(url: str, header: str) -> list[str]:
    """The encodings to undo, outermost first; refuses one we cannot decode."""
    names = [name.strip().lower() for name in header.split(",") if name.strip()]
    for name in names:
        if name not in ENCODINGS:
            raise SourceError(
                url, f"unsupported content encoding {name!r}; only gzip and deflate are accepted"
            )
    return [name for name in reversed(names) if name != "identity"]


def capped(url: str, chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """The raw body, stopped once it passes `limit` bytes."""
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise SourceError(url, f"response is over the limit of {limit:,} bytes")
        yield chunk


def decoded(chunks: Iterator[bytes], layers: list[str]) -> Iterator[bytes]:
    for layer in layers:
        chunks = _inflate(chunks, gzip=layer != "deflate")
    return chunks


def _inflate(chunks: Iterator[bytes], gzip: bool) -> Iterator[bytes]:
    """Undo one gzip or deflate layer, yielding at most `STEP` bytes at a time."""
    inflater, head = None, b""
    for data in chunks:
        if inflater is None:
            head += data
            if not gzip and len(head) < 2:
                continue  # deflate: the first two bytes say whether it is zlib-wrapped
            inflater, data = zlib.decompressobj(_wbits(head, gzip)), head
        while data and not inflater.eof:  # like httpx, what follows the end is ignored
            out = inflater.decompress(data, STEP)
            data = inflater.unconsumed_tail
            if out:
                yield out
        yield from _drain(inflater)
    if inflater is None and head:
        raise zlib.error("incomplete deflate stream")


def _drain(inflater) -> Iterator[bytes]:
    """Output zlib holds back after its input is all taken, `STEP` bytes at a time."""
    while not inflater.eof:
        out = inflater.decompress(b"", STEP)
        if out:
            yield out
        if len(out) < STEP:
            return


def _wbits(head: bytes, gzip: bool) -> int:
    if gzip:
        return 32 + zlib.MAX_WBITS  # gzip, or zlib from a server that mislabels it
    zlib_wrapped = head[0] & 0x0F == 8 and int.from_bytes(head[:2], "big") % 31 == 0
    return zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS
