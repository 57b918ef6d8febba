"""The current snapshot of a store, kept up to date in the background.

With a persisted lexical index (`index.lexicon`) a check is one read of its head record,
and a change costs only the segments added since: a replica applies them to the
snapshot it has. A merge that rewrote segments this process already applied is applied
again on top (re-applying gives the same live chunks, see `index.segment`); the snapshot
is loaded afresh only when the segments it knows are no longer a prefix of the head's,
or when dead positions outnumber live ones. A store without a lexicon is read whole,
and checked by a scan of the publication records.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from dataclasses import replace

from index.segment import Segment
from index.snapshot import ChunkCache, Snapshot, committed_chunks, store_signature

log = logging.getLogger(__name__)


class LiveSnapshot:
    """Requests never wait for the change check or an update: a watcher thread does both
    every `interval` seconds while requests keep the snapshot they find. Only the very
    first request builds and waits."""

    def __init__(self, store, interval: float = 3.0):
        self.store = store
        self.interval = interval
        self.cache = ChunkCache(store)
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
        """Bring the snapshot up to date now (load it afresh with `force`)."""
        with self._lock:
            snap = None if force else self._snapshot
            head = self.store.lexicon.head()
            if head is None:
                signature = ("scan", *store_signature(self.store))
                if snap is None or snap.signature != signature:
                    snap = self._scan(signature)
            elif snap is None or snap.signature != ("log", head.ids):
                snap = self._follow(snap, head)
            self._snapshot = snap
            return snap

    def _scan(self, signature: tuple) -> Snapshot:
        started = time.perf_counter()
        chunks = committed_chunks(self.store)
        self.cache.put(chunks[: self.cache.capacity])
        snap = Snapshot(signature, self.cache).apply(Segment.of_chunks(chunks))
        log.info(
            "read %d committed chunks (the store has no lexical index yet: an ingest run "
            "builds it) in %.2fs",
            len(chunks),
            time.perf_counter() - started,
        )
        return snap

    def _follow(self, snap: Snapshot | None, head) -> Snapshot:
        """Apply the head's segments this snapshot lacks, or load them all."""
        started = time.perf_counter()
        known = snap.segments if snap is not None and snap.signature[0] == "log" else None
        kept = [sid for sid in head.ids if known and sid in known]
        if known is None or kept != list(head.ids[: len(kept)]) or snap.dead > len(snap.position):
            snap, new = Snapshot(("log", ()), self.cache), list(head.ids)
        else:
            new = list(head.ids[len(kept) :])
        lexicon = self.store.lexicon
        for sid in new:
            snap = snap.apply(lexicon.read(sid, remember=False))
        snap = replace(snap, signature=("log", head.ids), segments=head.ids)
        log.info(
            "lexical index: applied %d segment(s), %d live chunks, in %.2fs",
            len(new),
            len(snap.position),
            time.perf_counter() - started,
        )
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
        except Exception:  # an unreachable store, a segment merged away mid-read: retry
            log.warning("could not bring the snapshot up to date", exc_info=True)
        del live
