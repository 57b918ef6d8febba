"""Ordering retrieved chunks: rank fusion, recency among the relevant, a cap per release."""

from __future__ import annotations

from index.models import Hit
from index.records import date_int
from index.snapshot import Snapshot

RRF_K = 60


def fuse(
    snap: Snapshot,
    dense: list[tuple[int, float]],
    lexical: list[tuple[int, float]],
    anchors: dict[int, float],
    limit: int,
) -> list[Hit]:
    """Reciprocal rank fusion, plus up to one top rank's worth for rare exact terms.

    `dense` and `lexical` are (position, score) lists, best first; `anchors` maps the
    positions holding the question's rare terms (names, streets, ids) to the share of
    those terms they hold, so an exact match ranked low by vectors still rises. The
    best `limit` become hits, their chunks fetched from the store.
    """
    scores = {pos: share / (RRF_K + 1) for pos, share in anchors.items()}
    ranks: dict[int, dict[str, float]] = {pos: {} for pos in anchors}
    for name, ranked in (("dense_rank", dense), ("lexical_rank", lexical)):
        for rank, (pos, _) in enumerate(ranked, 1):
            scores[pos] = scores.get(pos, 0.0) + 1.0 / (RRF_K + rank)
            ranks.setdefault(pos, {})[name] = rank
    for pos, similarity in dense:
        ranks[pos]["dense_score"] = similarity
    # Ties (one chunk first by vectors, another first by BM25) go to the newer release,
    # then to the earlier position, so the order never depends on set iteration.
    published = snap.published
    order = sorted(scores, key=lambda p: (-round(scores[p], 12), -int(published[p]), p))[:limit]
    chunks = snap.fetch(order)
    return [Hit(chunk=chunks[p], score=scores[p], **ranks[p]) for p in order if p in chunks]


def latest_first(hits: list[Hit], fused: dict[str, float], share: float, top: int) -> list[Hit]:
    """Newest first among hits both rankings put near the top; recency never adds hits.

    A hit is relevant when it is among the `top` of both the vector and the BM25
    rankings and fused at least `share` of the best: vectors alone call any homicide
    release "close" to a question about one homicide.
    """
    floor = max(fused.values(), default=0.0) * share
    relevant = [
        h
        for h in hits
        if fused.get(h.chunk.id, 0.0) >= floor
        and (h.dense_rank or top + 1) <= top
        and (h.lexical_rank or top + 1) <= top
    ]
    chosen = {h.chunk.id for h in relevant}
    newest = sorted(relevant, key=lambda h: -date_int(h.chunk.published))
    return newest + [h for h in hits if h.chunk.id not in chosen]


def case_first(snap: Snapshot, hits: list[Hit], publications: list[str]) -> list[Hit]:
    """The case's releases newest first, each by its retrieved chunks (else its first)."""
    wanted = set(publications)
    found: dict[str, list[Hit]] = {}
    for hit in hits:
        if hit.chunk.publication_id in wanted:
            found.setdefault(hit.chunk.publication_id, []).append(hit)
    for pid in publications:
        if pid not in found:
            first = snap.first_chunk(pid)
            if first is not None:
                found[pid] = [Hit(chunk=first, score=0.0)]
    newest = sorted(found.values(), key=lambda g: -date_int(g[0].chunk.published))
    return [h for g in newest for h in g] + [
        h for h in hits if h.chunk.publication_id not in wanted
    ]


def cap_per_publication(hits: list[Hit], k: int, per_publication: int) -> list[Hit]:
    """The first `k` hits, at most `per_publication` from each, a release's chunks in order."""
    groups: dict[str, list[Hit]] = {}
    total = 0
    for hit in hits:
        group = groups.setdefault(hit.chunk.publication_id, [])
        if len(group) < per_publication and total < k:
            group.append(hit)
            total += 1
    return [h for g in groups.values() for h in sorted(g, key=lambda h: h.chunk.ord)]


def case_history(snap: Snapshot, publications: list[str], hits: list[Hit]) -> list[Hit]:
    """One hit per release of a case, oldest first: its best chunk found, else its first."""
    best: dict[str, Hit] = {}
    for hit in hits:
        best.setdefault(hit.chunk.publication_id, hit)
    out = []
    for pid in publications:
        first = None if pid in best else snap.first_chunk(pid)
        if pid in best or first is not None:
            out.append(best.get(pid) or Hit(chunk=first, score=0.0))
    return sorted(out, key=lambda h: date_int(h.chunk.published))
