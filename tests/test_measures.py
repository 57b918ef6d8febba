"""A measure asked ("how long", "how far", "how fast", "where was he from") is answered by
that measure, not by any figure or place; and what a release has not told yet (charges
only pending, an oversight body only notified, a drive-thru never named) is refused."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answer.direct import direct_answer
from bot.answer.shapes import shapes_of
from bot.answer.types import Question
from bot.answer.untold import keeps_back
from tests.support import scored_sentence, shapes_met

MISSING = "How long had the autistic teenager been missing before police found him?"


@pytest.mark.parametrize(
    ("question", "sentence", "shape", "met"),
    [
        # The pair: the same release, with and without how long the search took.
        (MISSING, "Members located the missing male after he travelled approximately 9.5km.",
         "duration", False),
        (MISSING, "Members located the missing male about three hours later.", "duration", True),
        # An age, a clock time and a date are no durations.
        (MISSING, "A missing 16-year-old male was reported at 7:00 p.m. on May 20.", "duration",
         False),
        ("How long did the standoff last?", "After a two-hour standoff he surrendered.",
         "duration", True),
        ("How long was the knife?", "He held a knife with a 30 cm blade.", "duration", True),
        ("How far did he travel?", "He travelled approximately 9.5km.", "distance", True),
        ("How far did he travel?", "He was found at 9:30 p.m. on May 20.", "distance", False),
        ("How fast was he driving?", "He was travelling at 140 km/h.", "speed", True),
        ("How fast was he driving?", "He was travelling with 3 passengers.", "speed", False),
        # Where a person is from: the town after the person, not the scene.
        ("Where was the injured driver from?",
         "A 65-year old male from the R. M. of Springfield suffered a stab wound.", "hometown",
         True),
        ("Where is the man charged from?",
         "Brendan Andrew Mitchell, 23-years-old of Selkirk, has been charged.", "hometown", True),
        ("Where was he from?", "A 26 year-old Regina male has been arrested.", "hometown", True),
        ("Where was the injured driver from?",
         "The collision happened in the 100 block of Main Street.", "hometown", False),
    ],
)  # fmt: skip
def test_a_measure_asked_is_answered_by_that_measure(question, sentence, shape, met):
    assert shape in {s.name for s in shapes_of(question)}
    assert (shape in shapes_met(question, sentence)) is met


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("Where were those thefts from?", "hometown"),  # things, not a person
        ("How many officers attended?", "duration"),
        ("Where did it happen?", "hometown"),
    ],
)
def test_what_a_question_does_not_measure(question, shape):
    assert shape not in {s.name for s in shapes_of(question)}


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("How long did the standoff last?",
         "The 18 officers waited for about three hours before he surrendered.", "three hours"),
        ("How far did he travel before he was found?",
         "The 16-year-old was located after he travelled approximately 9.5km.", "9.5km"),
    ],
)  # fmt: skip
def test_the_measure_not_another_figure_is_said_first(question, sentence, expected):
    q = Question(question, np.zeros(3, dtype=np.float32))
    assert direct_answer(q, [scored_sentence(sentence)]) == expected


PENDING = (
    "A 41 year old male driver failed to stop at the intersection. Alcohol and manner of "
    "driving are factors in the collision. Charges are pending."
)
LAID = PENDING.replace("Charges are pending.", "He has been charged with Impaired Driving.")
IIU = (
    "An adult male at the residence was shot by police. The Independent Investigation Unit "
    "of Manitoba has been notified."
)
DRIVE_THRU = (
    "The victim was picking up an order at a drive-thru window in the 2400 block of Pembina "
    "Highway when the male suspect entered her vehicle."
)


@pytest.mark.parametrize(
    ("question", "release", "kept_back"),
    [
        # The pair: charges pending, or laid.
        ("What charges did the driver end up facing?", PENDING, True),
        ("What charges did the driver end up facing?", LAID, False),
        ("Did the Independent Investigation Unit clear the officer?", IIU, True),
        ("Did the Independent Investigation Unit clear the officer?",
         IIU + " The IIU concluded that the officer acted lawfully.", False),
        ("Which fast-food drive-thru was the woman at?", DRIVE_THRU, True),
        ("Which fast-food drive-thru was the woman at?",
         DRIVE_THRU.replace("a drive-thru window", "the Tim Hortons drive-thru window"), False),
    ],
)  # fmt: skip
def test_what_a_release_has_not_told_yet(question, release, kept_back):
    assert keeps_back(Question(question, None), release) is kept_back


@pytest.mark.parametrize(
    ("question", "sentence", "met"),
    [
        # The pair: the helper is named, or only the officer who asked for his help is.
        ("Who was the truck driver who helped rescue the man on the bridge?",
         "Patrol Sergeant Saif Khan asked the driver of the SRS Signs truck for help.", False),
        ("Who was the truck driver who helped rescue the man on the bridge?",
         "Patrol Sergeant Saif Khan thanked the driver, John PETERS, 45, for his help.", True),
        # A question about police wants the officer.
        ("Which officer asked the truck driver for help?",
         "Patrol Sergeant Saif Khan asked the driver of the SRS Signs truck for help.", True),
    ],
)  # fmt: skip
def test_an_officer_named_by_rank_is_not_the_person_asked_about(question, sentence, met):
    assert ("who" in Question(question, None).shapes_met(sentence)) is met


def test_a_cause_asked_is_no_figure_asked():
    # "What made the price go up?" names a price but asks why; a sentence telling why
    # ("due to exchange rate fluctuations") is the likelier answer, and none is no refusal.
    names = {s.name for s in shapes_of("What made the price of the camera go up?")}
    assert "money" not in names and "quantity" not in names and "cause" in names
    assert "money" in {s.name for s in shapes_of("What was the price of the camera?")}
    met = shapes_met(
        "Why did the price go up?", "Due to exchange rate fluctuations, the price rose."
    )
    assert met == {"cause"}
    (cause,) = [s for s in shapes_of("Why did the price go up?") if s.name == "cause"]
    assert not cause.essential


@pytest.mark.parametrize(
    ("question", "years", "met"),
    [
        # The year of the charge is not the year of the amount defrauded.
        ("How much was the casino defrauded of in the fraud for which she was charged in "
         "March 2021?", set(), True),
        ("How many dollars were lost to fraud in Winnipeg in 2021?", {"2021"}, False),
        ("In 2018, how much did the man who was arrested in 2021 steal?", {"2018"}, True),
    ],
)  # fmt: skip
def test_the_years_a_figure_asked_is_of(question, years, met):
    from bot.answer.figures import figure_years

    assert figure_years(question) == years
    said = "Between April 2017 and April 2018 the casino was defrauded of more than $275,000."
    assert ("quantity" in Question(question, None).shapes_met(said)) is met
