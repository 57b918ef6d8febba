"""An outcome asked of a case whose only release has not told it yet is refused, quoting
where the case stood; a release that tells the outcome, or a later one restating the
status, answers."""

from __future__ import annotations

import pytest

from bot.answer.refusal import refusal, status_quote, untold_outcome
from bot.answer.types import Draft, Question, Scored, Source
from index.models import Chunk
from index.text import Span

SCENE = (
    "On November 5, 2018, at approximately 10:15 p.m., officers located a female in her "
    "twenties who had sustained severe head injuries."
)
NOT_YET = "No arrests have been made at this time."
CONTINUING = "The investigation is continuing by members of the Major Crimes Unit."
ARREST = "On November 9, 2018, a 25-year-old male was arrested and charged with Aggravated Assault."
CRITICAL = "She was transported to hospital in critical condition and remains in hospital."
DIED = "She was transported to hospital where she succumbed to her injuries."


def _draft(*sentences: str, publication: str = "p1") -> Draft:
    text = " ".join(sentences)
    chunk = Chunk(id=f"{publication}-0", publication_id=publication, ord=0, text=text,
                  title="Aggravated Assault: C18-245594", source="s", content_hash="h")  # fmt: skip
    source = Source(n=1, chunks=[chunk])
    chosen, start = [], 0
    for sentence in sentences:
        begin = text.index(sentence, start)
        chosen.append(Scored(source, chunk, Span(begin, begin + len(sentence)), 1.0, 0.5, 0.5))
        start = begin + len(sentence)
    return Draft(text=text, chosen=chosen, primary=source)


@pytest.mark.parametrize(
    ("question", "sentences", "untold"),
    [
        # The pair: one detail, the arrest, makes the same question answerable.
        ("Did anyone get arrested for beating the woman?", (SCENE, NOT_YET, CONTINUING), True),
        ("Did anyone get arrested for beating the woman?", (SCENE, ARREST, CONTINUING), False),
        # "Officers located a female" in the scene is no arrest, nor "Anyone with information".
        ("Did police ever catch the man who beat her?", (SCENE, CONTINUING), True),
        ("Has anyone been charged?", (SCENE, ARREST), False),
        # Survival: a death or a recovery answers, "critical condition" does not.
        ("Did the woman survive?", (SCENE, CRITICAL), True),
        ("Did the woman survive?", (SCENE, DIED), False),
        # A question that asks no outcome is left to the other checks.
        ("What injuries did the woman have?", (SCENE, NOT_YET), False),
    ],
)
def test_an_outcome_the_only_release_has_not_told(question, sentences, untold):
    draft = _draft(*sentences)
    release = " ".join(sentences)
    assert untold_outcome(Question(question, None), draft, [], release) is untold


def test_a_later_release_restating_the_status_answers():
    # The case's newest release, a year on: "still missing, investigation continues" is news.
    draft = _draft("Today marks one year since she was reported missing.", CONTINUING)
    question = Question("Has she been found?", None)
    release = " ".join(s.text for s in draft.chosen)
    assert untold_outcome(question, draft, [], release)
    assert not untold_outcome(question, draft, ["p0", "p1"], release)


def test_the_refusal_quotes_where_the_case_stood_and_cites_it():
    draft = _draft(SCENE, NOT_YET, CONTINUING)
    status = status_quote(draft)
    assert status is not None and status[1] == NOT_YET
    text, citations = refusal("Did anyone get arrested?", [draft.primary], status=status)
    assert "don't report that outcome" in text and f"“{NOT_YET}” [1]" in text
    assert citations[0].n == 1 and citations[0].quote == NOT_YET
