"""Retrieval by Chroma's Search API: dense and BM25 Knn fused by Rrf inside Chroma.

For distributed Chroma (and Chroma Cloud), where no replica needs the whole store in
memory: one request carries three searches under the same filter: the fused ranking
(dense Knn on the chunk vectors and sparse Knn on the BM25 key, Rrf, at most
`max_per_publication` chunks a release by GroupBy), and each ranking alone, so every hit
keeps its dense and BM25 ranks as the answerer expects (`index.models.Hit`).

Local Chroma has no Search API: embedded Chroma raises NotImplementedError and a
single-node `chroma run` answers "Search operation is not implemented for local
executor"; both refuse a sparse index ("Sparse vector indexing is not enabled in
local"). `supports_search_api` says which case applies. There the retriever refuses
(`strict=True`) or answers by dense vectors alone through `collection.query`, with the
same filters, so its hits are Chroma's plain nearest chunks.

Differences from `index.retrieve.Retriever`, which keeps a snapshot of the whole store:
`today` defaults to the clock, an issuer must match exactly, case numbers in the
question are matched by BM25 (exact tokens) rather than used as a filter, and there is
no "latest first" reordering or case history.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from datetime import date

import numpy as np

from index.errors import ConfigError, StoreUnavailable
from index.models import Hit
from index.records import chunk_from_record, date_int
from index.retrieve import RetrievalResult, _consistent, _window
from index.seasons import preferred
from index.sparse import TermsBm25, sparse_key
from index.when import parse_when

log = logging.getLogger(__name__)

RRF_K = 60
# Chunks counted for a term's rarity; a term in more is common (rarity near the floor).
RARITY_CAP = 500


def supports_search_api(collection) -> tuple[bool, str]:
    """Whether `collection` answers Search requests, and how (or why not), in words."""
    from chromadb import Search

    try:
        collection.search(Search().limit(1))
    except NotImplementedError as exc:
        return False, f"embedded Chroma has no Search API ({exc})"
    except Exception as exc:
        if "not implemented" not in str(exc).lower():
            raise StoreUnavailable(f"cannot ask Chroma for a Search: {exc}") from exc
        return False, f"this Chroma server has no Search API ({exc})"
    key = sparse_key(collection)
    if key is None:
        return True, "Search API, dense only: the collection has no sparse index"
    return True, f"Search API with dense and BM25 ranking (sparse key {key!r})"


def filters(
    since: date | None,
    until: date | None,
    issuers: list[str] | None,
    references: list[str] | None,
) -> dict | None:
    """A Chroma `where` for the window, issuers and case numbers (any of them)."""
    where: list[dict] = []
    if since:
        where.append({"published_int": {"$gte": date_int(since)}})
    if until:
        where.append({"published_int": {"$lte": date_int(until)}})
    if issuers is not None:
        where.append({"issuer": {"$in": issuers}})
    if references:
        any_ref = [{"references": {"$contains": r}} for r in references]
        where.append(any_ref[0] if len(any_ref) == 1 else {"$or": any_ref})
    if not where:
        return None
    return where[0] if len(where) == 1 else {"$and": where}


def build_searches(vector, terms, where: dict | None, *, pool: int, k: int, per_release, key):
    """The fused Search and each ranking alone; `terms` and `key` None for dense only."""
    from chromadb import Knn, Rrf, Search
    from chromadb.execution.expression import GroupBy, K, MinK, Select

    dense = Knn(query=list(vector), limit=pool, return_rank=True, default=pool)
    ranks = [dense]
    alone = [Search(where=where, rank=Knn(query=list(vector), limit=pool), limit=pool)]
    if terms is not None:
        ranks.append(Knn(query=terms, key=key, limit=pool, return_rank=True, default=pool))
        alone.append(Search(where=where, rank=Knn(query=terms, key=key, limit=pool), limit=pool))
    group = None
    if per_release:
        group = GroupBy(keys=K("publication_id"), aggregate=MinK(keys=K.SCORE, k=per_release))
    fused = Search(
        where=where,
        rank=Rrf(ranks, k=RRF_K),
        group_by=group,
        limit=k,
        select=Select(keys={K.DOCUMENT, K.METADATA, K.EMBEDDING, K.SCORE}),
    )
    return [fused, *alone]


class SearchApiRetriever:
    """Answers `search()` like `index.retrieve.Retriever`, with the ranking done by Chroma."""

    def __init__(
        self,
        store,
        embedder,
        *,
        pool: int = 40,
        max_per_publication: int | None = 2,
        strict: bool = True,
    ):
        self.store = store
        self.embedder = embedder
        self.pool = pool
        self.max_per_publication = max_per_publication
        self.supported, self.how = supports_search_api(store.chunks)
        if not self.supported and strict:
            raise ConfigError(f"retrieval_backend 'search-api' cannot be used: {self.how}")
        if not self.supported:
            log.warning("%s; retrieving by dense vectors alone", self.how)
        self.key = sparse_key(store.chunks) if self.supported else None
        self.terms = TermsBm25()

    def refresh(self, force: bool = False) -> None:
        """Nothing to rebuild: every search reads the store as it is."""

    def term_rarity(self, terms) -> dict[str, float]:
        """log((N + 1) / (df + 1)) + 1 for each term, as `index.lexical` gives it.

        Without a BM25 index in this process, df is the number of chunks whose text
        holds the term (a stem matches its longer forms), counted by Chroma up to
        RARITY_CAP: past that a term is common whatever its exact count.
        """
        total = self.store.chunks.count()
        return {
            term: math.log((total + 1) / (self._holding(term, RARITY_CAP) + 1)) + 1.0
            for term in terms
        }

    def unseen_terms(self, terms) -> set[str]:
        """The terms no stored chunk holds."""
        return {term for term in terms if not self._holding(term, 1)}

    def _holding(self, term: str, limit: int) -> int:
        """How many chunks hold `term` (a stem matches its longer forms), up to `limit`."""
        # Chroma's $contains is case-sensitive: "polic" must also find "Police".
        forms = [{"$contains": f} for f in dict.fromkeys([term, term.capitalize(), term.upper()])]
        got = self.store.chunks.get(where_document={"$or": forms}, include=[], limit=limit)
        return len(got["ids"])

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
        """The `k` best chunks within the filters (see `index.retrieve.Retriever.search`)."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        today = today or date.today()
        when = parse_when(query, today)
        if _consistent(when):
            since, until = _window(when, since, until)
        refs = list(dict.fromkeys(r.upper() for r in references or []))
        issuers = [issuer.strip()] if issuer is not None else None
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
        if since and until and since > until:
            return result
        where = filters(since, until, issuers, refs or None)
        vector = np.asarray(self.embedder.embed_query(when.text), dtype=np.float32)
        hits = self._ranked(when.text, vector, where, k) if self.supported else None
        if hits is None:
            hits = self._dense(vector, where, k)
        hits = preferred(hits, query, when, since, until)
        return replace(result, hits=hits)

    def _ranked(self, text: str, vector: np.ndarray, where, k: int) -> list[Hit]:
        """Hits of the fused ranking, with each one's dense and BM25 rank."""
        terms = self.terms.embed_query([text])[0] if self.key else None
        if terms is not None and not terms.indices:
            terms = None  # only stopwords: BM25 has nothing to rank by
        searches = build_searches(
            vector,
            terms,
            where,
            pool=self.pool,
            k=k,
            per_release=self.max_per_publication,
            key=self.key,
        )
        got = self.store.chunks.search(searches).rows()
        dense_rank = {row["id"]: i for i, row in enumerate(got[1], 1)}
        lexical_rank = {row["id"]: i for i, row in enumerate(got[2], 1)} if terms else {}
        hits = []
        for row in got[0]:
            cid = row["id"]
            embedding = np.asarray(row["embedding"], dtype=np.float32)
            hits.append(
                Hit(
                    chunk=chunk_from_record(cid, row["document"], row["metadata"] or {}),
                    score=-float(row["score"]),  # Rrf scores are negated: lower is better
                    dense_rank=dense_rank.get(cid),
                    lexical_rank=lexical_rank.get(cid),
                    dense_score=_cosine(vector, embedding),
                )
            )
        return hits

    def _dense(self, vector: np.ndarray, where, k: int) -> list[Hit]:
        """The nearest chunks by `collection.query` (no Search API), capped per release."""
        got = self.store.chunks.query(
            query_embeddings=[vector.tolist()],
            n_results=self.pool,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        hits: list[Hit] = []
        per_release: dict[str, int] = {}
        rows = zip(
            got["ids"][0],
            got["documents"][0],
            got["metadatas"][0],
            got["distances"][0],
            strict=True,
        )
        for rank, (cid, doc, meta, distance) in enumerate(rows, 1):
            chunk = chunk_from_record(cid, doc, meta or {})
            seen = per_release.get(chunk.publication_id, 0)
            if self.max_per_publication and seen >= self.max_per_publication:
                continue
            per_release[chunk.publication_id] = seen + 1
            similarity = 1.0 - float(distance)
            hits.append(
                Hit(
                    chunk=chunk,
                    score=1.0 / (RRF_K + rank),
                    dense_rank=rank,
                    dense_score=similarity,
                )
            )
            if len(hits) == k:
                break
        return hits


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0
