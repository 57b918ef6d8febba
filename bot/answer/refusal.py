"""Decide when the evidence is too weak to answer, and say so plainly, citing the closest.

Clear cases are rules (`hard_rule`): a case number the store does not hold, nothing
retrieved or nothing close in meaning, a name or amount the release says it keeps back,
or no quoted sentence with the kind of answer asked for refuse; the case number asked
about answers. The rest is weighed by a small logistic model (`bot/answer/answerability.json`,
fitted by `bench/fit_answerability.py` on questions kept apart from the test split): how
close in meaning the quoted sentences and the release are to the question, by how much
the release leads the others, whether vectors and BM25 agree, which key terms and names
the release lacks.
"""

from __future__ import annotations

import re

from bot.answer.answerability import Answerability
from bot.answer.headline import title_status
from bot.answer.scoring import release_terms
from bot.answer.sources import find_quote
from bot.answer.types import Draft, Evidence, Question, Source
from bot.answer.untold import ARRESTED, ASKS_SURVIVAL, SURVIVAL_TOLD, keeps_back
from bot.answer.vocab import APPEAL, ASKS_FOUND, FOUND, NO_OUTCOME_YET
from index.models import Citation
from index.text import split_sentences, terms_of

# Below both, no release is about the question (no answerable training question was).
FAR_COSINE = 0.3  # the best quoted sentence
FAR_DENSE = 0.35  # the release's best chunk
# A name no publication mentions refuses unless a quoted sentence is this close in meaning:
# a brand the releases never use ("an Xbox from a Superstore") may stand for their words.
UNKNOWN_CLOSE = 0.55
MIN_TERMS = 2  # a question with fewer key terms only points back at an earlier one
NEIGHBOURHOOD = re.compile(r"\b(?:End|Side|Heights|Village|Downtown|Exchange District)$")


def is_weak(proof: Evidence, model: Answerability | None = None) -> bool:
    """True when the evidence is too weak to answer from."""
    if decided := hard_rule(proof):
        return decided == "refuse"
    return not (model or Answerability.load()).answers(proof)


def hard_rule(proof: Evidence) -> str | None:
    """ "refuse" or "answer" when a rule decides, None when the model must weigh it.

    A case number the store does not hold, nothing retrieved or nothing close in meaning,
    a name the release says it withholds, no quoted sentence with the kind of answer
    asked for (a name, a figure, a date, a sentence), a question that names nothing
    to look for ("What were they worth?", asked alone), or one whose year or place no
    release found is about (`scope.Scope`), or that names what no publication mentions
    (`scope.unknown_names`) is a refusal; the case number asked about is an
    answer.
    """
    if proof.missing_case or proof.dense_rank is None and proof.lexical_rank is None:
        return "refuse"
    if proof.essential_missing or proof.withheld or proof.vague or proof.out_of_scope:
        return "refuse"
    if proof.unknown and proof.cosine < UNKNOWN_CLOSE:
        return "refuse"  # the question names what no publication mentions
    if proof.miscounted:
        return "refuse"  # "how many stop and searches?" - "34,542 officers"
    if proof.untold:
        return "refuse"  # "was anyone arrested?" - "no arrests have been made at this time"
    if proof.case_match:
        return "answer"
    if proof.cosine < FAR_COSINE and proof.dense < FAR_DENSE:
        return "refuse"  # nothing retrieved is close in meaning
    return None


