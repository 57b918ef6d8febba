"""A case's timeline: every release of the case, oldest first, each with what it added.

A case is named by its case number (`C18-209330`), carried by the releases that mention
it. Releases without case numbers (Regina's) are tied into one story the way the answerer
ties them: a release that retells substantial sentences of an earlier one is its update
(`bot.answer.novelty`). What a release adds is its news: the sentences no earlier release
of the timeline said (appeals and contact lines aside); the first release adds its own
opening sentences.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from bot.answer.novelty import find_news, routine
from bot.answer.sentence_bank import useful_spans
from bot.answer.types import Source
from index.models import Chunk
from index.records import StoredPublication
from index.store import Store
from index.text import CASE_NUMBER, find_references

# Sentences quoted for the release that opens a timeline (it adds all it says).
OPENING_SENTENCES = 2
# Chunks read per release (a long bulletin entry is a handful).
_CHUNKS_PER_RELEASE = 40
# What to tell someone whose text is not a case number.
CASE_NUMBER_SHAPE = "a case number looks like C19-255700 (a letter, two digits, a dash, digits)"


@dataclass(frozen=True)
class Entry:
    """One release of a timeline and what it added to the ones before it."""

    publication_id: str
    title: str
    published: dt.date | None
    url: str | None
    source: str
    issuer: str | None
    references: list[str]
    added: list[str]  # its news, verbatim sentences; [] when it adds nothing new

    def as_json(self) -> dict:
        out = asdict(self)
        out["published"] = self.published.isoformat() if self.published else None
        return out


@dataclass(frozen=True)
class Timeline:
    """A case (or story) and its releases, oldest first."""

    key: str  # the case number, or "story:<publication id>"
    label: str
    entries: list[Entry]

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "entries": [e.as_json() for e in self.entries],
        }


def case_key(text: str) -> str | None:
    """The case number `text` names ("c18-209330" -> "C18-209330"), or None."""
    text = text.strip()
    found = find_references(text) if CASE_NUMBER.fullmatch(text) else []
    return found[0] if found else None


class CaseBook:
    """Reads timelines from one store (its publication records and chunks)."""

    def __init__(self, store: Store):
        self.store = store

    def releases_of(self, reference: str) -> list[StoredPublication]:
        """Committed releases carrying `reference`, oldest first."""
        wanted = reference.upper()
        pubs = self.store.get_publications().values()
        found = [p for p in pubs if wanted in (r.upper() for r in p.references)]
        return sorted(found, key=_order)

    def timeline(self, reference: str) -> Timeline | None:
        """The timeline of a case number, or None when no release carries it."""
        key = case_key(reference)
        releases = self.releases_of(key) if key else []
        if not releases:
            return None
        entries = self._entries(releases, [p.id for p in releases])
        return Timeline(key, _label(key, releases), entries)

    def story(self, publication_id: str, candidates: list[str]) -> Timeline | None:
        """The story `publication_id` belongs to among `candidates` (retold sentences)."""
        pubs = self.store.get_publications(list(dict.fromkeys([publication_id, *candidates])))
        if publication_id not in pubs:
            return None
        sources = self._sources(list(pubs.values()))
        novelty = find_news(sources, [], _spans)
        ids = set(novelty.story([publication_id]))
        releases = sorted((p for p in pubs.values() if p.id in ids), key=_order)
        key = f"story:{publication_id}"
        return Timeline(key, releases[0].title, self._entries(releases, [], sources))

    def adds(self, publication_id: str, earlier: list[str]) -> list[str]:
        """What `publication_id` says that none of `earlier` said (for an alert)."""
        pubs = self.store.get_publications(list(dict.fromkeys([*earlier, publication_id])))
        if publication_id not in pubs:
            return []
        entries = self._entries(sorted(pubs.values(), key=_order), list(pubs))
        return next((e.added for e in entries if e.publication_id == publication_id), [])

    # --- reading ---------------------------------------------------------------------

    def _entries(self, releases, case_ids, sources: list[Source] | None = None) -> list[Entry]:
        sources = sources if sources is not None else self._sources(releases)
        by_id = {s.publication_id: s for s in sources}
        novelty = find_news(sources, case_ids or list(by_id), _spans)
        out = []
        for n, pub in enumerate(releases):
            source = by_id.get(pub.id)
            added = _added(source, novelty) if source and n else _opening(source)
            out.append(
                Entry(
                    publication_id=pub.id,
                    title=pub.title,
                    published=pub.published,
                    url=pub.url,
                    source=pub.source,
                    issuer=pub.issuer,
                    references=list(pub.references),
                    added=added,
                )
            )
        return out

    def _sources(self, releases: list[StoredPublication]) -> list[Source]:
        """The releases as the novelty finder reads them: whole, committed chunks only."""
        wanted = {p.id: set(p.chunk_ids) for p in releases}
        chunks: dict[str, list[Chunk]] = {}
        limit = _CHUNKS_PER_RELEASE * max(1, len(wanted))
        for chunk in self.store.publication_chunks(list(wanted), limit):
            if chunk.id in wanted.get(chunk.publication_id, ()):
                chunks.setdefault(chunk.publication_id, []).append(chunk)
        return [
            Source(n=i + 1, chunks=sorted(chunks[p.id], key=lambda c: c.ord))
            for i, p in enumerate(releases)
            if p.id in chunks
        ]


def _spans(chunk: Chunk):
    return useful_spans(chunk.text)


def _sentences(source: Source):
    seen: set[str] = set()
    for chunk in sorted(source.chunks, key=lambda c: c.ord):
        for span in _spans(chunk):
            text = chunk.text[span.start : span.end].strip()
            if text not in seen:  # chunks overlap: a sentence may be in two
                seen.add(text)
                yield chunk, span, text


def _added(source: Source, novelty) -> list[str]:
    return [
        text
        for chunk, span, text in _sentences(source)
        if novelty.is_news(chunk, span) and not routine(text)
    ]


def _opening(source: Source | None) -> list[str]:
    if source is None:
        return []
    found = [text for _, _, text in _sentences(source) if not routine(text)]
    return found[:OPENING_SENTENCES]


def _order(pub: StoredPublication):
    return (pub.published or dt.date.min, pub.ingested_at, pub.title)


def _label(key: str, releases: list[StoredPublication]) -> str:
    return f"{key}: {releases[0].title}"
