"""The ingestion run: read, chunk, embed and commit publications, incrementally.

Why not `langchain_core.indexing.index` with a record manager: it decides per chunk
(hash of chunk text and metadata) after the document has been parsed and split, so an
unchanged page still costs a parse; it cannot say "this release is stored once though
two paths reach it"; and its SQL record manager keeps the ledger in a local database
that a shared Chroma server does not see. The same idea — a ledger of content hashes,
ids derived from content, and clean-up of what a source no longer yields — is kept
here, with the ledger in Chroma itself (see `index.store`).

Crash safety comes from the order of writes, each idempotent:
1. chunks, under ids that include the content hash, so a new version never overwrites
   the old one in place;
2. the publication record (the commit: readers trust only chunks it lists);
3. deletion of the previous version's chunks;
4. the source record, only after all of its publications are committed.
A run killed between any two steps leaves chunks no record owns, which the next run
sweeps first (a run marks itself unfinished in the store until it ends, so only a run
after an unfinished one pays for the sweep), and a source record that is stale, so the
source is read again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.errors import PolicingQAError, SourceError
from index.models import Chunk, Publication
from index.records import StoredSource, stored_publication
from index.store import Store
from ingest.chunk import chunk_publication, embedding_text
from ingest.discover import Input, expand, folders_named, is_url
from ingest.files import FileReader
from ingest.report import Report

log = logging.getLogger(__name__)


# The run record that says whether the last run ended (else its leftovers are swept).
_STATE_KEY, _STATE_KIND = "last-run", "ingest"


@dataclass
class _Pending:
    """A source whose publications are waiting for their chunks to be embedded."""

    record: StoredSource
    waiting: int
    failed: bool = False


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
        self._begin()
        self._now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._committed = self.store.get_publications()
        self._known = self.store.get_sources()
        self._by_hash = {p.content_hash: p for p in self._committed.values()}
        self._ready_sources: list[StoredSource] = []
        self._queue: list[tuple[Publication, list[Chunk], _Pending, bool]] = []
        self._queued_chunks = 0
        self._reader_version = READER_VERSION
        self._claimed: set[str] = set()
        self._queued: set[str] = set()
        self._by_url = {p.url: p for p in self._committed.values() if p.url}

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
        self._flush(report)
        if prune:
            self._prune(args, inputs, report)
        self._finish()
        report.publications, report.chunks = self.store.counts()
        report.seconds = time.perf_counter() - started
        return report

    def _begin(self) -> None:
        """Sweep what an unfinished run left (only then: a sweep reads every chunk id),
        and mark this run unfinished until it ends."""
        state = self.store.get_run_records(_STATE_KIND).get(_STATE_KEY)
        if not state or not state.get("finished"):
            self.store.sweep()
        self.store.put_run_record(_STATE_KEY, _STATE_KIND, {"finished": False})

    def _finish(self) -> None:
        self.before_write()
        self.store.put_run_record(_STATE_KEY, _STATE_KIND, {"finished": True})

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
        try:
            pubs = self.files.read(item, data, url_map)
        except SourceError as exc:
            report.fail(item.source, exc.reason)
            return
        except Exception as exc:  # a reader bug must fail this file, not the run
            log.exception("reader crashed on %s", item.source)
            report.fail(item.source, f"could not be read ({type(exc).__name__}: {exc})")
            return
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
        pending = _Pending(StoredSource(source, digest, [], self._reader_version), 0)
        previous = self._known.get(source)
        ids: list[str] = []
        for pub in pubs:
            stored = self._committed.get(pub.id)
            if pub.id in ids:
                continue
            if pub.id in self._queued:  # read twice this run: the first is on its way
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
            self._warn_shared_url(pub, report)
            if pub.url:
                self._by_url[pub.url] = pub
            chunks = chunk_publication(pub, self.embedder.count_tokens, self.chunk_tokens)
            ids.append(pub.id)
            pending.waiting += 1
            self._queue.append((pub, chunks, pending, stored is not None))
            self._queued.add(pub.id)
            self._queued_chunks += len(chunks)
        self._claimed.update(ids)
        dropped = [p for p in (previous.publication_ids if previous else []) if p not in ids]
        pending.record = StoredSource(
            source, digest, ids, self._reader_version, etag, last_modified
        )
        if dropped:
            # A page that now holds fewer releases: the missing ones are gone from it.
            self._flush(report)
            self.before_write()
            report.removed += self.store.delete_publications(
                [p for p in dropped if not self._claimed_elsewhere(p, source)]
            )
        if pending.waiting == 0:
            self._source_ready(pending.record)
        elif self._queued_chunks >= self.batch_chunks:
            self._flush(report)

    def _warn_shared_url(self, pub: Publication, report: Report) -> None:
        """Say so when another source's release is cited by the same link (both are kept)."""
        if not pub.url:
            return
        other = self._by_url.get(pub.url)
        if other is not None and other.source != pub.source:
            report.warn(
                pub.source,
                f"cites the same URL as {other.source} ({pub.url}); both releases are kept",
            )

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
        if (
            known
            and known.reader == self._reader_version
            and self._all_committed(known.publication_ids)
        ):
            return known
        return None

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
        self._flush(report)
        self.before_write()
        doomed = [
            p
            for p in known.publication_ids
            if p not in self._claimed and not self._claimed_elsewhere(p, source)
        ]
        report.removed += self.store.delete_publications(doomed)
        self.store.delete_source(source)
        for pid in doomed:
            self._committed.pop(pid, None)
        log.info("pruned %s (%d publications)", source, len(doomed))

    def _twin(self, pub: Publication):
        stored = self._by_hash.get(pub.content_hash)
        return stored if stored and stored.id != pub.id else None

    def _all_committed(self, ids: list[str]) -> bool:
        return all(i in self._committed for i in ids)

    def _claimed_elsewhere(self, pub_id: str, source: str) -> bool:
        return any(pub_id in rec.publication_ids for s, rec in self._known.items() if s != source)

    # --- writing ------------------------------------------------------------------------

    def _flush(self, report: Report) -> None:
        """Embed and write the queued publications: chunks, then commits, then clean-up."""
        if not self._queue:
            self._write_sources()
            return
        queue, self._queue, self._queued_chunks = self._queue, [], 0
        self._queued.clear()
        queue = self._add_chunks(queue, report)
        if queue:
            # One write commits the batch; a kill before it leaves only sweepable chunks.
            self.before_write()
            self.store.commit_publications(
                [(p, [c.id for c in cs]) for p, cs, _, _ in queue], self._now
            )
        stale: list[str] = []
        for pub, pub_chunks, pending, is_update in queue:
            stale.extend(self._committed_now(pub, [c.id for c in pub_chunks]))
            report.updated += is_update
            report.added += not is_update
            report.changed.append(pub.id)
            pending.waiting -= 1
            if pending.waiting == 0 and not pending.failed:
                self._source_ready(pending.record)
        self.store.delete_chunks(stale)
        self._write_sources()

    def _committed_now(self, pub: Publication, chunk_ids: list[str]) -> list[str]:
        """Record a commit in the run's view; returns the old version's chunks to delete."""
        old = self._committed.get(pub.id)
        if old:
            self._by_hash.pop(old.content_hash, None)
        self._committed[pub.id] = stored = stored_publication(pub, chunk_ids, self._now)
        self._by_hash[pub.content_hash] = stored
        if stored.url:
            self._by_url[stored.url] = stored
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
        self.before_write()
        try:
            self.store.add_chunks([c for _, cs, _, _ in queue for c in cs], vectors, run=self._run)
            log.debug("stored %d chunks of %d publications", len(vectors), len(queue))
            return queue
        except PolicingQAError:
            raise
        except Exception:
            log.warning("the store refused a batch of %d publications", len(queue), exc_info=True)
        written, offset, first_error = [], 0, None
        for entry in queue:
            pub, chunks, pending, _ = entry
            part, offset = vectors[offset : offset + len(chunks)], offset + len(chunks)
            try:
                self.store.add_chunks(chunks, part, run=self._run)
                written.append(entry)
            except PolicingQAError:
                raise
            except Exception as exc:
                first_error = first_error or exc
                pending.failed = True
                pending.waiting -= 1
                report.fail(pub.source, f"could not be stored ({type(exc).__name__}: {exc})")
        if not written:
            self.store.counts()  # an unreachable store raises StoreUnavailable here
        return written

    def _source_ready(self, record: StoredSource) -> None:
        """Queue a source record whose publications are all committed."""
        self._known[record.source] = record
        self._ready_sources.append(record)

    def _write_sources(self) -> None:
        ready, self._ready_sources = self._ready_sources, []
        self.store.put_sources(ready)

    def _prune(self, args: list[str], inputs: list[Input], report: Report) -> None:
        """Forget file sources gone from the folders this run read (others' stay).

        Only folders named in this run are looked in, so a run over one folder, or on a
        machine that cannot see another's files, never prunes what it was not shown. A
        folder that now yields under half the files stored from it (an unmounted share)
        prunes nothing and is reported.
        """
        read = {i.source for i in inputs if i.path is not None}
        for root in folders_named(args):
            stored = [s for s in self._known if not is_url(s) and Path(s).is_relative_to(root)]
            gone = [s for s in stored if s not in read and not Path(s).exists()]
            if len(gone) > 1 and len(stored) - len(gone) < len(stored) / 2:
                report.fail(
                    str(root),
                    f"holds {len(stored) - len(gone)} of the {len(stored)} files stored from "
                    "it; nothing pruned (is it mounted?)",
                )
                continue
            for source in gone:
                self.forget(source, report)


