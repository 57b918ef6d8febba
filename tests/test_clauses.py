"""Two-part questions: each part gets the sentence that answers it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bot.answer.clauses import asks_of, focus_of, split_question
from bot.answer.extractive import compose
from bot.answer.phrases import asking_clause, question_sentences
from bot.answer.scoring import Question, score_sentences
from bot.answer.sentence_bank import SentenceBank
from tests.support import one_chunk_release

RELEASE = (
    "On September 13, 2017, officers responded to a robbery in the 1400 block of Notre Dame "
    "Avenue. The suspect fled in a vehicle and officers followed it to Alfred Avenue. An "
    "officer discharged a firearm during a confrontation with the suspect. The suspect, a "
    "23-year-old male of Winnipeg, was pronounced deceased in hospital. The officers involved "
    "were placed on administrative leave. This investigation falls under the mandate of the "
    "Independent Investigation Unit (IIU) of Manitoba. The Major Crimes Unit continues to "
    "investigate the robbery of the business."
)


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "How old was the suspect, and which agency took over the investigation?",
            ["How old was the suspect", "which agency took over the investigation"],
        ),
        (
            "How many charges did he face and how many robberies were linked?",
            ["How many charges did he face", "how many robberies were linked"],
        ),
        ("Was he caught, and where?", ["Was he caught"]),
        ("What did police and fire crews find at Main and Logan?", []),
    ],
)
def test_split_question(question, parts):
    assert split_question(question) == parts


def test_each_part_of_a_two_part_question_is_answered(embedder):
    source = one_chunk_release("p", RELEASE, "Officer Involved Shooting", dt.date(2017, 9, 14))
    text = (
        "How old was the suspect who died after the Alfred Avenue shooting, "
        "and which agency took over the investigation?"
    )
    question = Question(text, np.asarray(embedder.embed_query(text), dtype=np.float32))
    bank = SentenceBank(embedder)
    ranked = score_sentences(question, [source], bank)
    asks = asks_of(text, embedder.embed_documents)
    assert len(asks) == 2
    draft = compose(question, ranked, [], False, spans=bank.spans, asks=asks, vectors=bank.vectors)
    assert "23-year-old" in draft.text
    assert "Independent Investigation Unit" in draft.text


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        (
            "After a woman took cash out of a bank, a man shoved her and ran off with her bag. "
            "Did she get her money back?",
            "Did she get her money back",
        ),
        (
            "When a house in the North End caught fire one July night with two women still "
            "inside, how did police officers get them out?",
            "how did police officers get them out",
        ),
        # A long question keeps its opening: that is where it says what it asks.
        (
            "What was found in the pocket of the unidentified man killed by a train at the "
            "13th Avenue and Courtney Street crossing in Regina in July 1995?",
            "What was found in the pocket of the unidentified man",
        ),
        # "St." ends no sentence: the scene is not cut at a street name.
        ("Where was he arrested on St. Mary's Road?", None),
        ("What was the total damage?", None),
    ],
)
def test_the_clause_that_asks(question, focus):
    assert focus_of(question) == focus


def test_a_question_is_cut_into_sentences_at_stops_not_at_abbreviations():
    text = "A man was hit on St. Anne's Road by Dr. Smith's car. Was he hurt?"
    assert question_sentences(text) == [
        "A man was hit on St. Anne's Road by Dr. Smith's car.",
        "Was he hurt?",
    ]


@pytest.mark.parametrize(
    ("question", "asking"),
    [
        (
            "Which Regina high school did Jeffrey G. DUMBA teach at when he was charged in 2021?",
            "Which Regina high school did Jeffrey G. DUMBA teach at",
        ),
        ("When was he arrested?", "When was he arrested?"),  # "When" opens the ask
        ("A man robbed a bank. What did he take after he left?", "What did he take"),
        # A scene told in a clause before the ask.
        (
            "When police raided a cocaine ring bringing drugs in from BC, how many officers "
            "took part?",
            "how many officers took part?",
        ),
        (
            "In a stolen-property investigation that reached several provinces, what "
            "police-related items turned up when officers searched a home?",
            "what police-related items turned up",
        ),
        ("On July 3, who was arrested on Main Street?", "who was arrested on Main Street?"),
        # ... whose ask opens with a preposition: "when" is the scene's, not asked.
        (
            "When police put out their yearly statistics in 2019, by how much had property "
            "crime gone up?",
            "by how much had property crime gone up?",
        ),
        # A relative clause tells who is meant; it does not ask "who".
        (
            "Was anyone ever charged in the death of Noah Nigussie, who was found injured?",
            "Was anyone ever charged in the death of Noah Nigussie",
        ),
    ],
)
def test_the_asking_clause_stops_where_its_context_begins(question, asking):
    assert asking_clause(question) == asking
