"""Reading time out of questions: ranges, relative dates, recency words, stripped text."""

from __future__ import annotations

from datetime import date

import pytest

from index.when import parse_when, plain_dates

TODAY = date(2021, 9, 22)
D = date


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("how much did Tip a Cop raise in 2017?", D(2017, 1, 1), D(2017, 12, 31)),
        ("shootings during 2019", D(2019, 1, 1), D(2019, 12, 31)),
        ("arrests in March 2018", D(2018, 3, 1), D(2018, 3, 31)),
        ("arrests in Sept. 2018", D(2018, 9, 1), D(2018, 9, 30)),
        ("robberies in February 2020", D(2020, 2, 1), D(2020, 2, 29)),
        ("what happened on October 31, 2019?", D(2019, 10, 31), D(2019, 10, 31)),
        ("what happened on 31st October 2019?", D(2019, 10, 31), D(2019, 10, 31)),
        ("releases of 2019-10-31", D(2019, 10, 31), D(2019, 10, 31)),
        ("shootings since June 2020", D(2020, 6, 1), None),
        ("shootings since 2020", D(2020, 1, 1), None),
        ("shootings after 2019", D(2020, 1, 1), None),
        ("homicides before 2018", None, D(2017, 12, 31)),
        ("homicides before March 2018", None, D(2018, 2, 28)),
        ("homicides until 2018", None, D(2018, 12, 31)),
        ("robberies between 2017 and 2019", D(2017, 1, 1), D(2019, 12, 31)),
        ("robberies between 2019 and 2017", D(2017, 1, 1), D(2019, 12, 31)),
        ("from March 2018 to June 2019", D(2018, 3, 1), D(2019, 6, 30)),
        ("last year", D(2020, 1, 1), D(2020, 12, 31)),
        ("this year", D(2021, 1, 1), TODAY),
        ("last month", D(2021, 8, 1), D(2021, 8, 31)),
        ("in the past 3 months", D(2021, 6, 22), TODAY),
        ("in the last two years", D(2019, 9, 22), TODAY),
        ("last week", D(2021, 9, 15), TODAY),
        ("what happened last March", D(2021, 3, 1), D(2021, 3, 31)),
        ("what happened last September", D(2020, 9, 1), D(2020, 9, 30)),
        ("what happened last December", D(2020, 12, 1), D(2020, 12, 31)),
        ("what happened in September", None, None),
        ("what happened in December", None, None),
        ("shootings since 2018 in 2019", D(2019, 1, 1), D(2019, 12, 31)),
    ],
)
def test_date_ranges(question, since, until):
    when = parse_when(question, TODAY)
    assert (when.since, when.until) == (since, until)
    assert not when.wants_latest


@pytest.mark.parametrize(
    "question",
    [
        "crash at 2019 Portage Ave",  # an address, not a year
        "what was the suspect in C17-49764 charged with?",
        "R17-20087 missing person",
        "What did the Mayor say about knife crime under 25s?",
        "what happened on February 30, 2020?",  # no such day
        "May I ask about robberies?",
    ],
)
def test_no_date_where_there_is_none(question):
    when = parse_when(question, TODAY)
    assert (when.since, when.until) == (None, None)
    assert when.text == question


@pytest.mark.parametrize(
    ("question", "text"),
    [
        (
            "what was the suspect in C17-49764 finally charged with?",
            "what was the suspect in C17-49764 charged with?",
        ),
        (
            "is the missing woman from Transcona still missing?",
            "is the missing woman from Transcona missing?",
        ),
        (
            "what is the latest on the Stella Avenue homicide",
            "what is on the Stella Avenue homicide",
        ),
        ("most recent shooting", "shooting"),
        ("who is currently wanted", "who is wanted"),
        ("what is happening now?", "what is happening?"),
        ("any update on the Portage Ave stabbing", "any update on the Portage Ave stabbing"),
        ("Homicide Update C20-81383", "Homicide Update C20-81383"),
        ("Was Jason Woodhouse ever caught?", "Was Jason Woodhouse caught?"),
        (
            "Has anyone been charged in the Bird killing?",
            "Has anyone been charged in the Bird killing?",
        ),
        ("Have police found the driver yet?", "Have police found the driver?"),
        (
            "What was the youth ultimately charged with?",
            "What was the youth charged with?",
        ),
        ("Was the car eventually recovered?", "Was the car recovered?"),
    ],
)
def test_recency_words(question, text):
    when = parse_when(question, TODAY)
    assert when.wants_latest
    assert when.text == text
    assert (when.since, when.until) == (None, None)


def test_time_words_leave_the_search_text():
    when = parse_when("How much did Tip a Cop raise in 2017?", TODAY)
    assert when.text == "How much did Tip a Cop raise?"
    assert when.phrases == ("in 2017",)


def test_range_and_recency_together():
    when = parse_when("latest homicide arrests in 2020", TODAY)
    assert when.wants_latest and when.text == "homicide arrests"
    assert (when.since, when.until) == (D(2020, 1, 1), D(2020, 12, 31))


def test_question_of_only_time_words_keeps_text():
    assert parse_when("latest", TODAY).text == "latest"


