"""The time of year a question remembers, as a preference among the releases found."""

from __future__ import annotations

import datetime as dt

import pytest

from index.models import Chunk, Hit
from index.seasons import months_of, prefer_months


@pytest.mark.parametrize(
    ("question", "months"),
    [
        ("A man cycling to work one June morning was attacked.", (6, 7)),
        ("In a road rage attack one fall, a driver beat a man.", (9, 10, 11, 12)),
        ("Who robbed the store in mid-December?", (12, 1)),
        ("One winter night a driver took off from a traffic stop.", (12, 1, 2, 3)),
        ("A man was shot in late spring.", (5, 6)),
        ("Who was charged at the end of the summer?", (8, 9)),
        ("What happened at Christmas?", (12, 1)),
        # A date with its year is a range for the date reader, not a season.
        ("What happened on June 5, 2019?", ()),
        ("Who was arrested in May 2019?", ()),
        # "May" the verb.
        ("May I ask about robberies?", ()),
        ("What police may do next", ()),
        ("Who was arrested?", ()),
    ],
)
def test_the_months_a_question_remembers(question, months):
    assert months_of(question) == months


def _hit(pid: str, published: dt.date, score: float) -> Hit:
    chunk = Chunk(
        id=f"{pid}-0",
        publication_id=pid,
        ord=0,
        text="text",
        title=pid,
        published=published,
        source=f"{pid}.html",
        content_hash=pid,
    )
    return Hit(chunk=chunk, score=score)


def test_releases_of_the_season_rise_and_none_is_dropped():
    hits = [
        _hit("march", dt.date(2019, 3, 2), 0.032),
        _hit("june", dt.date(2016, 6, 17), 0.030),
        _hit("undated", None, 0.031),
    ]
    ordered = prefer_months(hits, months_of("one June morning"), 0.5)
    assert [h.chunk.publication_id for h in ordered] == ["june", "march", "undated"]
    assert ordered[0].score == pytest.approx(0.045)
    # The hits given are not changed.
    assert hits[1].score == 0.030
    # No season: the order stands.
    assert prefer_months(hits, (), 0.5) == sorted(hits, key=lambda h: -h.score)


def test_an_outcome_asked_of_a_dated_event_prefers_the_weeks_after_it():
    from index.seasons import OUTCOME_LAG, preferred
    from index.when import parse_when

    today = dt.date(2021, 10, 1)
    question = "A man was stabbed on October 6, 2016 and later died. Was anyone charged?"
    when = parse_when(question, today)
    assert when.open_ended and when.since == dt.date(2016, 10, 6)
    hits = [
        _hit("years-later", dt.date(2021, 5, 25), 0.030),
        _hit("next-day", dt.date(2016, 10, 7), 0.022),
        _hit("months-later", when.until + OUTCOME_LAG + dt.timedelta(days=30), 0.021),
        _hit("names-him", dt.date(2017, 6, 16), 0.0205),
    ]
    # The date filter is left open for an outcome: those of the weeks after rise.
    ordered = preferred(hits, question, when, dt.date(2016, 10, 6), None)
    assert [h.chunk.publication_id for h in ordered][:2] == ["next-day", "years-later"]
    # A release naming the person asked about rises whenever it was told.
    about = preferred(hits, question, when, dt.date(2016, 10, 6), None, {"names-him-0"})
    assert [h.chunk.publication_id for h in about][:3] == ["next-day", "names-him", "years-later"]
    # Not an outcome: the days themselves rise less, and "years-later" keeps its lead.
    fact = "How many people were stabbed on October 6, 2016?"
    fact_when = parse_when(fact, today)
    fact_order = preferred(hits, fact, fact_when, fact_when.since, fact_when.until)
    assert [h.chunk.publication_id for h in fact_order] == [h.chunk.publication_id for h in hits]


def test_the_days_a_question_names_rise_over_the_weeks_of_reporting_lag():
    from index.seasons import DAYS_BOOST, days_meant, preferred
    from index.when import parse_when

    question = "At the end of August 2016 police shut downtown streets. What did they decide?"
    when = parse_when(question, dt.date(2021, 10, 1))
    assert days_meant(question, when.since, when.until) == (
        dt.date(2016, 8, 18),
        dt.date(2016, 8, 31),
    )
    assert days_meant("early May 2019", dt.date(2019, 5, 1), dt.date(2019, 5, 31)) == (
        dt.date(2019, 5, 1),
        dt.date(2019, 5, 12),
    )
    day = dt.date(2016, 8, 5)
    assert days_meant("in early August 5, 2016", day, day) == (day, day)
    hits = [
        _hit("weeks-after", dt.date(2016, 9, 17), 0.030),
        _hit("early-august", dt.date(2016, 8, 6), 0.0295),
        _hit("that-week", dt.date(2016, 8, 26), 0.029),
    ]
    ordered = preferred(hits, question, when, when.since, when.until)
    assert [h.chunk.publication_id for h in ordered] == ["that-week", "weeks-after", "early-august"]
    assert ordered[0].score == pytest.approx(0.029 * (1 + DAYS_BOOST))
    # A year is no month: the order stands.
    year = parse_when("What did police decide in 2016?", dt.date(2021, 10, 1))
    assert preferred(hits, "What did police decide in 2016?", year, year.since, year.until) == hits
