"""Numbered sources: retrieved chunks grouped by the release they came from."""

from __future__ import annotations

from collections.abc import Iterable

from bot.answer.injection import is_instruction
from bot.answer.phrases import key_terms, numbers_in
from bot.answer.types import Source
from index.models import Hit
from index.text import sentence_spans

QUOTE_CHARS = 300


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
        source.dense = max(source.dense, hit.dense_score or 0.0)
        source.dense_rank = _best(source.dense_rank, hit.dense_rank)
        source.lexical_rank = _best(source.lexical_rank, hit.lexical_rank)
    return list(by_pub.values())


def _best(a: int | None, b: int | None) -> int | None:
    return min(a, b) if a and b else a or b


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
    wanted = key_terms(sentence) | numbers_in(sentence)
    best, best_score = "", -1.0
    for chunk in source.chunks:
        for span in sentence_spans(chunk.text):
            piece = chunk.text[span.start : span.end]
            if is_instruction(piece):
                continue  # planted text is never shown as the release's word
            have = key_terms(piece) | numbers_in(piece)
            score = len(wanted & have) / (1 + len(wanted))
            if score > best_score:
                best, best_score = piece, score
    return trim_quote(best or source.head.text)
