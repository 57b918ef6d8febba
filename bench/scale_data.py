"""Synthetic releases for bench/scale.py: the real corpus re-issued, copy after copy.

A copy of a release keeps its text and its real vector but reads as another release:
its dates move on by `SHIFT_DAYS` a copy, its case numbers are renumbered (same letter
and width, the year moved with the date), its streets are swapped from a list, and its
source, URL, publication id and chunk ids are its own. Its vector is the source chunk's
vector plus a little Gaussian noise, re-normalised, so neighbourhoods stay those of real
text (uniform random vectors would make every search equally hard and meaningless).
Copy 0 keeps the source's text, dates and vectors (under this store's ids), so real
questions keep their answers.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass

import numpy as np

from index.models import Chunk, Publication
from index.text import CASE_NUMBER

# How far each copy moves its dates on: 160 copies (a million chunks) span about 20 years.
SHIFT_DAYS = 45
NOISE_SIGMA = 0.01
_READ_PAGE = 2000

STREETS = """
Abbott Adair Alder Ashdown Aspen Balsam Bannerman Beacon Birch Bowman Brant Cedar Chestnut
Clifton Cobalt Cypress Dorchester Driscoll Elgin Elmwood Fairway Fenwick Garrison Glenwood
Grafton Granite Harbour Hawthorn Heron Hollis Juniper Kestrel Kingsley Lakeview Larch
Linden Lockhart Maple Marlow Meadow Millbrook Mulberry Oakridge Orchard Osprey Palmer
Pembroke Pinecrest Quarry Raven Ridgeway Rowan Sable Spruce Thornton Tamarack Wexford Willow
""".split()
_STREET = re.compile(
    r"\b([A-Z][a-z]+)(?= (?:Avenue|Street|Road|Drive|Boulevard|Crescent|Lane|Way|Place|Bay)\b)"
)


@dataclass(frozen=True)
class Release:
    """A committed release of the source store: its publication and chunks in order."""

    publication: Publication
    chunks: list[Chunk]


@dataclass(frozen=True)
class Source:
    """The source store's committed releases and their chunks' real vectors."""

    releases: list[Release]
    vectors: dict[str, np.ndarray]  # source chunk id -> unit vector

    @property
    def chunk_count(self) -> int:
        return sum(len(r.chunks) for r in self.releases)


def read_source(store) -> Source:
    """Every committed publication of `store` with its chunks and their real vectors."""
    from index.records import chunk_from_record

    stored = store.get_publications()
    chunks: dict[str, list[Chunk]] = {}
    vectors: dict[str, np.ndarray] = {}
    offset = 0
    while True:
        got = store.chunks.get(
            include=["embeddings", "documents", "metadatas"], limit=_READ_PAGE, offset=offset
        )
        for cid, doc, meta, vec in zip(
            got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
        ):
            chunk = chunk_from_record(cid, doc, meta)
            pub = stored.get(chunk.publication_id)
            if pub and pub.content_hash == chunk.content_hash:  # committed chunks only
                chunks.setdefault(chunk.publication_id, []).append(chunk)
                vectors[cid] = np.asarray(vec, dtype=np.float32)
        if len(got["ids"]) < _READ_PAGE:
            break
        offset += _READ_PAGE
    releases, parts = [], {}
    for pid in sorted(chunks):
        chunks[pid].sort(key=lambda c: c.ord)
        stored_pub = stored[pid]
        # A page's releases need distinct parts for distinct ids; the stored id hides it.
        part = parts[stored_pub.source] = parts.get(stored_pub.source, -1) + 1
        pub = Publication(
            source=stored_pub.source,
            part=part,
            title=stored_pub.title,
            text="\n\n".join(c.text for c in chunks[pid]),
            published=stored_pub.published,
            url=stored_pub.url,
            issuer=stored_pub.issuer,
            references=stored_pub.references,
        )
        releases.append(Release(pub, chunks[pid]))
    return Source(releases, vectors)


def _stable(*parts: object) -> int:
    return zlib.crc32(":".join(map(str, parts)).encode())


class Copy:
    """How copy `k` rewrites a release: dates, case numbers, streets and identities."""

    def __init__(self, k: int):
        self.k = k
        self.shift = dt.timedelta(days=SHIFT_DAYS * k)
        self.years = (SHIFT_DAYS * k) // 365

    def date(self, value: dt.date | None) -> dt.date | None:
        return value + self.shift if value else None

    def _case(self, m: re.Match) -> str:
        letter, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(5))
        digits = m.group(3) or m.group(6) or m.group(7)
        new_year = f"{(int(year) + self.years) % 100:02d}"
        width = len(digits)
        number = (int(digits) + _stable(self.k, letter.upper(), year, digits)) % 10**width
        new_digits = f"{number:0{width}d}"
        text = m.group(0)
        # Keep the page's own form (dash, space or none): swap only the year and digits.
        head = text.index(year, 1)
        tail = text.rindex(digits)
        return text[:head] + new_year + text[head + 2 : tail] + new_digits

    def text(self, value: str) -> str:
        if self.k == 0:
            return value
        value = CASE_NUMBER.sub(self._case, value)
        return _STREET.sub(lambda m: STREETS[_stable(self.k, m.group(1)) % len(STREETS)], value)

    def reference(self, ref: str) -> str:
        """A normalised reference (`C19-255700`) as this copy writes it."""
        return self.text(ref).upper()

    def publication(self, pub: Publication) -> Publication:
        if self.k == 0:
            return pub
        return pub.model_copy(
            update={
                "source": f"synthetic/copy-{self.k:04d}/{pub.source.lstrip('/')}",
                "title": self.text(pub.title),
                "text": self.text(pub.text),
                "published": self.date(pub.published),
                "url": f"{pub.url}#copy-{self.k}" if pub.url else None,
                "references": [self.reference(r) for r in pub.references],
            }
        )

    def chunks(self, pub: Publication, chunks: list[Chunk]) -> list[Chunk]:
        """`pub` (already rewritten) chunked as its source was, under ids of its own."""
        digest = pub.content_hash
        return [
            c.model_copy(
                update={
                    "id": f"{pub.id}-{digest[:12]}-{c.ord:04d}",
                    "publication_id": pub.id,
                    "text": self.text(c.text),
                    "title": pub.title,
                    "published": pub.published,
                    "url": pub.url,
                    "source": pub.source,
                    "references": pub.references,
                    "content_hash": digest,
                }
            )
            for c in chunks
        ]

    def vectors(self, source: list[np.ndarray]) -> np.ndarray:
        """The source vectors plus N(0, NOISE_SIGMA) per dimension, re-normalised."""
        base = np.vstack(source)
        if self.k == 0:
            return base
        rng = np.random.default_rng(self.k)
        noisy = base + rng.normal(0.0, NOISE_SIGMA, size=base.shape).astype(np.float32)
        return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
