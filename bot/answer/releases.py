"""Read more of a release than retrieval returned: its other chunks, from the store."""

from __future__ import annotations

import logging

from bot.answer.types import Source
from index.models import Chunk
from index.store import Store

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
        return self.complete_all([source], limit)

    def complete_all(self, sources: list[Source], limit: int = 12) -> bool:
        """Add their other chunks (up to `limit` each) to `sources` in one read."""
        by_id = {s.publication_id: s for s in sources}
        if not by_id:
            return False
        added: dict[str, list[Chunk]] = {}
        for chunk in self.store.publication_chunks(list(by_id), limit * len(by_id)):
            source = by_id.get(chunk.publication_id)
            # Leftovers of an interrupted ingest carry another version's hash: not this release.
            if source is None or chunk.content_hash != source.head.content_hash:
                continue
            if all(c.id != chunk.id for c in source.chunks):
                added.setdefault(chunk.publication_id, []).append(chunk)
        for pid, more in added.items():
            by_id[pid].chunks.extend(sorted(more, key=lambda c: c.ord))
        return bool(added)