def evidence(
    question: Question,
    draft: Draft,
    sources: list[Source],
    wants_latest: bool = False,
    out_of_scope: bool = False,
    story: list[str] = (),
    unknown: tuple[str, ...] = (),
    miscounted: bool = False,
) -> Evidence:
    """Measure how well `draft` covers `question`; `out_of_scope`: no release found is of
    the year or place the question names; `unknown`: names of the question that no
    publication mentions; `miscounted`: every quoted figure counts another thing than
    asked (`counted.miscounted`). A release of the case (`story`) that the search
    did not rank itself (an update found by its case number) is as close as the closest
    release of its case."""
    if not draft.chosen or draft.primary is None:
        return Evidence(0.0, 0.0, bool(question.cases), out_of_scope=out_of_scope, unknown=unknown)
    primary = draft.primary
    heads = set()
    for chunk in primary.chunks:
        heads |= terms_of(chunk.title) | {r.lower() for r in chunk.references}
        if chunk.published:
            heads.add(str(chunk.published.year))
    said = set().union(*(terms_of(s.text) for s in draft.chosen))
    release = " ".join([primary.head.title, *(c.text for c in primary.chunks)])
    text = release.lower()
    known_cases = {r.upper() for s in sources for c in s.chunks for r in c.references}
    refs = {r.upper() for r in primary.head.references}
    shapes = question.answer_shapes
    met = set().union(*(question.shapes_met(s.text) for s in draft.chosen))
    if status := title_status(primary.head.title):  # "- Located", added to the title
        met |= question.shapes_met(status)
    has = release_terms(primary)
    missing = [question.weights[t] for t in question.terms if t not in has]
    rarest = max(question.weights.values(), default=1.0) or 1.0
    others = [s.dense for s in sources if s is not primary]
    closest = primary
    if _rank(primary) == UNRANKED and primary.publication_id in story:
        kin = [s for s in sources if s.publication_id in story and _rank(s) < UNRANKED]
        closest = min(kin, key=_rank, default=primary)
    # A neighbourhood said in everyday words ("the North End") is not a name the release
    # must repeat; a person's or a business's name is.
    named = [n for n in question.names if not NEIGHBOURHOOD.search(n)]
    return Evidence(
        cosine=max(s.cosine for s in draft.chosen),
        coverage=question.weight(has),
        missing_case=bool(question.cases) and not set(question.cases) & known_cases,
        case_match=bool(question.cases) and set(question.cases) <= refs,
        sentence_coverage=question.weight(heads | said),
        missing_names=sum(1 for n in named if n.lower() not in text) / max(1, len(named)),
        shape_ok=len(met) / len(shapes) if shapes else None,
        essential_missing=any(s.essential and s.name not in met for s in shapes),
        dense=closest.dense,
        dense_margin=closest.dense - max(others, default=0.0),
        dense_rank=closest.dense_rank,
        lexical_rank=closest.lexical_rank,
        missing_rarest=max(missing, default=0.0) / rarest,
        wants_latest=wants_latest,
        withheld=keeps_back(question, release, titled=status),
        answer_score=draft.answer_score if draft.answer_score is not None else 0.0,
        vague=len(question.terms) < MIN_TERMS and not question.cases,
        out_of_scope=out_of_scope,
        unknown=unknown,
        miscounted=miscounted,
        untold=untold_outcome(question, draft, story, release),
    )


OUTCOMES = {"outcome", "anyone"}


def untold_outcome(question: Question, draft: Draft, story, release: str) -> bool:
    """The question asks an outcome (an arrest, a find, a survival) that the only release of
    its case has not told: "no arrests have been made at this time" is where the story
    stood the day it was published, no answer to "did police ever catch him?". A later
    release that says so again, a year on, is the status now and answers."""
    if draft.primary is None or len({*story, draft.primary.publication_id}) > 1:
        return False
    if ASKS_SURVIVAL.search(question.text):
        return not SURVIVAL_TOLD.search(release)
    if not OUTCOMES & {s.name for s in question.answer_shapes}:
        return False
    told = FOUND if ASKS_FOUND.search(question.text) else ARRESTED
    sentences = split_sentences(release)
    return any(NO_OUTCOME_YET.search(s) for s in sentences) and not any(
        told.search(s) and not NO_OUTCOME_YET.search(s) and not APPEAL.search(s) for s in sentences
    )


def status_quote(draft: Draft) -> tuple[Source, str] | None:
    """The sentence of the answer's release that tells where its case stands (for a
    refusal of an outcome not told yet: "No arrests have been made at this time.")."""
    for s in draft.chosen:
        if NO_OUTCOME_YET.search(s.text) and s.source is draft.primary:
            return s.source, " ".join(s.text.split())
    return None


UNRANKED = 10**6


def _rank(source: Source) -> int:
    """The better of a release's two ranks (UNRANKED when the search ranked it nowhere)."""
    return min(source.dense_rank or UNRANKED, source.lexical_rank or UNRANKED)


def refusal(
    question: str,
    sources: list[Source],
    limit: int = 3,
    unknown: tuple[str, ...] = (),
    status: tuple[Source, str] | None = None,
) -> tuple[str, list[Citation]]:
    """A plain "the publications don't say", citing the closest releases so they can be
    read; it names what none of them mentions (`unknown`), when that is why, and quotes
    where the case stood (`status`: its release and sentence) when the outcome asked is
    not told yet."""
    subject = question.strip().rstrip("?.! ")
    message = f"The publications I have don't say — I found nothing that answers “{subject}”."
    if unknown:
        names = ", ".join(f"“{n}”" for n in unknown)
        message = (
            f"The publications I have don't say — none of them mentions {names}; I found "
            f"nothing that answers “{subject}”."
        )
    closest = sources[:limit]
    if status is not None:
        told, sentence = status
        closest = [told, *(s for s in sources if s is not told)][:limit]
        message = (
            f"The publications I have don't report that outcome: the only release on this "
            f"case ({told.published or 'undated'}) says “{sentence}” [1]."
        )
    if not closest:
        return message, []
    named = "; ".join(
        f"“{s.head.title}” ({s.published or 'undated'}) [{n}]" for n, s in enumerate(closest, 1)
    )
    citations = [
        s.citation(n, status[1] if status and s is status[0] else find_quote(s, question))
        for n, s in enumerate(closest, 1)
    ]
    return f"{message} The closest releases are {named}.", citations
