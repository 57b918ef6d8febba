"""Read more of a release than retrieval returned: its other chunks, from the store."""

from __future__ import annotations

import logging

from bot.sources import Source
from index.models import Chunk
from index.store import Store, chunk_from_record

log = logging.getLogger(__name__)


class ReleaseReader:
    """Fetches whole releases so the sentence that answers is there to be quoted."""

    def __init__(self, store: Store):
        self.store = store

    def next_chunk(self, chunk: Chunk) -> Chunk | None:
        """The chunk after `chunk` in its release (chunk ids end in their position)."""
        stem, _, ord_ = chunk.id.rpartition("-")
        if not ord_.isdigit():
            return None
        got = self.store.get_chunks([f"{stem}-{int(ord_) + 1:0{len(ord_)}d}"])
        return got[0] if got else None

    def complete(self, source: Source, limit: int = 12) -> bool:
        """Add the release's other chunks to `source`; True when any were missing."""
        head = source.head
        got = self.store.chunks.get(
            where={"publication_id": head.publication_id},
            include=["metadatas", "documents"],
            limit=limit,
        )
        have = {c.id for c in source.chunks}
        more = [
            chunk_from_record(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if i not in have
        ]
        # Leftovers of an interrupted ingest carry another version's hash: not this release.
        more = [c for c in more if c.content_hash == head.content_hash]
        source.chunks.extend(sorted(more, key=lambda c: c.ord))
        return bool(more)
