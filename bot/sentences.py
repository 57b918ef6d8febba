"""Score the sentences of retrieved releases against a question."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.bank import SentenceBank
from bot.novelty import Novelty
from bot.shapes import BONUS as SHAPE_BONUS
from bot.shapes import known_words, shapes_of
from bot.sources import Source
from bot.text import (
    UPDATE_LINE,
    Span,
    capitalised_names,
    case_numbers,
    content_terms,
    numbers_in,
    stem,
)
from index.models import Chunk

LEXICAL_WEIGHT = 0.6  # key terms of the question in the sentence (and half in its title)
RELEASE_WEIGHT = 0.5  # key terms of the question anywhere in the sentence's release
RANK_WEIGHT = 0.15  # the retriever's order of releases
MAX_EMBEDDED = 20  # sentences embedded per question, chosen by their other scores


@dataclass
class Scored:
    """One sentence of a retrieved release with how well it answers the question."""

    source: Source
    chunk: Chunk
    span: Span
    score: float
    cosine: float
    lexical: float

    @property
    def text(self) -> str:
        return self.chunk.text[self.span.start : self.span.end]


class Question:
    """What the scorer needs to know about a question, computed once."""

    def __init__(self, text: str, vector: np.ndarray, rarity: dict[str, float] | None = None):
        self.text = text
        self.vector = vector
        self.cases = case_numbers(text)
        self.terms = {stem(t) for t in content_terms(text)} | {c.lower() for c in self.cases}
        self.answer_shapes = shapes_of(text)
        self.known = known_words(text)
        self.names = [n for n in capitalised_names(text) if n.upper() not in self.cases]
        # Rare terms, names, places and case numbers say which release is meant.
        rarity = rarity or {}
        named = set().union(*(terms_of(n) for n in self.names)) if self.names else set()
        cases = {c.lower() for c in self.cases}
        self.weights = {
            t: rarity.get(t, 1.0) * (3.0 if t in cases else 1.5 if t in named else 1.0)
            for t in self.terms
        }
        self.total = sum(self.weights.values()) or 1.0

    def weight(self, terms: set[str]) -> float:
        """The share of the question's weighted key terms that `terms` holds."""
        return sum(self.weights.get(t, 0.0) for t in terms) / self.total

    def shapes_met(self, sentence: str) -> set[str]:
        """The kinds of answer the question asks for that `sentence` holds."""
        return {s.name for s in self.answer_shapes if s.met_by(sentence, self.known)}

    def shape_bonus(self, sentence: str) -> float:
        """A bonus when the sentence holds the kind of phrase the question asks for."""
        return SHAPE_BONUS * min(len(self.shapes_met(sentence)), 2)

    def overlap(self, text: str) -> set[str]:
        return self.terms & terms_of(text)


def terms_of(text: str) -> set[str]:
    return {stem(t) for t in content_terms(text)} | {c.lower() for c in case_numbers(text)}


def release_terms(source: Source) -> set[str]:
    """Key terms of a release's title, retrieved text, case numbers and year."""
    found = set()
    for chunk in source.chunks:
        found |= terms_of(chunk.title) | terms_of(chunk.text)
        found |= {r.lower() for r in chunk.references}
        if chunk.published:
            found.add(str(chunk.published.year))
    return found


def _update_starts(source: Source) -> dict[str, int]:
    """Chunk id -> offset where the release's "Update:" part begins (0: all of it)."""
    out, seen = {}, False
    for chunk in sorted(source.chunks, key=lambda c: c.ord):
        if seen:
            out[chunk.id] = 0
            continue
        found = list(UPDATE_LINE.finditer(chunk.text))
        if found:
            out[chunk.id] = found[-1].end()
            seen = True
    return out


def score_sentences(
    question: Question,
    sources: list[Source],
    bank: SentenceBank,
    update_bonus: float = 0.0,
    stale_penalty: float = 0.0,
    novelty: Novelty | None = None,
) -> list[Scored]:
    """Every useful sentence of `sources`, best first.

    For a case history or a "latest" question, the news of an update release gets
    `update_bonus` and what it repeats from earlier releases loses `stale_penalty`.
    `novelty` says which sentences are news in the releases it compared; elsewhere the
    part after an "Update:" line is taken for the news.
    """
    novelty = novelty or Novelty()
    pending = []  # (source, chunk, span, score without the cosine, lexical)
    for rank, source in enumerate(sources):
        rank_bonus = RANK_WEIGHT * (1 - rank / max(1, len(sources)))
        rank_bonus += RELEASE_WEIGHT * question.weight(release_terms(source))
        told = source.publication_id in novelty.compared
        marked = (update_bonus or stale_penalty) and not told
        updates = _update_starts(source) if marked else {}
        for chunk in source.chunks:
            title_terms = terms_of(chunk.title)
            if chunk.published:
                title_terms |= numbers_in(str(chunk.published.year))
            case_bonus = 0.25 if set(question.cases) & set(chunk.references) else 0.0
            for span in bank.spans(chunk):
                text = chunk.text[span.start : span.end]
                own = question.overlap(text)
                from_title = (question.terms & title_terms) - own
                lexical = question.weight(own) + 0.5 * question.weight(from_title)
                score = LEXICAL_WEIGHT * lexical + case_bonus + rank_bonus
                score += question.shape_bonus(text)
                if told:
                    score += update_bonus if novelty.is_news(chunk, span) else -stale_penalty
                elif chunk.id in updates and span.start >= updates[chunk.id]:
                    score += update_bonus
                elif updates:
                    score -= stale_penalty
                pending.append((source, chunk, span, score, lexical))
    # Embedding is the cost: only the likeliest sentences are embedded and ranked.
    pending.sort(key=lambda p: p[3], reverse=True)
    pending = pending[:MAX_EMBEDDED]
    vectors = bank.vectors([(chunk, span) for _, chunk, span, _, _ in pending])
    cosines = vectors @ question.vector if pending else []
    out = [
        Scored(source, chunk, span, float(cos) + score, float(cos), lexical)
        for (source, chunk, span, score, lexical), cos in zip(pending, cosines, strict=True)
    ]
    out.sort(key=lambda s: s.score, reverse=True)
    return out
