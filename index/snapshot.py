"""A view of the committed chunks at one moment: BM25 postings, filter columns, case lookup.

Built by applying segments (`index.segment`) in order: from the store's persisted lexical
index (`index.lexicon`), or, for a store that has none, from one segment made of the
committed chunks read now (a chunk whose (publication id, content hash) does not match
its publication's record is a leftover of a killed run and is left out). A snapshot
holds no chunk texts: `chunks` fetches them from the store by id when a hit needs them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from index.lexical import LexicalIndex
from index.models import Chunk
from index.records import date_int
from index.segment import Segment


def store_signature(store) -> tuple:
    """Changes whenever anything is committed or removed (for stores without a lexicon).

    Counts and the newest commit time alone miss a run's later batch that only updates
    releases (same counts, same run start time), so a hash over every publication's
    (id, content hash) is part of it.
    """
    pubs = store.get_publications()
    latest = max((p.ingested_at for p in pubs.values()), default="")
    digest = hashlib.sha256()
    for pid in sorted(pubs):
        digest.update(f"{pid}:{pubs[pid].content_hash}\n".encode())
    return (*store.counts(), len(pubs), latest, digest.hexdigest())


def committed_chunks(store) -> list[Chunk]:
    """Every chunk its publication's commit record owns, read from the store."""
    committed = {pid: p.content_hash for pid, p in store.get_publications().items()}
    chunks = [c for c in store.all_chunks() if committed.get(c.publication_id) == c.content_hash]
    return sorted(chunks, key=lambda c: (c.publication_id, c.ord))


class ChunkCache:
    """Chunks by id, fetched from the store on demand; the most recent few thousand kept.

    A chunk id holds its content hash, so a cached chunk never goes stale; a chunk
    deleted since a snapshot was taken is simply not returned.
    """

    def __init__(self, store, capacity: int = 20_000):
        self.store, self.capacity = store, capacity
        self._chunks: OrderedDict[str, Chunk] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, ids: list[str]) -> dict[str, Chunk]:
        with self._lock:
            found = {cid: self._chunks[cid] for cid in ids if cid in self._chunks}
        missing = [cid for cid in dict.fromkeys(ids) if cid not in found]
        fetched = self.store.get_chunks(missing) if missing else []
        self.put(fetched)
        found.update((c.id, c) for c in fetched)
        return found

    def put(self, chunks) -> None:
        with self._lock:
            for chunk in chunks:
                self._chunks[chunk.id] = chunk
                self._chunks.move_to_end(chunk.id)
            while len(self._chunks) > self.capacity:
                self._chunks.popitem(last=False)


