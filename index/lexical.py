"""BM25 over chunk titles and texts, tokenized so case numbers and addresses match exactly.

Implemented here rather than with `bm25s`: the scoring is the same (BM25 weights
computed once into a sparse term-by-document matrix, a query sums a few rows), but
the retriever needs its own tokenizer and boolean masks for date, issuer and case
filters on every query, and a dozen lines of numpy give both without adapters.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from index.text import tokenize


class LexicalIndex:
    """An immutable BM25 index over a fixed list of documents."""

    def __init__(self, documents: Sequence[str], *, k1: float = 1.2, b: float = 0.75):
        self.size = len(documents)
        self.vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(self.size, dtype=np.float32)
        for doc, text in enumerate(documents):
            counts = Counter(tokenize(text))
            lengths[doc] = sum(counts.values())
            for term, tf in counts.items():
                rows.append(self.vocab.setdefault(term, len(self.vocab)))
                cols.append(doc)
                tfs.append(tf)
        tf = np.asarray(tfs, dtype=np.float32)
        rows_a = np.asarray(rows, dtype=np.int64)
        cols_a = np.asarray(cols, dtype=np.int64)
        df = np.bincount(rows_a, minlength=len(self.vocab)).astype(np.float32)
        self.df = df
        idf = np.log1p((self.size - df + 0.5) / (df + 0.5))
        avg = float(lengths.mean()) if self.size else 1.0
        norm = k1 * (1 - b + b * lengths[cols_a] / max(avg, 1.0))
        weights = idf[rows_a] * tf * (k1 + 1) / (tf + norm)
        self.matrix = sparse.csr_matrix(
            (weights, (rows_a, cols_a)), shape=(len(self.vocab), self.size), dtype=np.float32
        )

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for `query` (zeros where no term matches)."""
        ids = [self.vocab[t] for t in tokenize(query) if t in self.vocab]
        if not ids or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        # A repeated query term counts once per occurrence, as in classic BM25.
        return np.asarray(self.matrix[ids].sum(axis=0)).ravel()

    def anchors(self, query: str, max_share: float = 0.01) -> dict[int, float]:
        """Documents holding the query's rare terms (names, streets, ids): doc -> share.

        A term is rare when at most `max_share` of the documents hold it; the share is
        the IDF-weighted part of those terms a document holds, so fusion can lift an
        exact-name match that a vector search ranks low.
        """
        limit = max(2, int(self.size * max_share))
        rare = {}
        for term in set(tokenize(query)):
            tid = self.vocab.get(term)
            if tid is not None and len(docs := self.matrix[tid].indices) <= limit:
                rare[tid] = (docs, float(np.log1p(self.size / len(docs))))
        total = sum(weight for _, weight in rare.values())
        share: dict[int, float] = {}
        for docs, weight in rare.values():
            for doc in docs:
                share[int(doc)] = share.get(int(doc), 0.0) + weight / total
        return share

    def idf(self, terms) -> dict[str, float]:
        """log((N + 1) / (df + 1)) + 1 for each term: 1 for the commonest, most for unseen."""
        out = {}
        for term in terms:
            tid = self.vocab.get(term)
            df = float(self.df[tid]) if tid is not None else 0.0
            out[term] = math.log((self.size + 1) / (df + 1)) + 1.0
        return out

    def top(self, query: str, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `n` best (document, score) pairs with a positive score, within `mask`."""
        scores = self.scores(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        hits = np.flatnonzero(scores > 0)
        if hits.size > n:
            hits = hits[np.argpartition(-scores[hits], n - 1)[:n]]
        order = hits[np.argsort(-scores[hits], kind="stable")]
        return [(int(i), float(scores[i])) for i in order]