class LazyEmbeddings:
    """The embedding model, loaded the first time a run has something to chunk or embed.

    An unchanged re-run embeds nothing: it should not pay the seconds a model takes to
    import and load. The model's location is checked at once, so a bad setting still
    fails before the run starts.
    """

    def __init__(self, spec: str, batch_size: int):
        from index.embed import resolve_model_path

        resolve_model_path(spec)
        self.spec, self.batch_size = spec, batch_size
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                from index.embed import LocalEmbeddings

                self._model = LocalEmbeddings(self.spec, self.batch_size)
            return self._model

    def count_tokens(self, text: str) -> int:
        return self.model.count_tokens(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.embed_documents(texts)

    @property
    def loaded(self) -> bool:
        return self._model is not None


def build_ingestor(settings, *, store=None, issuer: str | None = None, url_map: Path | None = None):
    """An Ingestor over the store and embedding model that `settings` name."""
    from index.store import open_store

    return Ingestor(
        store if store is not None else open_store(settings),
        LazyEmbeddings(settings.embedding_model, settings.embedding_batch_size),
        chunk_tokens=settings.chunk_tokens,
        max_file_bytes=settings.max_file_bytes,
        issuer=issuer,
        url_map_path=url_map,
        batch_chunks=settings.ingest_batch_chunks,
    )
