"""Refuse only what the releases do not answer; answer questions asked in everyday words.

Over the real store of a dozen corpus pages (`qa_store_dir`): pairs of questions on the
same release, one asking a detail it gives and one a detail it does not; questions that
use none of the release's names, figures or phrases; the answer said first.
"""

from __future__ import annotations

import pytest

from bot.answer.answerability import Answerability
from bot.answer.answerer import Answerer, build_answerer
from bot.answer.refusal import hard_rule
from bot.answer.types import Evidence
from index.settings import Settings
from index.store import open_store

pytestmark = pytest.mark.slow

# (asks what the release says, a word the answer holds, asks what it never says)
PAIRS = [
    (
        "Who was charged with manslaughter in the homicide of Trevor BODNAREK?",
        "WOODHOUSE",
        "What sentence did Jason WOODHOUSE receive for the homicide of Trevor BODNAREK?",
    ),
    (
        "What was the 16-year-old girl charged with in the Kinver Avenue stabbing?",
        "Second Degree Murder",
        "What is the name of the 16-year-old girl charged in the Kinver Avenue stabbing?",
    ),
    (
        "How many firearms were seized from the Almond Bay residence?",
        "73",
        "How much money were the firearms seized from the Almond Bay residence worth?",
    ),
    # Another year, another city: the same search finds the same release, which is not
    # about them.
    (
        "How many firearms were seized from the Almond Bay home in Winnipeg in October 2019?",
        "73",
        "How many firearms were seized from the Almond Bay home in Winnipeg in October 2016?",
    ),
    (
        "How many firearms did Winnipeg police seize from a home on Almond Bay?",
        "73",
        "How many firearms did Calgary police seize from a home on Almond Bay?",
    ),
    # The appeal was left as written and "- Located" added to its title: whether she was
    # found is told there, where she was found nowhere.
    (
        "Was Katherine Kernozhytskyy found?",
        "Located, says the title of the release",
        "Where was Katherine Kernozhytskyy found?",
    ),
]

# Everyday words: none of the release's names, figures, case numbers or phrases.
EVERYDAY = [
    (
        "How much have officers raised over the years by waiting tables at pizza restaurants?",
        "2017_03mar_2017_03_15.html",
        "$40,000.00",
    ),
    (
        "Who was picked up for attacking a little boy in his home in the North End?",
        "2019_10oct_2019_10_31.html",
        "Daniel Jensen",
    ),
    (
        "What turned up when police searched the home of a man who ordered a gun silencer "
        "from overseas?",
        "2019_10oct_2019_10_30.html",
        "73 firearms",
    ),
]


@pytest.fixture(scope="module")
def answerer(qa_store_dir, embedder) -> Answerer:
    settings = Settings(store=qa_store_dir)
    return build_answerer(settings, store=open_store(settings), embedder=embedder)


@pytest.mark.parametrize(("present", "expected", "absent"), PAIRS)
def test_one_detail_given_one_withheld(answerer, present, expected, absent):
    given = answerer.ask(present)
    assert not given.refused, given.answer
    assert expected.lower() in given.answer.lower()
    withheld = answerer.ask(absent)
    assert withheld.refused, withheld.answer
    # The refusal still cites the release it came closest to, so a reader can check it.
    assert given.citations[0].source in [c.source for c in withheld.citations]
    assert all(c.quote for c in withheld.citations)


@pytest.mark.parametrize(("question", "page", "expected"), EVERYDAY)
def test_everyday_words_are_answered_from_the_right_release(answerer, question, page, expected):
    answer = answerer.ask(question)
    assert not answer.refused, answer.answer
    assert answer.citations[0].source.endswith(page)
    assert expected.lower() in answer.answer.lower()


def test_the_answer_comes_first(answerer):
    answer = answerer.ask("How many firearms were seized from the Almond Bay residence?")
    head, _, rest = answer.answer.partition("\n\n")
    assert head.startswith("73") and head.endswith("[1].")
    assert "73 firearms" in rest  # then the sentence it was taken from, cited


