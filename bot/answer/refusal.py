"""Decide when the evidence is too weak to answer, and say so plainly.

Calibrated on bench/gold.jsonl (see bench/answer.py). An answer needs: the case number
asked about to exist; most of the question's key terms, weighted by how rare they are in
the store, in the release answered from; and, when the question asks for a name, a
figure, a date or a sentence, a quoted sentence that holds one the question did not give
("What is the name of the victim?" is refused when the release withholds it).
"""

from __future__ import annotations

from bot.answer.scoring import release_terms
from bot.answer.types import Draft, Evidence, Question, Source
from index.text import terms_of

MIN_COVERAGE = 0.6  # of the question's key terms, weighted by rarity, in the release
MIN_COSINE = 0.25  # of the best quoted sentence to the question


def is_weak(proof: Evidence) -> bool:
    """True when the evidence is too weak to answer from."""
    if proof.missing_case or proof.essential_missing:
        return True
    if proof.case_match:
        return False
    return proof.cosine < MIN_COSINE or proof.coverage < MIN_COVERAGE


def evidence(question: Question, draft: Draft, sources: list[Source]) -> Evidence:
    """Measure how well `draft` covers `question`."""
    if not draft.chosen or draft.primary is None:
        return Evidence(0.0, 0.0, bool(question.cases))
    primary = draft.primary
    heads = set()
    for chunk in primary.chunks:
        heads |= terms_of(chunk.title) | {r.lower() for r in chunk.references}
        if chunk.published:
            heads.add(str(chunk.published.year))
    said = set().union(*(terms_of(s.text) for s in draft.chosen))
    text = " ".join([primary.head.title, *(c.text for c in primary.chunks)]).lower()
    known_cases = {r.upper() for s in sources for c in s.chunks for r in c.references}
    refs = {r.upper() for r in primary.head.references}
    shapes = question.answer_shapes
    met = set().union(*(question.shapes_met(s.text) for s in draft.chosen))
    return Evidence(
        cosine=max(s.cosine for s in draft.chosen),
        coverage=question.weight(release_terms(primary)),
        missing_case=bool(question.cases) and not set(question.cases) & known_cases,
        case_match=bool(question.cases) and set(question.cases) <= refs,
        sentence_coverage=question.weight(heads | said),
        missing_names=sum(1 for n in question.names if n.lower() not in text),
        shape_ok=len(met) / len(shapes) if shapes else None,
        essential_missing=any(s.essential and s.name not in met for s in shapes),
    )


def refusal_text(question: str, sources: list[Source], limit: int = 3) -> str:
    """A plain "the publications don't say", naming the closest releases."""
    lead = "The publications I have don't say"
    subject = question.strip().rstrip("?.! ")
    message = f"{lead} — I found nothing that answers “{subject}”."
    closest = [f"“{s.head.title}” ({s.published or 'undated'})" for s in sources[:limit]]
    if closest:
        message += " The closest releases are " + "; ".join(closest) + "."
    return message