@dataclass(frozen=True)
class Snapshot:
    """Committed chunks by position; immutable, so threads share it without locks."""

    signature: tuple
    cache: ChunkCache
    ids: list[str] = field(default_factory=list)  # every position's chunk id, dead ones too
    publication_at: list[str] = field(default_factory=list)
    ords: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    published: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    issuer_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # code
    issuer_names: tuple[str, ...] = ()  # code -> issuer ("" for none)
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    position: dict[str, int] = field(default_factory=dict)  # live chunk id -> position
    by_publication: dict[str, list[int]] = field(default_factory=dict)  # live, in order
    by_reference: dict[str, list[str]] = field(default_factory=dict)
    references_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lexical: LexicalIndex = field(default_factory=LexicalIndex)
    segments: tuple[str, ...] = ()  # the lexicon segments applied, in order

    @property
    def issuers(self) -> list[str]:
        codes = np.unique(self.issuer_of[self.alive]).tolist()
        return sorted(name for code in codes if (name := self.issuer_names[code]))

    @property
    def newest(self) -> dt.date | None:
        dates = self.published[self.alive]
        dates = dates[dates > 0]
        if not dates.size:
            return None
        value = int(dates.max())
        return dt.date(value // 10000, value // 100 % 100, value % 100)

    @property
    def dead(self) -> int:
        return len(self.ids) - len(self.position)

    @property
    def chunks(self) -> list[Chunk]:
        """Every live chunk, fetched from the store (for small stores and tests)."""
        live = [p for pids in self.by_publication.values() for p in pids]
        found = self.fetch(live)
        return [found[p] for p in live if p in found]

    def fetch(self, positions) -> dict[int, Chunk]:
        """The chunks at these positions that are still stored."""
        ids = {self.ids[p]: p for p in positions}
        return {ids[cid]: chunk for cid, chunk in self.cache.get(list(ids)).items()}

    def first_chunk(self, publication_id: str) -> Chunk | None:
        positions = self.by_publication.get(publication_id)
        return self.fetch(positions[:1]).get(positions[0]) if positions else None

    def publications_for(self, references: list[str]) -> list[str]:
        """Publications carrying any of these reference numbers, in store order."""
        found = {pid for ref in references for pid in self.by_reference.get(ref.upper(), [])}
        return [pid for pid in self.by_publication if pid in found]

    def mask(self, since, until, issuers, publications) -> np.ndarray | None:
        """Which positions pass the filters (None when nothing is filtered: callers
        then take only live positions, as every ranking here does)."""
        if since is None and until is None and issuers is None and publications is None:
            return None
        keep = self.alive.copy()
        if since is not None:
            keep &= self.published >= date_int(since)
        if until is not None:
            # Undated chunks (0) fail any range, as they do in Chroma's `where`.
            keep &= (self.published <= date_int(until)) & (self.published > 0)
        if issuers is not None:
            codes = [c for c, name in enumerate(self.issuer_names) if name in issuers]
            keep &= np.isin(self.issuer_of, np.asarray(codes, dtype=np.int32))
        if publications is not None:
            chosen = np.zeros(len(self.ids), dtype=bool)
            for pid in publications:
                chosen[self.by_publication.get(pid, [])] = True
            keep &= chosen
        return keep

    def apply(self, segment: Segment) -> Snapshot:
        """This snapshot with `segment` applied: its removals, then its chunks."""
        start = len(self.ids)
        alive = np.concatenate([self.alive, np.ones(len(segment.ids), bool)])
        position = dict(self.position)
        touched: dict[str, list[int]] = {}
        for cid in segment.removed + segment.ids:
            old = position.pop(cid, None)
            if old is not None:
                alive[old] = False
                touched.setdefault(self.publication_at[old], [])
        for i, (cid, pid) in enumerate(zip(segment.ids, segment.publications, strict=True)):
            position[cid] = start + i
            touched.setdefault(pid, []).append(start + i)
        ords = np.concatenate([self.ords, segment.ords])
        by_publication = dict(self.by_publication)
        for pid, added in touched.items():
            live = [p for p in by_publication.get(pid, []) if alive[p]] + added
            if live:
                by_publication[pid] = sorted(live, key=lambda p: ords[p])
            else:
                by_publication.pop(pid, None)
        refs = _references(segment)
        by_reference, references_of = dict(self.by_reference), dict(self.references_of)
        for pid in touched:
            old = references_of.get(pid, ())
            new = refs.get(pid, old) if pid in by_publication else ()
            if new == old:
                continue
            for ref in references_of.pop(pid, ()):
                by_reference[ref] = [p for p in by_reference[ref] if p != pid]
                if not by_reference[ref]:
                    del by_reference[ref]
            if new:
                references_of[pid] = new
                for ref in new:
                    by_reference[ref] = [*by_reference.get(ref, []), pid]
        lexical = (
            self.lexical.extend(segment, alive) if segment.ids else self.lexical.with_alive(alive)
        )
        names = list(self.issuer_names)
        known = {name: code for code, name in enumerate(names)}
        codes = [known.setdefault(i, len(known)) for i in segment.issuers]
        names += list(known)[len(names) :]
        return Snapshot(
            signature=self.signature,
            cache=self.cache,
            ids=self.ids + segment.ids,
            publication_at=self.publication_at + segment.publications,
            ords=ords,
            published=np.concatenate([self.published, segment.published]),
            issuer_of=np.concatenate([self.issuer_of, np.asarray(codes, np.int32)]),
            issuer_names=tuple(names),
            alive=alive,
            position=position,
            by_publication=by_publication,
            by_reference=by_reference,
            references_of=references_of,
            lexical=lexical,
            segments=self.segments,
        )


def _references(segment: Segment) -> dict[str, tuple[str, ...]]:
    """Each publication's case numbers, from its chunks in the segment."""
    out: dict[str, dict[str, None]] = {}
    for pid, refs in zip(segment.publications, segment.references, strict=True):
        out.setdefault(pid, {}).update(dict.fromkeys(refs.split()))
    return {pid: tuple(refs) for pid, refs in out.items()}
