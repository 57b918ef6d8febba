"""Publications as the MCP tools show them: search hits, one publication found by id or
URL, and its text with a metadata header (the `publication://{id}` resource).

Everything is read from the retriever's snapshot of committed chunks, so a release an
ingest run is still writing is never half shown.
"""

from __future__ import annotations

import re

from bot.mcp.schemas import PublicationHit, PublicationText
from index.models import Chunk, Hit
from index.snapshot import Snapshot

SNIPPET_CHARS = 300


class NoSuchPublication(LookupError):
    """No single publication has that id or URL."""


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The text on one line, cut at a word before `limit` characters."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " …"


def search_hits(hits: list[Hit], limit: int) -> list[PublicationHit]:
    """One hit per publication, best first, each with its best passage."""
    seen: set[str] = set()
    out: list[PublicationHit] = []
    for hit in hits:
        chunk = hit.chunk
        if chunk.publication_id in seen:
            continue
        seen.add(chunk.publication_id)
        out.append(PublicationHit(**_metadata(chunk), snippet=snippet(chunk.text)))
        if len(out) == limit:
            break
    return out


def find_publication(snapshot: Snapshot, id_or_url: str) -> PublicationText:
    """The publication with this id, else the one read from or citing this URL."""
    key = id_or_url.strip()
    if key in snapshot.by_publication:
        return _whole(snapshot, key)
    store = snapshot.cache.store
    matches = [p for p in store.publications_citing(key) if p in snapshot.by_publication]
    if not matches and "#" not in key:
        # A bulletin's releases are cited as PAGE#anchor; the page URL names them all
        # (a rare question, answered by reading every publication's first chunk).
        firsts = snapshot.fetch([pos[0] for pos in snapshot.by_publication.values()])
        matches = [
            snapshot.publication_at[p]
            for p, c in firsts.items()
            if (c.url or "").split("#")[0] == key
        ]
    if not matches:
        raise NoSuchPublication(f"no publication with id or URL {key!r}")
    if len(matches) > 1:
        # A daily bulletin page holds several releases under one URL.
        listed = "; ".join(f"{pid} ({snapshot.first_chunk(pid).title})" for pid in matches)
        raise NoSuchPublication(
            f"{key!r} is the URL of {len(matches)} publications (one page of several "
            f"releases); ask for one of them by id: {listed}"
        )
    return _whole(snapshot, matches[0])


def as_text(pub: PublicationText) -> str:
    """The publication as plain text: a header of its metadata, a blank line, its text."""
    header = [
        f"Title: {pub.title}",
        f"Published: {pub.published or 'undated'}",
        f"URL: {pub.url or '-'}",
        f"Issuer: {pub.issuer or '-'}",
        f"Case numbers: {', '.join(pub.references) or '-'}",
        f"Source: {pub.source}",
        f"Id: {pub.id}",
    ]
    return "\n".join(header) + "\n\n" + pub.text


def _whole(snapshot: Snapshot, publication_id: str) -> PublicationText:
    chunks = list(snapshot.fetch(snapshot.by_publication[publication_id]).values())
    # Chunks are whole paragraphs (footnotes last), so the text reads as stored.
    text = "\n\n".join(c.text for c in sorted(chunks, key=lambda c: c.ord))
    return PublicationText(**_metadata(chunks[0]), text=text)


def _metadata(chunk: Chunk) -> dict:
    return {
        "id": chunk.publication_id,
        "title": chunk.title,
        "published": chunk.published.isoformat() if chunk.published else None,
        "url": chunk.url,
        "source": chunk.source,
        "issuer": chunk.issuer,
        "references": list(chunk.references),
    }
