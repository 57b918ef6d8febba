"""BM25 terms as Chroma sparse vectors, for a collection searched through the Search API.

The terms are this project's own (`index.text.tokenize`: stemming, synonyms, case
numbers kept whole), hashed to 31-bit indices, each weighted by BM25's saturated term
frequency and length norm. The other half of BM25, a term's rarity, is left to Chroma:
a sparse index created with `bm25=True` applies IDF over the collection at query time.
Chroma's own `ChromaBm25EmbeddingFunction` would also run without a download, but it
needs the `snowballstemmer` package and splits `C17-49764` into two unrelated tokens.

`chunk_schema()` is what a chunk collection must be created with for the sparse index to
exist; Chroma's client fills the sparse key from each chunk's document on every add or
upsert, so the ingest writer needs no change.
"""

from __future__ import annotations

import zlib
from collections import Counter
from typing import Any

from chromadb.api.types import Documents, SparseEmbeddingFunction, SparseVectors
from chromadb.base_types import SparseVector
from chromadb.utils.embedding_functions import register_sparse_embedding_function

from index.text import tokenize

# Metadata key holding each chunk's sparse vector.
SPARSE_KEY = "bm25_terms"
NAME = "policing_qa_bm25"
# Terms in a chunk after stopwords: chunks are ~200 word pieces, about 90 kept terms.
AVG_TERMS = 90.0


def term_index(term: str) -> int:
    """A stable 31-bit index for a term (the same in every process and on every machine)."""
    return zlib.crc32(term.encode()) & 0x7FFFFFFF


@register_sparse_embedding_function
class TermsBm25(SparseEmbeddingFunction[Documents]):
    """Sparse BM25 term weights of texts, by the project's tokenizer."""

    def __init__(self, k: float = 1.2, b: float = 0.75, avg_terms: float = AVG_TERMS):
        self.k, self.b, self.avg_terms = float(k), float(b), float(avg_terms)

    def _encode(self, text: str) -> SparseVector:
        counts = Counter(term_index(t) for t in tokenize(text))
        length = sum(counts.values())
        norm = self.k * (1 - self.b + self.b * length / self.avg_terms)
        indices = sorted(counts)
        values = [counts[i] * (self.k + 1) / (counts[i] + norm) for i in indices]
        return SparseVector(indices=indices, values=values)

    def __call__(self, input: Documents) -> SparseVectors:  # noqa: A002 (Chroma's signature)
        return [self._encode(text) for text in input]

    def embed_query(self, input: Documents) -> SparseVectors:  # noqa: A002
        return self.__call__(input)

    @staticmethod
    def name() -> str:
        return NAME

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> TermsBm25:
        return TermsBm25(
            k=config.get("k", 1.2),
            b=config.get("b", 0.75),
            avg_terms=config.get("avg_terms", AVG_TERMS),
        )

    def get_config(self) -> dict[str, Any]:
        return {"k": self.k, "b": self.b, "avg_terms": self.avg_terms}

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        unknown = set(config) - {"k", "b", "avg_terms"}
        if unknown:
            raise ValueError(f"{NAME}: unknown settings {sorted(unknown)}")


def chunk_schema(bm25: bool = True):
    """The chunk collection's schema: cosine vectors and (unless `bm25` is False) a BM25
    sparse index.

    Pass it as `schema=` in place of the `configuration=` `index.store.Store` gives
    today: Chroma refuses both at once ("Cannot set both collection config and schema
    simultaneously").
    """
    from chromadb import Schema, SparseVectorIndexConfig, VectorIndexConfig
    from chromadb.execution.expression import K

    schema = Schema()
    schema.create_index(config=VectorIndexConfig(space="cosine"))
    if not bm25:
        return schema
    schema.create_index(
        key=SPARSE_KEY,
        config=SparseVectorIndexConfig(
            source_key=K.DOCUMENT, embedding_function=TermsBm25(), bm25=True
        ),
    )
    return schema


def sparse_key(collection) -> str | None:
    """The collection's enabled sparse-vector key (ours if several), or None."""
    schema = getattr(collection, "schema", None)
    keys = []
    for key, types in (schema.keys if schema else {}).items():
        index = types.sparse_vector.sparse_vector_index if types.sparse_vector else None
        if index is not None and index.enabled:
            keys.append(key)
    return SPARSE_KEY if SPARSE_KEY in keys else (keys[0] if keys else None)
