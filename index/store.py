"""The Chroma store: chunks with embeddings, and the ledger that makes ingestion safe.

Four collections share a prefix (their record layout: `index.records`):
- `<name>_chunks`: one record a chunk, with its embedding, its publication's metadata and
  the token of the run that wrote it.
- `<name>_publications`: one record a committed publication (content hash, chunk ids),
  written after its chunks: readers trust only chunks it lists (`index.sweep` clears
  what a killed run left).
- `<name>_sources`: one record a source: the hash of its bytes and its publications, so
  an unchanged source is skipped unparsed; for a URL its HTTP validators, and for a feed
  or sitemap the pages it listed.
- `<name>_runs`: run records (`index.runs`): per-source status, the lease, follows,
  digests, the Slack app's answers, feedback and claimed events.
- `<name>_lexicon`: the persisted lexical index (`index.lexicon`).

The ledger lives in Chroma itself, not in a local file, so a shared Chroma server stays
consistent whichever machine runs the ingestion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from index.client import open_client
from index.errors import ConfigError, StoreUnavailable
from index.lexicon import Lexicon
from index.models import Chunk, Publication
from index.records import (
    LEDGER_VECTOR,
    StoredPublication,
    StoredSource,
    chunk_from_record,
    chunk_metadata,
    chunk_run,
    publication_from_record,
    publication_metadata,
    record_id,
    source_from_record,
    source_metadata,
)
from index.runs import RunRecords

_GET_PAGE = 5000
# HNSW candidates per query. Chroma's default (100) missed the true nearest chunk for
# some questions on the full corpus, varying from process to process (the graph is
# rebuilt from the write log on open); 400 found 99.9% of the exact top 40 every time,
# for +0.2 ms a query (measured on 6,321 chunks).
EF_SEARCH = 400


class Store:
    """Reads and writes chunks and the ingestion ledger in one Chroma database."""

    def __init__(self, client, name: str = "policing_qa", schema=None):
        """`schema`: the chunk collection's Chroma schema (`index.sparse.chunk_schema`, for
        the Search API backend) in place of the HNSW configuration."""
        self.client = client
        self.name = name
        layout = {"configuration": {"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}}}
        try:
            self.chunks = client.get_or_create_collection(
                f"{name}_chunks",
                embedding_function=None,
                **({"schema": schema} if schema else layout),
            )
            if schema is None:
                self._widen_search(self.chunks)
            self.publications = client.get_or_create_collection(
                f"{name}_publications", embedding_function=None
            )
            self.sources = client.get_or_create_collection(
                f"{name}_sources", embedding_function=None
            )
            self.runs = client.get_or_create_collection(f"{name}_runs", embedding_function=None)
            self.run_records = RunRecords(self.runs)
        except Exception as exc:
            if schema is not None:
                raise ConfigError(
                    f"retrieval_backend 'search-api' needs a Chroma with the Search API and "
                    f"sparse indexes (distributed Chroma): {exc}"
                ) from exc
            raise StoreUnavailable(f"cannot open collections {name}_*: {exc}") from exc
        self.lexicon = Lexicon(client, name)

    @staticmethod
    def _widen_search(collection) -> None:
        """Raise a store's HNSW ef_search to EF_SEARCH (stores made before it was set)."""
        hnsw = (collection.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search", 0) < EF_SEARCH:
            collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})

    # --- chunks -------------------------------------------------------------------------

    def add_chunks(
        self,
        chunks: Sequence[Chunk],
        embeddings: Sequence[Sequence[float]],
        run: str | None = None,
    ) -> None:
        """Write chunks (not yet visible to readers); `run` tags them with the run's token."""
        if not chunks:
            return
        self.chunks.upsert(
            ids=[c.id for c in chunks],
            embeddings=[list(e) for e in embeddings],
            documents=[c.text for c in chunks],
            metadatas=[chunk_metadata(c, run) for c in chunks],
        )

    def delete_chunks(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), _GET_PAGE):
            self.chunks.delete(ids=ids[start : start + _GET_PAGE])

    def chunk_rows(self) -> dict[str, tuple[str, str, str | None]]:
        """Every stored chunk id -> (publication id, content hash, run token or None)."""
        out: dict[str, tuple[str, str, str | None]] = {}
        for ids, metas, _ in self._scan(self.chunks, include=["metadatas"]):
            for cid, meta in zip(ids, metas, strict=True):
                pid, digest = meta.get("publication_id", ""), meta.get("content_hash", "")
                out[cid] = (pid, digest, chunk_run(meta))
        return out

    def nearest_chunks(
        self, vector: Sequence[float], n: int, where: list[dict] | None = None, ids=None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the `n` nearest chunks passing all of `where`,
        among `ids` if given."""
        where = (where[0] if len(where) == 1 else {"$and": where}) if where else None
        got = self.chunks.query(
            query_embeddings=[list(vector)],
            n_results=n,
            include=["distances"],
            where=where,
            ids=ids,
        )
        return [
            (cid, 1.0 - float(d)) for cid, d in zip(got["ids"][0], got["distances"][0], strict=True)
        ]

    def publication_chunks(self, publication_ids: Sequence[str], limit: int) -> list[Chunk]:
        """Stored chunks of these publications, up to `limit` in all (any version)."""
        ids = list(publication_ids)
        if not ids:
            return []
        where = {"publication_id": ids[0]} if len(ids) == 1 else {"publication_id": {"$in": ids}}
        got = self.chunks.get(where=where, include=["metadatas", "documents"], limit=limit)
        return [
            chunk_from_record(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def all_chunks(self) -> list[Chunk]:
        """Every chunk with its text and metadata (to rebuild the lexical index)."""
        out = []
        for ids, metas, docs in self._scan(self.chunks, include=["metadatas", "documents"]):
            out.extend(chunk_from_record(i, d, m) for i, d, m in zip(ids, docs, metas, strict=True))
        return out

    def publications_citing(self, url: str) -> list[str]:
        """Publications with a chunk read from or citing `url` (any version)."""
        got = self.chunks.get(where={"$or": [{"url": url}, {"source": url}]}, include=["metadatas"])
        return list(dict.fromkeys(m["publication_id"] for m in got["metadatas"]))

    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]:
        if not ids:
            return []
        got = self.chunks.get(ids=list(ids), include=["metadatas", "documents"])
        return [
            chunk_from_record(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    # --- publications (the commit record) ----------------------------------------------

    def commit_publications(
        self, items: Sequence[tuple[Publication, list[str]]], when: str
    ) -> None:
        """Commit several publications in one write (each Chroma write has a fixed cost)."""
        if not items:
            return
        self.publications.upsert(
            ids=[pub.id for pub, _ in items],
            embeddings=[LEDGER_VECTOR] * len(items),
            documents=[pub.title for pub, _ in items],
            metadatas=[publication_metadata(pub, chunk_ids, when) for pub, chunk_ids in items],
        )

    def get_publications(self, ids: Sequence[str] | None = None) -> dict[str, StoredPublication]:
        if ids is not None:
            if not ids:
                return {}
            got = self.publications.get(ids=list(ids), include=["metadatas"])
            pages = [(got["ids"], got["metadatas"], None)]
        else:
            pages = self._scan(self.publications, include=["metadatas"])
        out = {}
        for page_ids, metas, _ in pages:
            for pid, meta in zip(page_ids, metas, strict=True):
                out[pid] = publication_from_record(pid, meta)
        return out

    def delete_publications(self, ids: Iterable[str]) -> int:
        """Remove publications: their record first, so none is ever half visible."""
        stored = self.get_publications(list(ids))
        if not stored:
            return 0
        self.publications.delete(ids=list(stored))
        gone = [c for p in stored.values() for c in p.chunk_ids]
        self.lexicon.append([], gone)
        self.delete_chunks(gone)
        # Chunks a killed run wrote under these publications are swept here too.
        self.chunks.delete(where={"publication_id": {"$in": list(stored)}})
        return len(stored)

    # --- sources ---------------------------------------------------------------------

    def put_source(self, record: StoredSource) -> None:
        self.put_sources([record])

    def put_sources(self, records: Sequence[StoredSource]) -> None:
        """Write source records in one call."""
        if not records:
            return
        self.sources.upsert(
            ids=[record_id(r.source) for r in records],
            embeddings=[LEDGER_VECTOR] * len(records),
            documents=[r.source for r in records],
            metadatas=[source_metadata(r) for r in records],
        )

    def get_sources(self) -> dict[str, StoredSource]:
        out = {}
        for _ids, metas, docs in self._scan(self.sources, include=["metadatas", "documents"]):
            for meta, source in zip(metas, docs, strict=True):
                out[source] = source_from_record(source, meta)
        return out

    def delete_source(self, source: str) -> None:
        self.sources.delete(ids=[record_id(source)])

    # --- run records (`index.runs`): status, the lease, follows, the Slack app's ----------

    def put_run_record(self, key: str, kind: str, data: dict) -> None:
        self.run_records.put(key, kind, data)

    def get_run_records(self, kind: str) -> dict[str, dict]:
        """Records of one kind, key -> data, in the order they were first written."""
        return self.run_records.all(kind)

    def delete_run_record(self, key: str, kind: str) -> None:
        self.run_records.delete(key, kind)

    # --- maintenance -------------------------------------------------------------------

    def sweep(self):
        """Delete what interrupted runs left (see `index.sweep`); returns a `Swept`."""
        from index.sweep import sweep

        return sweep(self)

    def counts(self) -> tuple[int, int]:
        """(publications, chunks) in the store."""
        return self.publications.count(), self.chunks.count()

    def freshness(self) -> tuple[str | None, dt.date | None]:
        """(time of the last ingest, date of the newest publication): from the lexicon's
        head, else in one scan of the publication records."""
        if (head := self.lexicon.head()) is not None:
            return head.updated, head.newest_date
        pubs = self.get_publications().values()
        times = [p.ingested_at for p in pubs if p.ingested_at]
        dates = [p.published for p in pubs if p.published]
        return (max(times) if times else None), (max(dates) if dates else None)

    def _scan(self, collection, include: list[str]):
        offset = 0
        while True:
            got = collection.get(include=include, limit=_GET_PAGE, offset=offset)
            if not got["ids"]:
                return
            docs = got.get("documents") or [None] * len(got["ids"])
            metas = got.get("metadatas") or [{}] * len(got["ids"])
            yield got["ids"], metas, docs
            if len(got["ids"]) < _GET_PAGE:
                return
            offset += _GET_PAGE


def open_store(settings) -> Store:
    """The store that `settings` name: a Chroma server if configured, else on disk."""
    client = open_client(settings.store, settings.chroma_url)
    if settings.retrieval_backend == "search-api":
        from index.sparse import chunk_schema

        return Store(client, settings.collection, schema=chunk_schema())
    return Store(client, settings.collection)
