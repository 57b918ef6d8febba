"""The ingestion run: read, chunk, embed and commit publications, incrementally.

Why not `langchain_core.indexing.index` with a record manager: it decides per chunk after
the document has been parsed and split, so an unchanged page still costs a parse; it
cannot say "this release is stored once though two paths reach it"; and its SQL record
manager keeps the ledger in a local database a shared Chroma server does not see. The
same idea (a ledger of content hashes, ids from content, clean-up of what a source no
longer yields) is kept here, with the ledger in Chroma itself (see `index.store`).

Crash safety comes from the order of writes, each idempotent (`ingest.writer`): chunks,
then the publication record that commits them, then the old version's chunks deleted,
then the source record. A run killed between any two leaves chunks no record owns, which
the next run sweeps first (`index.sweep`), and a stale source record, so the source is
read again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path

from index.errors import SourceError
from index.models import Publication
from index.records import StoredSource
from index.store import Store
from index.sweep import mark_finished, sweep_after_unfinished
from ingest.chunk import chunk_publication
from ingest.discover import Input, expand, is_url
from ingest.files import FileReader, gone_files
from ingest.report import Report
from ingest.unreadable import Unreadable
from ingest.writer import BatchWriter, CommitView, Pending

log = logging.getLogger(__name__)


class Ingestor:
    """Runs ingestion into one store with one embedding model."""

    def __init__(
        self,
        store: Store,
        embedder,
        *,
        chunk_tokens: int = 200,
        max_file_bytes: int = 20 * 1024 * 1024,
        batch_chunks: int = 128,
        issuer: str | None = None,
        url_map_path: Path | None = None,
    ):
        self.store = store
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.batch_chunks = batch_chunks
        self.issuer = issuer
        self.files = FileReader(max_file_bytes, issuer, url_map_path)
        self._lock = None
        self._deadline: float | None = None

    def run(
        self,
        args: list[str],
        *,
        prune: bool = False,
        progress: Callable[[int, int], None] | None = None,
        web=None,
        lock=None,
        budget: float | None = None,
    ) -> Report:
        """Ingest `args` (files, folders, URLs); with `prune`, drop sources that are gone.

        URLs go to `web` (an `ingest.web.WebIngest`), which fetches them and hands what it
        reads back through `accept`, `keep` and `forget`. `lock` (see `ingest.lock`) is
        checked before every write, so a run that lost its lease stops before writing;
        after `budget` seconds the inputs not yet read are left for the next run.
        """
        from ingest.readers import READER_VERSION

        started = time.perf_counter()
        report = Report()
        self._lock = lock
        self._run = getattr(lock, "token", None)
        self._deadline = None if budget is None else time.monotonic() + budget
        self.before_write()
        sweep_after_unfinished(self.store)
        self._now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._view = CommitView(self.store.get_publications(), self.store.get_sources())
        self._committed, self._known = self._view.committed, self._view.known
        self._writer = BatchWriter(
            self.store,
            self.embedder,
            self._view,
            now=self._now,
            run=self._run,
            guard=self.before_write,
            batch_chunks=self.batch_chunks,
        )
        self._reader_version = READER_VERSION
        self._claimed: set[str] = set()
        self._unreadable = Unreadable(self.store, self.before_write)

        inputs = expand(args)
        for done, item in enumerate(inputs, 1):
            if self.out_of_time():
                report.defer(item.source)
            elif item.error:
                report.fail(item.source, item.error)
            elif is_url(item.source) and web is None:
                report.fail(item.source, "URL sources need the fetcher (policing-qa ingest URL)")
            elif is_url(item.source):
                web.ingest(item.source, self, report, prune=prune)
            else:
                self._ingest_file(item, report)
            if progress:
                progress(done, len(inputs))
        self._writer.flush(report)
        if prune:
            self._prune(args, inputs, report)
        self.before_write()
        mark_finished(self.store)
        report.publications, report.chunks = self.store.counts()
        report.seconds = time.perf_counter() - started
        return report

    # --- one source --------------------------------------------------------------------

    def _ingest_file(self, item: Input, report: Report) -> None:
        try:
            data, digest, url_map = self.files.load(item, self._reader_version)
        except SourceError as exc:
            report.fail(item.source, exc.reason)
            return
        known = self._known.get(item.source)
        if known and known.digest == digest and self._all_committed(known.publication_ids):
            self.keep(item.source, report)
            return
        if reason := self._unreadable.reason(item.source, digest):
            report.fail(item.source, reason)
            return
        try:
            pubs = self.files.read(item, data, url_map)
        except SourceError as exc:
            self._unreadable.remember(item.source, digest, exc.reason)
            report.fail(item.source, exc.reason)
            return
        except Exception as exc:  # a reader bug must fail this file, not the run
            log.exception("reader crashed on %s", item.source)
            report.fail(item.source, f"could not be read ({type(exc).__name__}: {exc})")
            return
        self._unreadable.forget(item.source)
        self.accept(item.source, digest, pubs, report)

    def accept(
        self,
        source: str,
        digest: str,
        pubs: list[Publication],
        report: Report,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Store the publications read from one source (also used by the URL fetcher)."""
        pending = Pending(StoredSource(source, digest, [], self._reader_version), 0)
        previous = self._known.get(source)
        ids: list[str] = []
        for pub in pubs:
            stored = self._committed.get(pub.id)
            if pub.id in ids:
                continue
            if pub.id in self._writer.queued:  # read twice this run: the first is on its way
                ids.append(pub.id)
                continue
            if stored and stored.content_hash == pub.content_hash:
                report.unchanged += 1
                ids.append(pub.id)
                continue
            twin = None if stored else self._twin(pub)
            if twin is not None:
                if previous and twin.id in previous.publication_ids:
                    report.unchanged += 1  # stored under the id an older release gave it
                else:
                    log.info("%s: same release already stored from %s", source, twin.source)
                    report.duplicates += 1
                ids.append(twin.id)
                continue
            if other := self._view.cites_the_same(pub):
                report.warn(source, f"cites the same URL as {other} ({pub.url}); both are kept")
            chunks = chunk_publication(pub, self.embedder.count_tokens, self.chunk_tokens)
            ids.append(pub.id)
            self._writer.add(pub, chunks, pending, stored is not None)
        self._claimed.update(ids)
        dropped = [p for p in (previous.publication_ids if previous else []) if p not in ids]
        pending.record = StoredSource(
            source, digest, ids, self._reader_version, etag, last_modified
        )
        if dropped:
            # A page that now holds fewer releases: the missing ones are gone from it.
            self._writer.flush(report)
            self.before_write()
            report.removed += self.store.delete_publications(
                [p for p in dropped if not self._claimed_elsewhere(p, source)]
            )
        if pending.waiting == 0:
            self._writer.source_ready(pending.record)
        elif self._writer.full:
            self._writer.flush(report)

    def before_write(self) -> None:
        """Stop the run (LeaseLost) if its lock can no longer vouch for the next write."""
        if self._lock is not None:
            self._lock.check()

    def out_of_time(self) -> bool:
        """Whether the run's budget is spent (what is left waits for the next run)."""
        return self._deadline is not None and time.monotonic() >= self._deadline

    def stored_source(self, source: str) -> StoredSource | None:
        """The ledger record of `source` if this reader wrote it and all of it is stored."""
        known = self._known.get(source)
        current = known and known.reader == self._reader_version
        return known if current and self._all_committed(known.publication_ids) else None

    def stored_release(self, publication_ids: list[str]) -> tuple[str, str]:
        """(titles, text) of these committed publications, to compare a new version with."""
        committed = [self._committed[p] for p in publication_ids if p in self._committed]
        wanted = {c for p in committed for c in p.chunk_ids}
        ids = [p.id for p in committed]
        # Leftover versions may share the publication id: ask for room beyond the wanted.
        chunks = self.store.publication_chunks(ids, limit=2 * len(wanted)) if wanted else []
        chunks.sort(key=lambda c: (c.publication_id, c.ord))
        titles = "\n".join(p.title for p in committed)
        return titles, "\n".join([titles] + [c.text for c in chunks if c.id in wanted])

    def keep(self, source: str, report: Report) -> None:
        """Count an unchanged source's publications as seen this run (a 304 answer)."""
        known = self._known[source]
        report.unchanged += len(known.publication_ids)
        self._claimed.update(known.publication_ids)

    def forget(self, source: str, report: Report) -> None:
        """Remove a source and the publications no other source holds (a withdrawn page)."""
        known = self._known.pop(source, None)
        if known is None:
            return
        self._writer.flush(report)
        self.before_write()
        claimed = self._claimed
        doomed = [p for p in known.publication_ids if p not in claimed]
        doomed = [p for p in doomed if not self._claimed_elsewhere(p, source)]
        report.removed += self.store.delete_publications(doomed)
        self.store.delete_source(source)
        for pid in doomed:
            self._committed.pop(pid, None)
        log.info("pruned %s (%d publications)", source, len(doomed))

    def _twin(self, pub: Publication):
        stored = self._view.by_hash.get(pub.content_hash)
        return stored if stored and stored.id != pub.id else None

    def _all_committed(self, ids: list[str]) -> bool:
        return all(i in self._committed for i in ids)

    def _claimed_elsewhere(self, pub_id: str, source: str) -> bool:
        return any(pub_id in rec.publication_ids for s, rec in self._known.items() if s != source)

    def _prune(self, args: list[str], inputs: list[Input], report: Report) -> None:
        """Forget file sources gone from the folders this run read (see `files.gone_files`)."""
        gone, refused = gone_files(self._known, args, inputs)
        for folder, reason in refused:
            report.fail(folder, reason)
        for source in gone:
            self.forget(source, report)


def build_ingestor(settings, *, store=None, issuer: str | None = None, url_map: Path | None = None):
    """An Ingestor over the store and embedding model that `settings` name."""
    from index.embed import LazyEmbeddings
    from index.store import open_store

    return Ingestor(
        store if store is not None else open_store(settings),
        LazyEmbeddings(
            settings.embedding_model,
            settings.embedding_batch_size,
            runtime=settings.embedding_runtime,
            cache_dir=settings.model_cache,
        ),
        chunk_tokens=settings.chunk_tokens,
        max_file_bytes=settings.max_file_bytes,
        issuer=issuer,
        url_map_path=url_map,
        batch_chunks=settings.ingest_batch_chunks,
    )
