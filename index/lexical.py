"""BM25 over chunk titles and texts, tokenized so case numbers and addresses match exactly.

Implemented here rather than with `bm25s`: the retriever needs its own tokenizer,
boolean masks for date, issuer and case filters on every query, and an index that grows
by segments (`index.segment`) without being rebuilt. Postings hold raw term counts, one
block a segment; weights are computed at query time from the live chunks' statistics,
so removing or adding chunks never rewrites a block, and scores equal classic BM25 over
the live chunks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from index.segment import Segment
from index.text import tokenize


@dataclass(frozen=True)
class _Block:
    """One segment's postings: term (global id) x chunk counts, its chunks from `offset`."""

    offset: int
    postings: sparse.csr_matrix


class LexicalIndex:
    """BM25 over chunk positions; `alive` says which positions are live chunks.

    Immutable once built: `extend` returns a new index sharing this one's blocks (and
    its vocabulary, which only ever grows, so older indexes still read it correctly).
    """

    def __init__(self, vocab=None, blocks=(), lengths=None, alive=None, *, k1=1.2, b=0.75):
        self.vocab: dict[str, int] = {} if vocab is None else vocab
        self.blocks: tuple[_Block, ...] = tuple(blocks)
        self.lengths = np.zeros(0, np.float32) if lengths is None else lengths
        self.alive = np.zeros(0, bool) if alive is None else alive
        self.k1, self.b = k1, b
        self.size = int(self.alive.sum())  # live chunks: BM25's N
        live_lengths = self.lengths[self.alive]
        avg = float(live_lengths.mean()) if self.size else 1.0
        self._norm = k1 * (1 - b + b * self.lengths / max(avg, 1.0))

    def extend(self, segment: Segment, alive: np.ndarray) -> LexicalIndex:
        """This index plus `segment`'s chunks at the next positions, with a new `alive`."""
        vocab = self.vocab
        ids = np.asarray([vocab.setdefault(t, len(vocab)) for t in segment.vocab], np.int64)
        counts = segment.counts.tocoo()
        postings = sparse.csr_matrix(
            (counts.data.astype(np.float32), (ids[counts.col], counts.row)),
            shape=(len(vocab), len(segment.ids)),
        )
        lengths = np.asarray(segment.counts.sum(axis=1), np.float32).ravel()
        return LexicalIndex(
            vocab,
            (*self.blocks, _Block(len(self.lengths), postings)),
            np.concatenate([self.lengths, lengths]),
            alive,
            k1=self.k1,
            b=self.b,
        )

    def with_alive(self, alive: np.ndarray) -> LexicalIndex:
        return LexicalIndex(self.vocab, self.blocks, self.lengths, alive, k1=self.k1, b=self.b)

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(positions, counts) of the live chunks holding `term`."""
        tid = self.vocab.get(term)
        if tid is None:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        positions, counts = [], []
        for block in self.blocks:
            matrix = block.postings
            if tid >= matrix.shape[0]:
                continue
            start, end = matrix.indptr[tid], matrix.indptr[tid + 1]
            positions.append(matrix.indices[start:end].astype(np.int64) + block.offset)
            counts.append(matrix.data[start:end])
        if not positions:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        pos, tf = np.concatenate(positions), np.concatenate(counts)
        keep = self.alive[pos]
        return pos[keep], tf[keep]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every position for `query` (zeros where no term matches)."""
        scores = np.zeros(len(self.lengths), dtype=np.float32)
        cache: dict[str, tuple] = {}
        # A repeated query term counts once per occurrence, as in classic BM25.
        for term in tokenize(query):
            if term not in cache:
                cache[term] = self.postings(term)
            pos, tf = cache[term]
            if not pos.size:
                continue
            idf = math.log1p((self.size - pos.size + 0.5) / (pos.size + 0.5))
            scores[pos] += idf * tf * (self.k1 + 1) / (tf + self._norm[pos])
        return scores

    def anchors(self, query: str, max_share: float = 0.01) -> dict[int, float]:
        """Chunks holding the query's rare terms (names, streets, ids): position -> share.

        A term is rare when at most `max_share` of the chunks hold it; the share is
        the IDF-weighted part of those terms a chunk holds, so fusion can lift an
        exact-name match that a vector search ranks low.
        """
        limit = max(2, int(self.size * max_share))
        rare = {}
        for term in set(tokenize(query)):
            pos, _ = self.postings(term)
            if 0 < pos.size <= limit:
                rare[term] = (pos, float(np.log1p(self.size / pos.size)))
        total = sum(weight for _, weight in rare.values())
        share: dict[int, float] = {}
        for pos, weight in rare.values():
            for doc in pos.tolist():
                share[doc] = share.get(doc, 0.0) + weight / total
        return share

    def idf(self, terms) -> dict[str, float]:
        """log((N + 1) / (df + 1)) + 1 for each term: 1 for the commonest, most for unseen."""
        return {
            term: math.log((self.size + 1) / (self.postings(term)[0].size + 1)) + 1.0
            for term in terms
        }

    def top(self, query: str, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `n` best (position, score) pairs with a positive score, within `mask`."""
        scores = self.scores(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        hits = np.flatnonzero(scores > 0)
        if hits.size > n:
            hits = hits[np.argpartition(-scores[hits], n - 1)[:n]]
        order = hits[np.argsort(-scores[hits], kind="stable")]
        return [(int(i), float(scores[i])) for i in order]
