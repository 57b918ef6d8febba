"""How records are laid out in Chroma: chunk, publication and source metadata both ways.

Chroma metadata holds only scalars and lists of them, never None or an empty list, so
lists of ids and listing maps are stored as JSON text and dates as ISO text (plus an
integer YYYYMMDD for range filters).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from index.models import Chunk, Publication


@dataclass(frozen=True)
class StoredPublication:
    id: str
    content_hash: str
    chunk_ids: list[str]
    source: str
    title: str
    published: dt.date | None
    url: str | None
    issuer: str | None
    references: list[str]
    ingested_at: str


@dataclass(frozen=True)
class StoredSource:
    source: str
    digest: str
    publication_ids: list[str]
    reader: str
    etag: str | None = None
    last_modified: str | None = None
    # Feed or sitemap: page URL -> publication date the listing gave ("" when none), or
    # None for a page it no longer lists that waits for a run with --prune.
    items: dict[str, str | None] = field(default_factory=dict)
    # When the page first answered 404/410 (UTC, ISO); cleared when it answers again.
    gone: str | None = None


def date_int(value: dt.date | None) -> int:
    """A date as YYYYMMDD, for range filters and sorting; 0 for none (before every date)."""
    return int(value.strftime("%Y%m%d")) if value else 0


def _parse_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _clean(metadata: dict) -> dict:
    """Drop what Chroma refuses: None values and empty lists."""
    return {k: v for k, v in metadata.items() if v is not None and v != []}


# Chunk metadata key: the token of the ingest run that wrote the chunk (absent on chunks
# written before runs were tagged, and when the writer passed none).
RUN_KEY = "run"


def chunk_metadata(chunk: Chunk, run: str | None = None) -> dict:
    """A chunk's metadata; `run` tags it with the token of the run writing it."""
    return _clean(
        {
            "publication_id": chunk.publication_id,
            "content_hash": chunk.content_hash,
            "ord": chunk.ord,
            "title": chunk.title,
            "published": chunk.published.isoformat() if chunk.published else None,
            "published_int": date_int(chunk.published) or None,
            "url": chunk.url,
            "source": chunk.source,
            "issuer": chunk.issuer,
            "references": chunk.references,
            RUN_KEY: run,
        }
    )


def chunk_run(metadata: dict) -> str | None:
    """The token of the run that wrote a chunk, or None for an untagged chunk."""
    return metadata.get(RUN_KEY)


def chunk_from_record(chunk_id: str, document: str, metadata: dict) -> Chunk:
    return Chunk(
        id=chunk_id,
        publication_id=metadata["publication_id"],
        ord=int(metadata.get("ord", 0)),
        text=document,
        title=metadata.get("title", ""),
        published=_parse_date(metadata.get("published")),
        url=metadata.get("url"),
        source=metadata.get("source", ""),
        issuer=metadata.get("issuer"),
        references=list(metadata.get("references") or []),
        content_hash=metadata.get("content_hash", ""),
    )


def publication_metadata(pub: Publication, chunk_ids: list[str], when: str) -> dict:
    """The commit record of a publication: its content hash, chunk ids and metadata."""
    return _clean(
        {
            "content_hash": pub.content_hash,
            "chunk_ids": json.dumps(chunk_ids),
            "source": pub.source,
            "title": pub.title,
            "published": pub.published.isoformat() if pub.published else None,
            "published_int": date_int(pub.published) or None,
            "url": pub.url,
            "issuer": pub.issuer,
            "references": pub.references,
            "ingested_at": when,
        }
    )


def publication_from_record(pid: str, meta: dict) -> StoredPublication:
    return StoredPublication(
        id=pid,
        content_hash=meta.get("content_hash", ""),
        chunk_ids=json.loads(meta.get("chunk_ids", "[]")),
        source=meta.get("source", ""),
        title=meta.get("title", ""),
        published=_parse_date(meta.get("published")),
        url=meta.get("url"),
        issuer=meta.get("issuer"),
        references=list(meta.get("references") or []),
        ingested_at=meta.get("ingested_at", ""),
    )


def stored_publication(pub: Publication, chunk_ids: list[str], when: str) -> StoredPublication:
    """What the store holds for `pub` once committed, as a reader of the store sees it."""
    return publication_from_record(pub.id, publication_metadata(pub, chunk_ids, when))


def source_metadata(record: StoredSource) -> dict:
    """The ledger record of a source: the hash of its bytes, its publications, validators."""
    return _clean(
        {
            "digest": record.digest,
            "publication_ids": json.dumps(record.publication_ids),
            "reader": record.reader,
            "etag": record.etag,
            "last_modified": record.last_modified,
            "items": json.dumps(record.items) if record.items else None,
            # "" rather than None: an upsert keeps a key it is not given.
            "gone": record.gone or "",
        }
    )


def source_from_record(source: str, meta: dict) -> StoredSource:
    return StoredSource(
        source=source,
        digest=meta.get("digest", ""),
        publication_ids=json.loads(meta.get("publication_ids", "[]")),
        reader=meta.get("reader", ""),
        etag=meta.get("etag"),
        last_modified=meta.get("last_modified"),
        items=json.loads(meta.get("items", "{}")),
        gone=meta.get("gone") or None,
    )


# Chroma refuses empty vectors; ledger and run records carry this constant one.
LEDGER_VECTOR = [1.0]


def record_id(key: str) -> str:
    """A fixed-length Chroma id for a source or run record key."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]
