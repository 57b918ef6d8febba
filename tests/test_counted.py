"""What a "how many" question counts, and whether a quoted figure counts it."""

from __future__ import annotations

import pytest

from bot.answer.counted import counted, miscounted


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("How many stop and searches did the Met carry out in 2022?", "stop and searches"),
        ("How many cannabis plants were seized?", "cannabis plants"),
        ("How many complaints about officers did the agency receive?", "complaints about officers"),
        # People and charges are counted in too many ways to hold an answer to the words.
        ("How many people were arrested?", None),
        ("How many men were charged?", None),
        ("How many counts of fraud does he face?", None),
        ("What was seized?", None),
    ],
)
def test_what_a_question_counts(question, thing):
    assert counted(question) == thing


@pytest.mark.parametrize(
    ("question", "sentences", "wrong"),
    [
        (
            "How many stop and searches did the Met carry out in 2022?",
            ["The Met has 34,542 officers, the highest number in its history."],
            True,
        ),
        (
            "How many complaints about Winnipeg police did the agency receive in 2017?",
            ["Its headquarters are at 13575 58th Street North, Suite 320, Gainesville."],
            True,
        ),
        (
            "How many arrests did the Met's specialist teams make in Southwark?",
            ["With a record 34,542 officers, the Met is committed to restoring trust."],
            True,
        ),
        # Other words for the thing counted are the thing counted.
        ("How many guns were seized?", ["Officers seized 73 firearms from the home."], False),
        (
            "How many stop and searches did the Met carry out?",
            ["Officers carried out 12,000 searches and made 34,542 arrests."],
            False,
        ),
        # No figure before a word: nothing to judge by.
        ("How many stop and searches were there?", ["The plan was announced."], False),
        ("How many people were hurt?", ["Three vehicles were damaged."], False),
    ],
)
def test_a_figure_that_counts_another_thing(embedder, question, sentences, wrong):
    assert miscounted(question, sentences, embedder.embed_documents) is wrong
