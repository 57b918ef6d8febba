"""The year and place a question names, and which releases are about them."""

from __future__ import annotations

import datetime as dt

from bot.answer.scope import Scope, fitting
from tests.support import one_chunk_release

WINNIPEG_2018 = one_chunk_release(
    "w18",
    "Week 2 (December 8 to 14) results: 2106 cars stopped.",
    "Festive Season Checkstop Program",
    dt.date(2018, 12, 17),
)


def test_a_question_names_its_years_and_places():
    scope = Scope.of("How many cars were stopped in Calgary in week 2 of the 2018 program?")
    assert scope.years == {"2018"}
    assert scope.places == {"Calgary"}
    assert not Scope.of("How many cars were stopped in week 2 of the program?")


def test_the_publication_year_fits_a_release_that_never_writes_it():
    assert Scope.of("How many cars were stopped in 2018?").fits(WINNIPEG_2018)
    assert not Scope.of("How many cars were stopped in 2017?").fits(WINNIPEG_2018)
    # One of several years is enough ("over 2018 and 2019").
    assert Scope.of("What happened in 2017 and 2018?").fits(WINNIPEG_2018)


def test_the_issuer_stands_for_its_city_and_province():
    release = one_chunk_release("r", "Two males were arrested.", "Arrest", dt.date(2021, 8, 1))
    release.head.issuer = "Regina Police Service"
    assert Scope.of("Who was arrested in Regina?").fits(release)
    assert Scope.of("Who was arrested in Saskatchewan?").fits(release)
    assert not Scope.of("Who was arrested in Saskatoon?").fits(release)
    assert not Scope.of("Who was arrested in Regina and Calgary?").fits(release)


def test_a_release_is_read_whole_before_it_is_found_not_to_fit():
    release = one_chunk_release("w", "A male was arrested.", "Arrest", dt.date(2017, 1, 4))
    more = one_chunk_release("w", "He was wanted on a warrant from Calgary.", "Arrest", None)
    read = []

    def complete(source):
        read.append(source.publication_id)
        source.chunks.append(more.head)
        return True

    assert fitting(Scope.of("Who was arrested on a Calgary warrant?"), [release], complete)
    assert read == ["w"]
    # Nothing more to read: it does not fit.
    other = one_chunk_release("x", "A male was arrested.", "Arrest", dt.date(2017, 1, 4))
    assert not fitting(Scope.of("Who was arrested in Calgary?"), [other], lambda s: False)
