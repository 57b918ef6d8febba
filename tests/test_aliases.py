"""A question in everyday words shares its words with the sentence that says the same in
the release's words ("the police dog" / "the K9 unit", "the cab" / "the taxi")."""

from __future__ import annotations

import pytest

from bot.answer.types import Question


@pytest.mark.parametrize(
    ("question", "sentence", "term", "shared"),
    [
        ("Where did the police dog find the man?",
         "Members of the K9 unit tracked to a recycling bin.", "dog", True),
        ("Where did the police dog find the man?",
         "Members of the canine unit tracked him.", "dog", True),
        ("Where did the police dog find the man?", "The officer arrived.", "dog", False),
        ("Who was driving the cab?", "The taxi was found abandoned.", "cab", True),
        ("What did the teenager have on him?", "The youth was carrying a knife.", "teenager",
         True),
        ("Who beat up the guy?", "The male was assaulted by two suspects.", "guy", True),
        ("Who beat up the guy?", "The male was assaulted by two suspects.", "beat", True),
        ("What did the police helicopter see?", "AIR1 observed the vehicle.", "helicopter",
         True),
        ("Was the gun a fake?", "It was later determined to be a replica firearm.", "fake", True),
        # The release's word stands for the everyday one, not the other way round.
        ("Where was the taxi found?", "The cab was found abandoned.", "taxi", False),
    ],
)  # fmt: skip
def test_a_release_word_counts_as_the_everyday_word_asked(question, sentence, term, shared):
    asked = Question(question, None)
    assert term in asked.terms
    assert (term in asked.overlap(sentence)) is shared
