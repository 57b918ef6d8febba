"""Writing one ingest run's publications, a batch at a time, in the crash-safe order.

For each batch: embed the chunks; store them (under ids holding their content hash, so a
new version never overwrites the old in place); commit the publication records in one
write; record the batch in the lexical index (`index.lexicon`); delete the previous
versions' chunks; then write the records of the sources whose
publications are all committed. Every write is preceded by the run lock's check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from index.errors import PolicingQAError
from index.models import Chunk, Publication
from index.records import StoredPublication, StoredSource, stored_publication
from index.store import Store
from ingest.chunk import embedding_text
from ingest.report import Report

log = logging.getLogger("ingest.pipeline")


@dataclass
class Pending:
    """A source whose publications are waiting for their chunks to be embedded."""

    record: StoredSource
    waiting: int
    failed: bool = False


@dataclass
class CommitView:
    """What the run knows is committed, kept current as batches commit."""

    committed: dict[str, StoredPublication]
    known: dict[str, StoredSource]  # source -> its ledger record

    def __post_init__(self) -> None:
        self.by_hash = {p.content_hash: p for p in self.committed.values()}
        self.by_url: dict[str, StoredPublication | Publication] = {
            p.url: p for p in self.committed.values() if p.url
        }

    def cites_the_same(self, pub: Publication) -> str | None:
        """Another source whose release is cited at `pub`'s URL (both are kept), if any."""
        if not pub.url:
            return None
        other = self.by_url.setdefault(pub.url, pub)
        return other.source if other.source != pub.source else None


class BatchWriter:
    """Queues publications and writes them when a batch is full or the run asks."""

    def __init__(
        self,
        store: Store,
        embedder,
        view: CommitView,
        *,
        now: str,
        run: str | None,
        guard: Callable[[], None],
        batch_chunks: int,
    ):
        self.store, self.embedder, self.view = store, embedder, view
        self.now, self.run, self.guard, self.batch_chunks = now, run, guard, batch_chunks
        self.queued: set[str] = set()
        self._queue: list[tuple[Publication, list[Chunk], Pending, bool]] = []
        self._chunks = 0
        self._ready: list[StoredSource] = []

    def add(self, pub: Publication, chunks: list[Chunk], pending: Pending, update: bool) -> None:
        pending.waiting += 1
        self._queue.append((pub, chunks, pending, update))
        self.queued.add(pub.id)
        self._chunks += len(chunks)

    @property
    def full(self) -> bool:
        return self._chunks >= self.batch_chunks

    def source_ready(self, record: StoredSource) -> None:
        """Queue a source record whose publications are all committed."""
        self.view.known[record.source] = record
        self._ready.append(record)

    def flush(self, report: Report) -> None:
        """Embed and write the queue: chunks, then commits, then clean-up, then sources."""
        if self._queue:
            self._write(report)
        ready, self._ready = self._ready, []
        self.store.put_sources(ready)

    def _write(self, report: Report) -> None:
        queue, self._queue, self._chunks = self._queue, [], 0
        self.queued.clear()
        queue = self._add_chunks(queue, report)
        if queue:
            # One write commits the batch; a kill before it leaves only sweepable chunks.
            self.guard()
            self.store.commit_publications(
                [(p, [c.id for c in cs]) for p, cs, _, _ in queue], self.now
            )
        stale: list[str] = []
        for pub, pub_chunks, pending, is_update in queue:
            stale.extend(self._committed(pub, [c.id for c in pub_chunks]))
            report.updated += is_update
            report.added += not is_update
            report.changed.append(pub.id)
            pending.waiting -= 1
            if pending.waiting == 0 and not pending.failed:
                self.source_ready(pending.record)
        # Readers see the batch once its segment of the lexical index is written.
        self.store.lexicon.append([c for _, cs, _, _ in queue for c in cs], stale)
        self.store.delete_chunks(stale)

    def _committed(self, pub: Publication, chunk_ids: list[str]) -> list[str]:
        """Record a commit in the run's view; returns the old version's chunks to delete."""
        view = self.view
        old = view.committed.get(pub.id)
        if old:
            view.by_hash.pop(old.content_hash, None)
        view.committed[pub.id] = stored = stored_publication(pub, chunk_ids, self.now)
        view.by_hash[pub.content_hash] = stored
        if stored.url:
            view.by_url[stored.url] = stored
        log.debug("committed %s", pub.key)
        return [c for c in old.chunk_ids if c not in set(chunk_ids)] if old else []

    def _add_chunks(self, queue: list, report: Report) -> list:
        """Embed and store the queue's chunks; returns the entries whose chunks were stored.

        One publication that the store refuses fails alone (reported by its source, which
        is read again next run); a store that refuses everything stops the run.
        """
        vectors = self.embedder.embed_documents(
            [embedding_text(c) for _, cs, _, _ in queue for c in cs]
        )
        report.embedded_chunks += len(vectors)
        self.guard()
        try:
            self.store.add_chunks([c for _, cs, _, _ in queue for c in cs], vectors, run=self.run)
            log.debug("stored %d chunks of %d publications", len(vectors), len(queue))
            return queue
        except PolicingQAError:
            raise
        except Exception:
            log.warning("the store refused a batch of %d publications", len(queue), exc_info=True)
        written, offset = [], 0
        for entry in queue:
            pub, chunks, pending, _ = entry
            part, offset = vectors[offset : offset + len(chunks)], offset + len(chunks)
            try:
                self.store.add_chunks(chunks, part, run=self.run)
                written.append(entry)
            except PolicingQAError:
                raise
            except Exception as exc:
                pending.failed = True
                pending.waiting -= 1
                report.fail(pub.source, f"could not be stored ({type(exc).__name__}: {exc})")
        if not written:
            self.store.counts()  # an unreachable store raises StoreUnavailable here
        return written
