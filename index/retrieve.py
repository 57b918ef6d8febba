"""Hybrid retrieval: Chroma vectors fused with BM25, filtered by date, issuer and case.

A question is read first (`index.when`, case numbers); dense and lexical candidates are
fused by reciprocal rank, optionally reranked, ordered newest first among the relevant
ones when the question asks for the latest, and capped per publication so a few hits
cover several releases. Only committed chunks are ever returned (see `index.snapshot`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from index.models import Hit
from index.ranking import cap_per_publication, case_history, fuse, latest_first
from index.rerank import build_reranker
from index.snapshot import Snapshot, build_snapshot, date_int, store_signature
from index.store import Store
from index.when import parse_when

log = logging.getLogger(__name__)

_REFERENCE = re.compile(r"\b([A-Za-z]\d{2})\s?[-\u2010-\u2015]\s?(\d{3,7})\b")


def find_references(text: str) -> list[str]:
    """Case numbers in a text ("c17 – 49764" -> "C17-49764"), in order, once each."""
    refs = [f"{a.upper()}-{b}" for a, b in _REFERENCE.findall(text)]
    return list(dict.fromkeys(refs))


@dataclass(frozen=True)
class RetrievalResult:
    """Hits for a question and how the question was read."""

    query: str
    hits: list[Hit]
    search_text: str = ""
    since: date | None = None
    until: date | None = None
    wants_latest: bool = False
    references: list[str] = field(default_factory=list)
    issuers: list[str] | None = None
    today: date | None = None
    # Every release of the case(s) asked about, oldest first, newest last.
    case_history: list[Hit] = field(default_factory=list)


def _intersect(a: date | None, b: date | None, pick) -> date | None:
    return pick(a, b) if a and b else a or b


class Retriever:
    """Answers `search()` from many threads; sees new ingests within `refresh_seconds`."""

    def __init__(
        self,
        store: Store,
        embedder,
        *,
        reranker=None,
        pool: int = 40,
        max_per_publication: int = 2,
        rerank_pool: int = 20,
        recency_margin: float = 0.08,
        refresh_seconds: float = 3.0,
    ):
        self.store = store
        self.embedder = embedder
        self.reranker = reranker
        self.pool = pool
        self.max_per_publication = max_per_publication
        self.rerank_pool = rerank_pool
        self.recency_margin = recency_margin
        self.refresh_seconds = refresh_seconds
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    # --- the committed-chunk snapshot -----------------------------------------------------

    def refresh(self, force: bool = False) -> Snapshot:
        """Rebuild the in-memory index if the store changed (always with `force`)."""
        with self._lock:
            return self._refresh_locked(force)

    def _refresh_locked(self, force: bool) -> Snapshot:
        snap = self._snapshot
        if force or snap is None or store_signature(self.store) != snap.signature:
            snap = self._snapshot = build_snapshot(self.store)
        self._checked = time.monotonic()
        return snap

    def _current(self) -> Snapshot:
        snap = self._snapshot
        if snap is None:
            return self.refresh()
        if time.monotonic() - self._checked < self.refresh_seconds:
            return snap
        # One thread checks; the others keep answering from the snapshot they have.
        if not self._lock.acquire(blocking=False):
            return snap
        try:
            return self._refresh_locked(force=False)
        finally:
            self._lock.release()

    # --- search ---------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        k: int = 6,
        since: date | None = None,
        until: date | None = None,
        issuer: str | None = None,
        references: list[str] | None = None,
        today: date | None = None,
    ) -> RetrievalResult:
        """The `k` best chunks for a question, read for dates, recency and case numbers.

        `today` anchors relative dates ("last year"); it defaults to the newest
        publication date in the store, so answers are "as of" the data, not the clock.
        Explicit `since`/`until` intersect with dates in the question; `references` is a
        hard filter; case numbers found in the question filter to that case when the
        store holds it, and fill `case_history` with all its releases.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        snap = self._current()
        today = today or snap.newest or date.today()
        when = parse_when(query, today)
        since = _intersect(since, when.since, max)
        until = _intersect(until, when.until, min)
        asked = find_references(query)
        refs = list(dict.fromkeys([r.upper() for r in references or []] + asked))
        case_pubs = snap.publications_for(refs) if refs else []
        issuers = self._issuers(snap, issuer)
        result = RetrievalResult(
            query=query,
            hits=[],
            search_text=when.text,
            since=since,
            until=until,
            wants_latest=when.wants_latest,
            references=refs,
            issuers=issuers,
            today=today,
        )
        # Given references must match; found ones narrow only when the store knows them.
        pubs = case_pubs if (references or case_pubs) else None
        if (since and until and since > until) or issuers == [] or pubs == []:
            return result
        dense = self._dense(snap, when.text, since, until, issuers, pubs)
        mask = snap.mask(since, until, issuers, pubs)
        lexical = snap.lexical.top(when.text, self.pool, mask)
        anchors = {
            pos: share
            for pos, share in snap.lexical.anchors(when.text).items()
            if mask is None or mask[pos]
        }
        hits = self._rerank(when.text, fuse(snap.chunks, dense, lexical, anchors))
        if when.wants_latest:
            # A case's own releases are all relevant; otherwise only the near-best are.
            similarity = None if case_pubs else {snap.chunks[p].id: s for p, s in dense}
            hits = latest_first(hits, similarity, self.recency_margin)
        return RetrievalResult(
            **{
                **result.__dict__,
                "hits": cap_per_publication(hits, k, self.max_per_publication),
                "case_history": case_history(snap, case_pubs, hits),
            }
        )

    def _issuers(self, snap: Snapshot, issuer: str | None) -> list[str] | None:
        """Known issuers the name matches: exactly, else as a case-insensitive part."""
        if issuer is None:
            return None
        wanted = issuer.strip().lower()
        exact = [i for i in snap.issuers if i.lower() == wanted]
        return exact or [i for i in snap.issuers if wanted and wanted in i.lower()]

    def _dense(self, snap, text, since, until, issuers, pubs) -> list[tuple[int, float]]:
        """(snapshot position, cosine similarity) of the nearest committed chunks."""
        where = []
        if since:
            where.append({"published_int": {"$gte": date_int(since)}})
        if until:
            where.append({"published_int": {"$lte": date_int(until)}})
        if issuers is not None:
            where.append({"issuer": {"$in": issuers}})
        if pubs is not None:
            where.append({"publication_id": {"$in": pubs}})
        vector = self.embedder.embed_query(text)
        got = self.store.chunks.query(
            query_embeddings=[vector],
            n_results=self.pool,
            include=["distances"],
            where=(where[0] if len(where) == 1 else {"$and": where}) if where else None,
        )
        out = []
        for cid, distance in zip(got["ids"][0], got["distances"][0], strict=True):
            # Not in the snapshot: uncommitted, or committed after it was built.
            if (pos := snap.position.get(cid)) is not None:
                out.append((pos, 1.0 - float(distance)))
        return out

    def _rerank(self, text: str, hits: list[Hit]) -> list[Hit]:
        """Reorder the head of the fused list by cross-encoder score (its score replaces)."""
        if self.reranker is None or not hits:
            return hits
        head, tail = hits[: self.rerank_pool], hits[self.rerank_pool :]
        scores = self.reranker.score(text, [f"{h.chunk.title}\n{h.chunk.text}" for h in head])
        ranked = sorted(zip(scores, head, strict=True), key=lambda pair: -pair[0])
        return [h.model_copy(update={"score": s}) for s, h in ranked] + tail


def build_retriever(settings, store: Store | None = None, embedder=None) -> Retriever:
    """A retriever over the configured store, model and (optional) reranker."""
    from index.embed import LocalEmbeddings
    from index.store import open_store

    store = store or open_store(settings)
    embedder = embedder or LocalEmbeddings(settings.embedding_model, settings.embedding_batch_size)
    return Retriever(store, embedder, reranker=build_reranker(settings))
