"""An in-memory view of the committed chunks: BM25 index, filter columns, case lookup.

Built from `Store.all_chunks()` and the publication records; a chunk whose
(publication id, content hash) does not match its publication's record is a leftover
of a killed ingest run and is left out, so nothing built on a snapshot can return it.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import logging
import threading
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from index.lexical import LexicalIndex
from index.models import Chunk
from index.records import date_int
from index.store import Store

log = logging.getLogger(__name__)


def store_signature(store: Store) -> tuple:
    """Changes whenever an ingest run commits or removes anything.

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


@dataclass(frozen=True)
class Snapshot:
    """Committed chunks at one moment; immutable, so threads share it without locks."""

    signature: tuple
    chunks: list[Chunk]
    position: dict[str, int]
    by_publication: dict[str, list[int]]
    by_reference: dict[str, list[str]]
    issuers: list[str]
    newest: dt.date | None
    published: np.ndarray
    issuer_of: np.ndarray
    lexical: LexicalIndex

    def publications_for(self, references: list[str]) -> list[str]:
        """Publications carrying any of these reference numbers, in store order."""
        found = {pid for ref in references for pid in self.by_reference.get(ref.upper(), [])}
        return [pid for pid in self.by_publication if pid in found]

    def mask(
        self,
        since: dt.date | None,
        until: dt.date | None,
        issuers: list[str] | None,
        publications: list[str] | None,
    ) -> np.ndarray | None:
        """Which chunks pass the filters (None when nothing is filtered)."""
        if since is None and until is None and issuers is None and publications is None:
            return None
        keep = np.ones(len(self.chunks), dtype=bool)
        if since is not None:
            keep &= self.published >= date_int(since)
        if until is not None:
            # Undated chunks (0) fail any range, as they do in Chroma's `where`.
            keep &= (self.published <= date_int(until)) & (self.published > 0)
        if issuers is not None:
            keep &= np.isin(self.issuer_of, np.asarray(issuers, dtype=object))
        if publications is not None:
            chosen = np.zeros(len(self.chunks), dtype=bool)
            for pid in publications:
                chosen[self.by_publication.get(pid, [])] = True
            keep &= chosen
        return keep


def build_snapshot(store: Store) -> Snapshot:
    """Read every committed chunk and index it."""
    started = time.perf_counter()
    # Signature first: a commit landing while we read makes the next check rebuild.
    signature = store_signature(store)
    pubs = store.get_publications()
    committed = {pid: p.content_hash for pid, p in pubs.items()}
    chunks = [c for c in store.all_chunks() if committed.get(c.publication_id) == c.content_hash]
    chunks.sort(key=lambda c: (c.publication_id, c.ord))
    by_publication: dict[str, list[int]] = defaultdict(list)
    for i, chunk in enumerate(chunks):
        by_publication[chunk.publication_id].append(i)
    by_reference: dict[str, list[str]] = defaultdict(list)
    for pid in by_publication:
        for ref in pubs[pid].references:
            by_reference[ref.upper()].append(pid)
    dates = [p.published for pid, p in pubs.items() if p.published and pid in by_publication]
    snapshot = Snapshot(
        signature=signature,
        chunks=chunks,
        position={c.id: i for i, c in enumerate(chunks)},
        by_publication=dict(by_publication),
        by_reference=dict(by_reference),
        issuers=sorted({c.issuer for c in chunks if c.issuer}),
        newest=max(dates, default=None),
        published=np.asarray([date_int(c.published) for c in chunks], dtype=np.int64),
        issuer_of=np.asarray([c.issuer or "" for c in chunks], dtype=object),
        lexical=LexicalIndex([f"{c.title}\n{c.text}" for c in chunks]),
    )
    log.info(
        "indexed %d committed chunks of %d publications in %.2fs",
        len(chunks),
        len(by_publication),
        time.perf_counter() - started,
    )
    return snapshot


class LiveSnapshot:
    """The current snapshot of a store, rebuilt in the background when the store changes.

    Requests never wait for the change check (a scan of the publication records) or a
    rebuild: a watcher thread does both every `interval` seconds while requests keep
    using the snapshot they find. Only the very first request builds and waits.
    """

    def __init__(self, store: Store, interval: float = 3.0):
        self.store = store
        self.interval = interval
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def get(self) -> Snapshot:
        snap = self._snapshot
        if snap is None:
            snap = self.refresh()
            self._watch()
        return snap

    def refresh(self, force: bool = False) -> Snapshot:
        """Rebuild now if the store changed (always with `force`)."""
        with self._lock:
            snap = self._snapshot
            if force or snap is None or store_signature(self.store) != snap.signature:
                snap = self._snapshot = build_snapshot(self.store)
            return snap

    def close(self, wait: float = 0.0) -> None:
        """Stop the watcher; with `wait`, give a check in progress that long to finish."""
        self._stop.set()
        watcher = self._watcher
        if wait and watcher is not None and watcher is not threading.current_thread():
            watcher.join(wait)

    def _watch(self) -> None:
        with self._lock:
            if self._watcher is None and not self._stop.is_set():
                self._watcher = threading.Thread(
                    target=_watch,
                    args=(weakref.ref(self), self._stop, self.interval),
                    name="policing-qa-snapshot",
                    daemon=True,
                )
                self._watcher.start()
                _track(self)


# A watcher still inside Chroma's native code while the interpreter shuts down can
# crash the process (exit 139 after the work is done), so watchers stop first.
_LIVE: weakref.WeakSet[LiveSnapshot] = weakref.WeakSet()


def _track(live: LiveSnapshot) -> None:
    """Stop `live`'s watcher at exit; the exit hook is set when the first watcher starts."""
    if not _LIVE:
        atexit.unregister(_stop_watchers)
        atexit.register(_stop_watchers)
    _LIVE.add(live)


def _stop_watchers() -> None:
    for live in list(_LIVE):
        live.close(wait=10.0)


def _watch(ref: weakref.ref, stop: threading.Event, interval: float) -> None:
    """Refresh until told to stop or until nobody holds the snapshot any more."""
    while not stop.wait(max(interval, 0.05)):
        live = ref()
        if live is None:
            return
        try:
            live.refresh()
        except Exception:  # an unreachable store: keep serving the last snapshot
            log.warning("could not check the store for changes", exc_info=True)
        del live