@pytest.mark.parametrize(
    ("today", "since"),
    [
        (D(2021, 3, 15), D(2020, 3, 1)),
        (D(2021, 4, 1), D(2021, 3, 1)),
        (D(2021, 2, 1), D(2020, 3, 1)),
    ],
)
def test_last_march_depends_on_today(today, since):
    assert parse_when("last March", today).since == since


@pytest.mark.parametrize(
    "question",
    [
        "Who was charged with the Euclid Avenue stabbing?",
        "What did the Mayor say about knife crime?",
        "What happened on Portage Avenue on June 3, 2019?",
        # "Still" tells the scene here, not the status now.
        "A house caught fire with two women still inside. How did officers get them out?",
        "A man drove off with the passenger still sitting in the back. Where was he caught?",
        # "Turned out" tells the story here; "how did it turn out" asks the outcome.
        "A business that was meant to test drivers turned out to be faking the results.",
        # A recency word in the scene told before the question asks nothing.
        "A stolen pickup ran from police and ended up half sunk in the river. What make was it?",
        "A burglar was finally caught in December. What was the stolen property worth?",
        # "Have been" that asks no outcome.
        "A man went missing in October 2019. What might he have been wearing?",
        "What have police been able to learn about the fire?",
    ],
)
def test_no_recency_where_there_is_none(question):
    assert not parse_when(question, TODAY).wants_latest


@pytest.mark.parametrize(
    ("question", "open_ended"),
    [
        ("latest homicide arrests in 2020", False),
        ("most recent shooting in March 2019", False),
        ("Were charges laid over the July 9, 2021 bank robbery?", True),
        ("Was Cooper Nemeth found in February 2016?", True),
        ("What came of the September 2, 2021 police operation on Garnet Street?", True),
        ("Has anyone been charged in the August 2020 shooting?", True),
        ("A man was stabbed on Langside Street. Has anyone been arrested?", True),
        ("Who has been charged in the August 2020 shooting?", True),
        ("How many people have been charged so far?", True),
        ("Brett Pilch, released in August 2016 - has there been any newer notice?", True),
        ("A man went missing from St. Vital in 2019. Was he ever found?", True),
        ("A woman was shot on St. Johns Ave. in 2017. What is the latest?", False),
        ("Is the Transcona woman still missing? Where was she last seen?", True),
        ("What is the latest on the Transcona shooting? Please cite the release.", False),
        ("Is the Transcona woman still missing?", True),
        ("What is the status of homicide case C20-8144?", True),
        ("What is the most serious charge he ended up facing?", True),
        ("What happened in the search for Cooper Nemeth in February 2016?", True),
        ("What happened to the Giesbrecht children?", True),
        ("What was the outcome of the February 2016 search for Cooper Nemeth?", True),
        ("How did the people hurt in the April 2016 fire make out?", True),
        ("Did police catch the man with a knife in August 2020?", True),
        ("Did police charge anyone after the February 2016 crash?", True),
        ("Did the woman hit on St. Anne's Road in September 2018 survive?", True),
    ],
)
def test_outcome_questions_are_open_ended(question, open_ended):
    when = parse_when(question, TODAY)
    assert when.wants_latest and when.open_ended is open_ended


@pytest.mark.parametrize(
    ("question", "plain", "since", "until"),
    [
        ("the Christmas Eve 2020 killing", "the December 24, 2020 killing", D(2020, 12, 24), None),
        (
            "a stabbing on New Year’s Day, 2018",
            "a stabbing on January 1, 2018",
            D(2018, 1, 1),
            None,
        ),
        ("fireworks on Canada Day 2019", "fireworks on July 1, 2019", D(2019, 7, 1), None),
        # A time of day between the holiday and its year.
        (
            "a house fire on Halloween night 2019",
            "a house fire on October 31, 2019 night",
            D(2019, 10, 31),
            None,
        ),
        ("what happened on Boxing Day?", "what happened on December 26?", None, None),
        ("the Christmas Cheer Board drive", "the Christmas Cheer Board drive", None, None),
    ],
)
def test_holidays_are_the_dates_releases_give(question, plain, since, until):
    assert plain_dates(question) == plain
    when = parse_when(question, TODAY)
    assert when.since == since
    assert when.until == (until or since)


@pytest.mark.parametrize(
    "question",
    ["Who was stabbed in June?", "a break-in during March at a corner store", "in May, who?"],
)
def test_a_month_without_a_year_filters_nothing_and_stays_searchable(question):
    when = parse_when(question, D(2022, 11, 11))
    assert (when.since, when.until) == (None, None)
    month = next(m for m in ("June", "March", "May") if m in question)
    assert month in when.text


def test_an_outcome_asked_after_a_scene_is_not_cut_off_at_the_scene_date():
    when = parse_when(
        "Police warned in July 2016 about a door-to-door fraud. Was anyone caught?", D(2022, 1, 1)
    )
    assert when.open_ended and when.wants_latest
    plain = parse_when(
        "A man was found dead in July 2016. Police are investigating.", D(2022, 1, 1)
    )
    assert not plain.open_ended