def test_refusal_names_and_cites_the_closest_releases(answerer):
    answer = answerer.ask("What happened in case C21-500123?")  # no release carries it
    assert answer.refused and answer.as_of is None
    assert 1 <= len(answer.citations) <= 3
    for citation in answer.citations:
        assert f"[{citation.n}]" in answer.answer and f"“{citation.title}”" in answer.answer


def test_a_figure_that_counts_another_thing_is_no_answer(answerer):
    """The London release gives the Met's officer numbers, not its stop and searches."""
    officers = answerer.ask("How many officers does the Met have?")
    assert not officers.refused and officers.answer.startswith("34,542 officers")
    searches = answerer.ask("How many stop and searches did the Met carry out in 2022?")
    assert searches.refused, searches.answer
    assert officers.citations[0].source in [c.source for c in searches.citations]


def test_a_name_no_publication_mentions_is_refused_and_said(answerer):
    """Nothing found is about the Danforth Avenue shooting, and the refusal says why; a word
    no release holds does not refuse by itself where a quoted sentence is close (a brand,
    a nickname may stand for the release's own words)."""
    answer = answerer.ask("How many people were killed in the Danforth Avenue shooting?")
    assert answer.refused, answer.answer
    assert "none of them mentions “Danforth”" in answer.answer
    assert answer.citations and all(c.quote for c in answer.citations)
    close = answerer.ask("How many firearms did the NYPD seize in the Almond Bay raid?")
    assert not close.refused and close.answer.startswith("73 firearms"), close.answer


@pytest.mark.parametrize(
    ("evidence", "decision"),
    [
        (Evidence(0.9, 0.9, missing_case=True, dense_rank=1, lexical_rank=1), "refuse"),
        (Evidence(0.9, 0.9, False, dense_rank=None, lexical_rank=None), "refuse"),
        (Evidence(0.9, 0.9, False, essential_missing=True, dense_rank=1), "refuse"),
        (Evidence(0.9, 0.9, False, withheld=True, dense_rank=1), "refuse"),
        (Evidence(0.9, 0.9, False, vague=True, dense_rank=1, lexical_rank=1), "refuse"),
        (Evidence(0.4, 0.9, False, dense_rank=1, lexical_rank=1, unknown=("NYPD",)), "refuse"),
        # ... unless a quoted sentence is close: a brand may stand for the releases' words.
        (Evidence(0.7, 0.9, False, dense_rank=1, lexical_rank=1, unknown=("Xbox",)), None),
        (Evidence(0.2, 0.2, False, case_match=True, dense_rank=1), "answer"),
        (Evidence(0.9, 0.9, False, dense_rank=1, lexical_rank=1), None),
    ],
)
def test_hard_rules_decide_the_clear_cases(evidence, decision):
    assert hard_rule(evidence) == decision


def test_the_model_prefers_close_releases_to_distant_ones():
    model = Answerability.load()
    close = Evidence(0.8, 1.0, False, sentence_coverage=1.0, dense=0.8, dense_rank=1,
                     lexical_rank=1, dense_margin=0.2)  # fmt: skip
    distant = Evidence(0.1, 0.1, False, sentence_coverage=0.1, dense=0.1, dense_rank=30,
                       lexical_rank=None, missing_rarest=1.0, missing_names=1.0)  # fmt: skip
    assert model.probability(close) > model.probability(distant)
    assert model.answers(close)


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Who attacked a little boy in his home in the North End?", 0.0),
        ("Who attacked a little boy in the home of Jason SMITH?", 1.0),
    ],
)
def test_a_neighbourhood_said_in_everyday_words_is_not_a_missing_name(question, missing):
    import datetime as dt

    from bot.answer.refusal import evidence
    from bot.answer.types import Draft, Question, Scored
    from index.text import Span
    from tests.support import one_chunk_release

    text = "A North District patrol arrested Daniel Jensen on Pritchard Avenue."
    source = one_chunk_release("c", text, "Assault", dt.date(2019, 10, 31))
    source.dense, source.dense_rank, source.lexical_rank = 0.6, 1, 1
    chosen = [Scored(source, source.head, Span(0, len(text)), 1.0, 0.6, 0.3)]
    proof = evidence(Question(question, None), Draft(text, [], chosen, source), [source])
    assert proof.missing_names == missing
