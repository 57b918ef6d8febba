"""Hybrid retrieval: Chroma vectors fused with BM25, filtered by date, issuer and case.

A question is read first (`index.when`, case numbers); dense and lexical candidates are
fused by reciprocal rank (releases of the season a question remembers, "one June
morning", scoring more: `index.seasons`), optionally reranked, ordered newest first
among the relevant ones when the question asks for the latest, and capped per
publication so a few hits cover several releases. Only committed chunks are ever
returned (see `index.snapshot`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from index.dense import nearest
from index.live import LiveSnapshot
from index.models import Hit
from index.names import named_later, naming, naming_later
from index.ranking import RRF_K, cap_per_publication, case_first, case_history, fuse, latest_first
from index.rerank import build_reranker
from index.seasons import preferred
from index.snapshot import Snapshot
from index.store import Store
from index.text import find_references
from index.when import When, parse_when

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
# How long after an event its release may publish ("the June robbery" -> a July arrest).
REPORTING_LAG = timedelta(days=31)


@dataclass(frozen=True)
class RetrievalResult:
    """Hits for a question and how the question was read."""

    query: str
    hits: list[Hit]
    search_text: str = ""
    since: date | None = None
    until: date | None = None
    wants_latest: bool = False
    # Case numbers given or found in the question.
    references: list[str] = field(default_factory=list)
    issuers: list[str] | None = None
    today: date | None = None
    # The case(s) `case_history` tells: those asked about, or, when the question asks
    # for the latest, the case of the best hit.
    case_references: list[str] = field(default_factory=list)
    # Every release of that case, oldest first, newest last.
    case_history: list[Hit] = field(default_factory=list)


def _intersect(a: date | None, b: date | None, pick) -> date | None:
    return pick(a, b) if a and b else a or b


def _consistent(when: When) -> bool:
    """False when the question's dates exclude each other ("2019 ... released in 2020")."""
    since, until = _window(when, None, None)
    return not (since and until and since > until)


