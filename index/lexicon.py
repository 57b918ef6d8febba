"""The persisted lexical index: segments in the store itself, listed by one head record.

Every process that answers needs the BM25 postings and filter columns of all committed
chunks. Rebuilding them from every chunk text at start grows with the store, so the
ingest run that commits chunks also writes what it changed as a segment
(`index.segment`) into the `<name>_lexicon` collection, then a head record listing the
live segments in order. A process loads the segments once and afterwards applies only
the ones the head lists that it has not seen. The segments live in Chroma, beside the
chunks, so every replica of a shared Chroma server reads the same index.

Writes: the segment's parts first, then the head (one upsert, the commit point), then
the parts of segments a merge replaced. Merging the newest segments whenever the older
is no bigger than the newer (a binary counter) keeps O(log n) segments and O(n log n)
total merge work. The ingest run holding the lease is the only writer; a run that died
between committing publications and writing their segment is followed by a rebuild
from the committed chunks (`rebuild`), as is a store that never had a head.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from index.errors import StoreUnavailable
from index.models import Chunk
from index.segment import Segment, merge

log = logging.getLogger(__name__)

_HEAD = "head"
_PART_CHARS = 2 * 1024 * 1024  # base64 characters a record (and a request) holds
_VECTOR = [1.0]


@dataclass(frozen=True)
class Head:
    """The live segments, oldest first, with their sizes; and the next segment number."""

    segments: tuple[tuple[str, int], ...]
    next: int
    updated: str  # when the last commit was recorded
    newest: int  # the newest publication date recorded (YYYYMMDD), 0 if none

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sid for sid, _ in self.segments)

    @property
    def newest_date(self) -> dt.date | None:
        day = self.newest
        return dt.date(day // 10000, day // 100 % 100, day % 100) if day else None


class Lexicon:
    """Reads and writes the segment log of one store."""

    def __init__(self, client, name: str):
        try:
            self.collection = client.get_or_create_collection(
                f"{name}_lexicon", embedding_function=None
            )
        except Exception as exc:
            raise StoreUnavailable(f"cannot open collection {name}_lexicon: {exc}") from exc
        self._cache: dict[str, Segment] = {}  # segments this process wrote or read

    def head(self) -> Head | None:
        """The current head, or None when the store has no lexical index yet."""
        got = self.collection.get(ids=[_HEAD], include=["documents"])
        if not got["ids"]:
            return None
        data = json.loads(got["documents"][0])
        segments = tuple((s, n) for s, n in data["segments"])
        return Head(segments, data["next"], data["updated"], data.get("newest", 0))

    def read(self, sid: str, remember: bool = True) -> Segment:
        """One segment, from this process's cache or the store (kept there if `remember`:
        the writer merges the newest segments next; a reader never needs one twice)."""
        if sid in self._cache:
            return self._cache[sid]
        got = self.collection.get(where={"segment": sid}, include=["documents", "metadatas"])
        parts = sorted(
            zip(got["metadatas"], got["documents"], strict=True), key=lambda p: p[0]["part"]
        )
        if not parts or len(parts) != parts[0][0]["parts"]:
            raise LookupError(f"segment {sid} is incomplete ({len(parts)} parts found)")
        segment = Segment.from_bytes(base64.b64decode("".join(doc for _, doc in parts)))
        if remember:
            self._remember(sid, segment)
        return segment

    def append(self, chunks: Sequence[Chunk], removed: Sequence[str] = ()) -> None:
        """Record a commit: `chunks` became live, `removed` chunk ids are gone.

        Does nothing while the store has no head: the next ingest run builds the index
        from the committed chunks (`rebuild`), which then includes this commit.
        """
        head = self.head()
        if head is None or not (chunks or removed):
            return
        tail = Segment.of_chunks(chunks, removed)
        live = list(head.segments)
        replaced = []
        while live and live[-1][1] <= tail.size:
            sid, _ = live.pop()
            tail = merge(self.read(sid), tail, first=not live)
            replaced.append(sid)
        self._publish(live, tail, head.next, replaced, head.newest)

    def rebuild(self, chunks: Sequence[Chunk]) -> None:
        """Replace the whole index with one segment of these (committed) chunks."""
        head = self.head()
        old = list(head.ids) if head else []
        self._publish([], Segment.of_chunks(chunks), head.next if head else 1, old, 0)
        # Parts a writer left before dying (never listed by a head) go too.
        keep = set(self.head().ids)
        got = self.collection.get(include=["metadatas"])
        stray = [
            rid
            for rid, meta in zip(got["ids"], got["metadatas"], strict=True)
            if rid != _HEAD and (meta or {}).get("segment") not in keep
        ]
        if stray:
            self.collection.delete(ids=stray)

    def _publish(self, live, segment: Segment, number: int, replaced: list, newest: int) -> None:
        sid = f"{number:012d}"
        text = base64.b64encode(segment.to_bytes()).decode()
        parts = [text[i : i + _PART_CHARS] for i in range(0, len(text), _PART_CHARS)] or [""]
        # One request a part: a Chroma server refuses large bodies ("Payload too large").
        for i, part in enumerate(parts):
            self.collection.upsert(
                ids=[f"{sid}:{i}"],
                embeddings=[_VECTOR],
                documents=[part],
                metadatas=[{"segment": sid, "part": i, "parts": len(parts)}],
            )
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        newest = max([newest, *segment.published.tolist()])
        head = {
            "segments": [*live, (sid, segment.size)],
            "next": number + 1,
            "updated": now,
            "newest": newest,
        }
        self.collection.upsert(
            ids=[_HEAD], embeddings=[_VECTOR], documents=[json.dumps(head)], metadatas=[{"head": 1}]
        )
        self._remember(sid, segment)
        for old in replaced:
            self._cache.pop(old, None)
            self.collection.delete(where={"segment": old})
        log.debug(
            "lexical index: segment %s (%d chunks), %d live", sid, len(segment.ids), len(live) + 1
        )

    def _remember(self, sid: str, segment: Segment) -> None:
        # The newest segments are the ones merged next; older ones are re-read if needed.
        if len(self._cache) >= 4:
            self._cache.pop(min(self._cache))
        self._cache[sid] = segment
