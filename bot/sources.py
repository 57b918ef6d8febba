"""Numbered sources: retrieved chunks grouped by the release they came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from index.models import Chunk, Citation, Hit

QUOTE_CHARS = 300


@dataclass
class Source:
    """One release behind a number [n]: its retrieved chunks, best first."""

    n: int
    chunks: list[Chunk] = field(default_factory=list)
    score: float = 0.0

    @property
    def head(self) -> Chunk:
        return self.chunks[0]

    @property
    def publication_id(self) -> str:
        return self.head.publication_id

    @property
    def published(self) -> str | None:
        return self.head.published.isoformat() if self.head.published else None

    def text(self) -> str:
        """The retrieved text of the release, chunks in reading order."""
        return "\n\n".join(c.text for c in sorted(self.chunks, key=lambda c: c.ord))

    def citation(self, n: int, quote: str) -> Citation:
        head = self.head
        return Citation(
            n=n,
            title=head.title,
            published=self.published,
            url=head.url,
            source=head.source,
            issuer=head.issuer,
            references=list(head.references),
            quote=quote,
        )


def number_sources(hits: Iterable[Hit], extra: Iterable[Hit] = ()) -> list[Source]:
    """Group hits by publication, numbered 1.. in order of each release's best hit.

    `extra` (a case history) adds releases after the ranked ones, and more chunks to
    releases already present, so an update found only through its case number is citable.
    """
    by_pub: dict[str, Source] = {}
    for hit in [*hits, *extra]:
        pid = hit.chunk.publication_id
        source = by_pub.get(pid)
        if source is None:
            source = by_pub[pid] = Source(n=len(by_pub) + 1, score=hit.score)
        if all(c.id != hit.chunk.id for c in source.chunks):
            source.chunks.append(hit.chunk)
    return list(by_pub.values())


def trim_quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A verbatim prefix of `text` of at most `limit` characters, cut at a word."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:")


def find_quote(source: Source, sentence: str) -> str:
    """The passage of `source` that best supports `sentence`, verbatim from one chunk."""
    from bot.text import content_terms, numbers_in, sentence_spans, stem

    wanted = {stem(t) for t in content_terms(sentence)} | numbers_in(sentence)
    best, best_score = "", -1.0
    for chunk in source.chunks:
        for span in sentence_spans(chunk.text):
            piece = chunk.text[span.start : span.end]
            have = {stem(t) for t in content_terms(piece)} | numbers_in(piece)
            score = len(wanted & have) / (1 + len(wanted))
            if score > best_score:
                best, best_score = piece, score
    return trim_quote(best or source.head.text)