def _window(when: When, since: date | None, until: date | None) -> tuple:
    """The date filter: the caller's window intersected with the question's dates."""
    since = _intersect(since, when.since, max)
    # A day or month in the question usually places the event ("the June 2018
    # robbery"); its release may come days or weeks later. Years and ranges stay exact.
    asked_until = when.until
    if when.since and when.until and (when.until - when.since).days <= 31:
        asked_until = when.until + REPORTING_LAG
    return since, _intersect(until, None if when.open_ended else asked_until, min)


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
        recency_share: float = 0.75,
        recency_top: int = 5,
        max_case_references: int = 3,
        refresh_seconds: float = 3.0,
    ):
        self.store = store
        self.embedder = embedder
        self.reranker = reranker
        self.pool = pool
        self.max_per_publication = max_per_publication
        self.rerank_pool = rerank_pool
        self.recency_share = recency_share
        self.recency_top = recency_top
        self.max_case_references = max_case_references
        self.live = LiveSnapshot(store, refresh_seconds)

    def refresh(self, force: bool = False) -> Snapshot:
        """See the store's latest commits now rather than at the next background check."""
        return self.live.refresh(force)

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
        Explicit `since`/`until` intersect with dates in the question (a day or month
        is stretched by REPORTING_LAG, as releases follow events), except that a
        question about an outcome ("was he ever caught?") is not cut off at its dates.
        `references` is a hard filter; case numbers found in the question filter to that
        case when the store holds it. A question asking for the latest gets its case's
        releases newest first: the case named, else the case of the best hit.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        snap = self.live.get()
        today = today or snap.newest or date.today()
        when = parse_when(query, today)
        asked = (since, until)
        since, until = _window(when, since, until) if _consistent(when) else asked
        refs = list(dict.fromkeys([r.upper() for r in references or []] + find_references(query)))
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
        if issuers == [] or pubs == []:
            return result
        fused, (since, until) = self._within(snap, when.text, (since, until), asked, issuers, pubs)
        result = replace(result, since=since, until=until)
        if not fused:
            return result
        named = naming(snap, when.text) if when.open_ended or when.wants_latest else None
        about = {snap.ids[p] for p in np.flatnonzero(named)} if named is not None else set()
        fused = preferred(fused, query, when, since, until, about)
        hits = self._rerank(when.text, fused)
        case_refs, case_pubs = self._case(snap, when, refs, case_pubs, hits, named)
        hits = self._order(snap, when, hits, fused, case_pubs)
        return replace(
            result,
            hits=cap_per_publication(hits, k, self.max_per_publication),
            case_references=case_refs if case_pubs else [],
            case_history=case_history(snap, case_pubs, hits),
        )

    def _within(self, snap, text, window, asked, issuers, pubs) -> tuple[list[Hit], tuple]:
        """Fused hits within the window; if the question's own dates found nothing
        ("a 1995 death identified in 2021", "the 2019 report released in 2020"), they
        were context, not a filter: search the caller's window instead."""
        since, until = window
        if since and until and since > until:
            return [], window  # the question's dates and the caller's exclude each other
        fused = self._fused(snap, text, since, until, issuers, pubs, asked[1])
        if not fused and window != asked:
            wider = self._fused(snap, text, *asked, issuers, pubs)
            if wider:
                return wider, asked
        return fused, window

    def _case(self, snap, when: When, refs, case_pubs, hits, named) -> tuple[list, list]:
        """The case a question is about: the one it names, or for a "latest" question the
        story the best hit belongs to (unless that is a round-up of many cases)."""
        case_refs = [r for r in refs if r in snap.by_reference]
        if when.wants_latest and not case_pubs and hits:
            implied = [r.upper() for r in hits[0].chunk.references]
            if len(implied) <= self.max_case_references:
                case_refs, case_pubs = implied, snap.publications_for(implied)
        if when.wants_latest and case_pubs:
            # The outcome may come under another case number; the person named ties it.
            later = named_later(snap, case_pubs)
            asked = [p for p in naming_later(snap, named, case_pubs) if p not in later]
            case_pubs = case_pubs + later + asked
        return case_refs, case_pubs

    def term_rarity(self, terms) -> dict[str, float]:
        """How rare each term is among the committed chunks, by the BM25 index's counts."""
        return self.live.get().lexical.idf(terms)

    def unseen_terms(self, terms) -> set[str]:
        """The terms no committed chunk holds."""
        lexical = self.live.get().lexical
        return {t for t in terms if lexical.postings(t)[0].size == 0}

    def _fused(self, snap, text, since, until, issuers, pubs, asked_until=None) -> list[Hit]:
        """Dense and BM25 candidates within the filters, fused by rank.

        The question's own dates place its event; a release naming a person the question
        names may tell of it months later ("Jennifer Barrett ... died in August 2016" is
        told in February 2017), so such releases are searched up to the caller's `until`.
        """
        mask = snap.mask(since, until, issuers, pubs)
        if mask is not None and until != asked_until and (named := naming(snap, text)) is not None:
            mask |= named & snap.mask(since, asked_until, issuers, pubs)
        dense = self._dense(snap, text, mask)
        lexical = snap.lexical.top(text, self.pool, mask)
        anchors = {
            pos: share
            for pos, share in snap.lexical.anchors(text).items()
            if mask is None or mask[pos]
        }
        return fuse(snap, dense, lexical, anchors, self.pool * 2)

    def _order(self, snap, when: When, hits, fused, case_pubs) -> list[Hit]:
        """A "latest" question: the case's releases newest first, else the newest relevant."""
        if when.wants_latest and case_pubs:
            return case_first(snap, hits, case_pubs)
        if when.wants_latest:
            scores = {h.chunk.id: h.score for h in fused}
            return latest_first(hits, scores, self.recency_share, self.recency_top)
        return hits

    def _issuers(self, snap: Snapshot, issuer: str | None) -> list[str] | None:
        """Known issuers the name matches: exactly, else as a case-insensitive part."""
        if issuer is None:
            return None
        wanted = issuer.strip().lower()
        exact = [i for i in snap.issuers if i.lower() == wanted]
        return exact or [i for i in snap.issuers if wanted and wanted in i.lower()]

    def _dense(self, snap, text, mask) -> list[tuple[int, float]]:
        """(snapshot position, cosine similarity) of the nearest committed chunks."""
        # A question that tells a scene before it asks ("A man waved a gun near a house one
        # night. What did police find?") is also searched by its scene alone: the asking
        # words pull the whole question's vector away from the release that tells it.
        queries = [text]
        sentences = [t for t in _SENTENCE_END.split(text) if t.strip()]
        if len(sentences) >= 2:
            queries.append(" ".join(sentences[:-1]))
        scores: dict[int, tuple[float, float]] = {}
        for query in queries:
            vector = self.embedder.embed_query(query)
            for rank, (pos, sim) in enumerate(
                nearest(self.store, snap, vector, self.pool, mask), 1
            ):
                fused, best = scores.get(pos, (0.0, sim))
                scores[pos] = (fused + 1.0 / (RRF_K + rank), max(best, sim))
        ordered = sorted(scores.items(), key=lambda kv: -kv[1][0])
        return [(pos, sim) for pos, (_, sim) in ordered]

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
    from index.embed import embeddings_for
    from index.store import open_store

    store = store or open_store(settings)
    embedder = embedder or embeddings_for(settings)
    if settings.retrieval_backend == "search-api":
        from index.search_api import SearchApiRetriever

        return SearchApiRetriever(store, embedder)
    return Retriever(store, embedder, reranker=build_reranker(settings))
