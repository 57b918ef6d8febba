"""Decide when the evidence is too weak to answer, and say so plainly.

Thresholds were calibrated on bench/gold.jsonl (see bench/answer.py): the question's
own key terms must mostly be found in the release answered from, and its best
sentence must be close enough to the question in meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.extractive import Draft
from bot.sentences import Question, terms_of
from bot.sources import Source

MIN_COVERAGE = 0.5
MIN_COSINE = 0.25
STRONG_COSINE = 0.55


@dataclass(frozen=True)
class Evidence:
    """What the answer rests on, in numbers."""

    cosine: float
    coverage: float
    missing_case: bool
    case_match: bool = False

    def weak(self) -> bool:
        if self.missing_case:
            return True
        if self.case_match:
            return False
        if self.cosine >= STRONG_COSINE:
            return self.coverage < MIN_COVERAGE / 2
        return self.cosine < MIN_COSINE or self.coverage < MIN_COVERAGE


def evidence(question: Question, draft: Draft, sources: list[Source]) -> Evidence:
    """Measure how well `draft` covers `question`."""
    if not draft.chosen or draft.primary is None:
        return Evidence(0.0, 0.0, bool(question.cases))
    primary = draft.primary
    found = set()
    for chunk in primary.chunks:
        found |= (
            terms_of(chunk.title) | terms_of(chunk.text) | {r.lower() for r in chunk.references}
        )
        if chunk.published:
            found.add(str(chunk.published.year))
    coverage = len(question.terms & found) / max(1, len(question.terms))
    known_cases = {r.upper() for s in sources for c in s.chunks for r in c.references}
    missing = bool(question.cases) and not set(question.cases) & known_cases
    case_match = bool(question.cases) and set(question.cases) <= {
        r.upper() for r in primary.head.references
    }
    return Evidence(max(s.cosine for s in draft.chosen), coverage, missing, case_match)


def refusal_text(question: str, sources: list[Source], limit: int = 3) -> str:
    """A plain "the publications don't say", naming the closest releases."""
    lead = "The publications I have don't say"
    subject = question.strip().rstrip("?.! ")
    message = f"{lead} — I found nothing that answers “{subject}”."
    closest = [f"“{s.head.title}” ({s.published or 'undated'})" for s in sources[:limit]]
    if closest:
        message += " The closest releases are " + "; ".join(closest) + "."
    return message
