"""Score the sentences of retrieved releases against a question."""

from __future__ import annotations

from bot.answer.novelty import Novelty
from bot.answer.phrases import UPDATE_LINE, numbers_in
from bot.answer.sentence_bank import SentenceBank
from bot.answer.types import Question, Scored, Source
from index.text import terms_of

LEXICAL_WEIGHT = 0.6  # key terms of the question in the sentence (and half in its title)
RELEASE_WEIGHT = 0.5  # key terms of the question anywhere in the sentence's release
RANK_WEIGHT = 0.15  # the retriever's order of releases
MAX_EMBEDDED = 20  # sentences embedded per question, chosen by their other scores
WHOLE_RELEASE = 80  # sentences embedded when one release is read whole for its answer


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
    whole: bool = False,
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
    pending = pending[: WHOLE_RELEASE if whole else MAX_EMBEDDED]
    vectors = bank.vectors([(chunk, span) for _, chunk, span, _, _ in pending])
    cosines = vectors @ question.vector if pending else []
    out = [
        Scored(source, chunk, span, float(cos) + score, float(cos), lexical)
        for (source, chunk, span, score, lexical), cos in zip(pending, cosines, strict=True)
    ]
    out.sort(key=lambda s: s.score, reverse=True)
    return out
