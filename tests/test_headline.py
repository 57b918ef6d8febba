"""An outcome told only by a release's title ("MISSING PERSON – ... - Located"): it answers
whether, not where, and the answer says where it was read."""

from __future__ import annotations

import pytest

from bot.answer.headline import title_status, told_by_title
from bot.answer.types import Question, Scored, Source
from bot.answer.untold import keeps_back
from index.models import Chunk
from index.text import Span

APPEAL = (
    "The Winnipeg Police Service is requesting the public's assistance in locating a missing "
    "13-year-old female, Vanessa DISBROWE. DISBROWE was last seen in the Tuxedo area."
)
LOCATED = "MISSING PERSON – Vanessa DISBROWE – R19-8844 - Located"


def _source(title: str, text: str = APPEAL) -> tuple[Source, list[Scored]]:
    chunk = Chunk(id="p-0", publication_id="p", ord=0, text=text, title=title, source="s",
                  content_hash="h")  # fmt: skip
    source = Source(n=1, chunks=[chunk])
    return source, [Scored(source, chunk, Span(0, len(text)), 1.0, 0.5, 0.5)]


@pytest.mark.parametrize(
    ("title", "status"),
    [
        (LOCATED, "Located"),
        ("Missing Person: Clarissa Audy – R18-88322 - Located", "Located"),
        ("Missing Youth – Located Safe", "Located Safe"),
        ("Robbery – Male Charged", "Male Charged"),
        ("Missing Person – Dawn Duck: R19-32051", None),  # the appeal, not updated
        ("Missing Adult Female Located", None),  # a release about the find tells it itself
        ("Stolen Vehicle- Arrests: C19-56997", None),
    ],
)
def test_the_status_a_title_ends_with(title, status):
    assert title_status(title) == status


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("Was Vanessa Disbrowe found?", True),
        ("A young teenage girl went missing from Tuxedo in 2019. Did police find her?", True),
        ("Did police ever find Dawn Duck, the 17-year-old missing since May 2019?", True),
        ("Where did the police dog find him hiding?", False),  # asks where, not whether
        ("Did police find any drugs in the car?", False),  # asks about things
    ],
)
def test_whether_someone_was_found_asks_the_outcome(question, outcome):
    asked = {s.name for s in Question(question, None).answer_shapes}
    assert ("outcome" in asked) is outcome


def test_the_title_answers_whether_she_was_found_and_says_it_is_the_title():
    source, chosen = _source(LOCATED)
    said = told_by_title(Question("Was Vanessa Disbrowe found?", None), source, chosen)
    assert said == f"Located, says the title of the release (“{LOCATED}”)"
    # Not when the title tells nothing, nor when the question asks no outcome.
    plain, chosen_plain = _source("Missing Person – Vanessa DISBROWE – R19-8844")
    assert told_by_title(Question("Was Vanessa Disbrowe found?", None), plain, chosen_plain) is None
    asked_age = Question("How old is Vanessa Disbrowe?", None)
    assert told_by_title(asked_age, source, chosen) is None


def test_a_quoted_sentence_that_tells_the_outcome_needs_no_title():
    text = "Vanessa DISBROWE was located safe on February 12."
    source, chosen = _source(LOCATED, text)
    assert told_by_title(Question("Was Vanessa Disbrowe found?", None), source, chosen) is None


@pytest.mark.parametrize(
    ("question", "kept_back"),
    [
        ("Was Vanessa Disbrowe found?", False),  # the title says so
        ("Where was Vanessa Disbrowe found?", True),  # ... but not where
        ("Where did police end up finding Vanessa Disbrowe?", True),
        # The find is in the context, not asked: where she was last seen is told.
        (
            "Where was Vanessa Disbrowe last seen before police appealed for help finding her?",
            False,
        ),  # fmt: skip
    ],
)
def test_a_title_status_tells_whether_not_where(question, kept_back):
    release = f"{LOCATED} {APPEAL}"
    assert keeps_back(Question(question, None), release, titled="Located") is kept_back
    # Without the title's status, the appeal tells neither whether nor where.
    if "last seen" not in question:
        assert keeps_back(Question(question, None), APPEAL) is True
