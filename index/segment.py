"""A segment of the persisted lexical index: what one commit added and removed.

A segment holds, for each chunk it adds, the columns retrieval filters on (publication,
order, date, issuer, case numbers) and the chunk's term counts; and the ids of chunks it
removes (older versions replaced, publications pruned). Applying segments in order gives
the committed chunks: a chunk id is live at its newest addition unless a later segment
removes it. Two adjacent segments merge into one with the same effect (`merge`), which
keeps their number logarithmic in the store's size (see `index.lexicon`).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from index.models import Chunk
from index.records import date_int
from index.text import tokenize

_SEP = "\x1f"  # never in ids, issuers, case numbers or terms
_TF_MAX = np.iinfo(np.uint16).max


def _pack(values: Sequence[str]) -> np.ndarray:
    return np.frombuffer(_SEP.join(values).encode(), dtype=np.uint8)


def _unpack(array: np.ndarray, count: int) -> list[str]:
    if count == 0:
        return []
    return array.tobytes().decode().split(_SEP)


@dataclass(frozen=True)
class Segment:
    """Chunks added (with columns and term counts) and chunk ids removed."""

    ids: list[str]
    publications: list[str]
    ords: np.ndarray  # int32
    published: np.ndarray  # int64 YYYYMMDD, 0 undated
    issuers: list[str]  # "" when none
    references: list[str]  # each chunk's case numbers, space-separated
    vocab: list[str]  # the segment's own term ids
    counts: sparse.csr_matrix  # chunk x term: how often the term occurs (uint16)
    removed: list[str]

    @property
    def size(self) -> int:
        """What a merge costs: chunks added plus ids removed."""
        return len(self.ids) + len(self.removed)

    @classmethod
    def of_chunks(cls, chunks: Sequence[Chunk], removed: Sequence[str] = ()) -> Segment:
        """The segment of these chunks (title and text are what BM25 indexes)."""
        vocab: dict[str, int] = {}
        indptr, terms, tfs = [0], [], []
        for chunk in chunks:
            for term, tf in Counter(tokenize(f"{chunk.title}\n{chunk.text}")).items():
                terms.append(vocab.setdefault(term, len(vocab)))
                tfs.append(min(tf, _TF_MAX))
            indptr.append(len(terms))
        counts = sparse.csr_matrix(
            (np.asarray(tfs, np.uint16), np.asarray(terms, np.int32), np.asarray(indptr)),
            shape=(len(chunks), len(vocab)),
        )
        return cls(
            ids=[c.id for c in chunks],
            publications=[c.publication_id for c in chunks],
            ords=np.asarray([c.ord for c in chunks], np.int32),
            published=np.asarray([date_int(c.published) for c in chunks], np.int64),
            issuers=[c.issuer or "" for c in chunks],
            references=[" ".join(r.upper() for r in c.references) for c in chunks],
            vocab=list(vocab),
            counts=counts,
            removed=sorted(set(removed)),
        )

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(
            out,
            n=np.asarray([len(self.ids), len(self.vocab), len(self.removed)]),
            ids=_pack(self.ids),
            publications=_pack(self.publications),
            ords=self.ords,
            published=self.published,
            issuers=_pack(self.issuers),
            references=_pack(self.references),
            vocab=_pack(self.vocab),
            indptr=self.counts.indptr.astype(np.int64),
            terms=self.counts.indices.astype(np.int32),
            tfs=self.counts.data.astype(np.uint16),
            removed=_pack(self.removed),
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Segment:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            docs, terms, removed = (int(v) for v in z["n"])
            counts = sparse.csr_matrix(
                (z["tfs"], z["terms"], z["indptr"]), shape=(docs, terms), dtype=np.uint16
            )
            return cls(
                ids=_unpack(z["ids"], docs),
                publications=_unpack(z["publications"], docs),
                ords=z["ords"],
                published=z["published"],
                issuers=_unpack(z["issuers"], docs),
                references=_unpack(z["references"], docs),
                vocab=_unpack(z["vocab"], terms),
                counts=counts,
                removed=_unpack(z["removed"], removed),
            )


def merge(older: Segment, newer: Segment, first: bool = False) -> Segment:
    """One segment with the effect of applying `older` then `newer`.

    `older`'s chunks that `newer` removes or adds again are dropped; both removal lists
    are kept, since they may name chunks of earlier segments, unless `older` is the
    first segment (`first`), before which there is nothing to remove.
    """
    gone = set(newer.removed) | set(newer.ids)
    keep = np.asarray([cid not in gone for cid in older.ids], dtype=bool)
    rows = np.flatnonzero(keep)
    vocab = {t: i for i, t in enumerate(older.vocab)}
    remap = np.asarray([vocab.setdefault(t, len(vocab)) for t in newer.vocab], np.int32)
    old_counts = older.counts[rows]
    old_counts.resize((len(rows), len(vocab)))
    new_counts = newer.counts.tocoo()
    new_counts = sparse.csr_matrix(
        (new_counts.data, (new_counts.row, remap[new_counts.col])),
        shape=(len(newer.ids), len(vocab)),
        dtype=np.uint16,
    )

    def pick(values: list[str]) -> list[str]:
        return [values[i] for i in rows]

    return Segment(
        ids=pick(older.ids) + newer.ids,
        publications=pick(older.publications) + newer.publications,
        ords=np.concatenate([older.ords[rows], newer.ords]),
        published=np.concatenate([older.published[rows], newer.published]),
        issuers=pick(older.issuers) + newer.issuers,
        references=pick(older.references) + newer.references,
        vocab=list(vocab),
        counts=sparse.vstack([old_counts, new_counts], format="csr", dtype=np.uint16),
        removed=[] if first else sorted(set(older.removed) | set(newer.removed)),
    )
