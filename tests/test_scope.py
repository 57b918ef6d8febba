"""The year and place a question names, and which releases are about them."""

from __future__ import annotations

import datetime as dt

from bot.answer.scope import Scope, fitting, other_project, told_elsewhere, unknown_names
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


def test_misfits_are_read_whole_in_one_read_before_they_are_found_not_to_fit():
    fits = one_chunk_release("f", "A male was arrested in Calgary.", "Arrest", dt.date(2017, 1, 4))
    release = one_chunk_release("w", "A male was arrested.", "Arrest", dt.date(2017, 1, 4))
    more = one_chunk_release("w", "He was wanted on a warrant from Calgary.", "Arrest", None)
    other = one_chunk_release("x", "A male was arrested.", "Arrest", dt.date(2017, 1, 4))
    reads = []

    def complete_all(sources):
        reads.append([s.publication_id for s in sources])
        for source in sources:
            if source.publication_id == "w":
                source.chunks.append(more.head)
        return True

    scope = Scope.of("Who was arrested on a Calgary warrant?")
    found = fitting(scope, [fits, release, other], complete_all)
    assert [s.publication_id for s in found] == ["f", "w"]
    assert reads == [["w", "x"]]  # only the misfits, in one read
    # All fit as read: nothing is read.
    assert fitting(scope, [fits], complete_all) == [fits] and len(reads) == 1


def test_names_no_publication_holds():
    held = {"polic", "manitoba", "suv", "calgary", "rough", "roughly", "gallery"}

    def unseen(terms):
        return {t for t in terms if t not in held}

    assert unknown_names("Did the NYPD arrest anyone in the Danforth shooting?", unseen) == [
        "NYPD",
        "Danforth",
    ]
    # A possessive, a plural acronym and a word opening a sentence are read as such.
    assert unknown_names("Were any of Calgary's SUVs stolen? Roughly how many?", unseen) == []
    # Every word of a name must be unknown for that word to count, not the whole name.
    assert unknown_names("Was the sculpture at the Qaumajuq Gallery stolen?", unseen) == [
        "Qaumajuq"
    ]
    assert unknown_names("how many cars were stolen in 2019?", unseen) == []


def test_a_release_of_another_place_that_tells_it_says_the_question_is_not_answered_here():
    from bot.answer.types import Question

    question = Question(
        "What was the name of the Calgary man arrested for 3-D printing parts for a Glock?", None
    )
    calgary = one_chunk_release(
        "c",
        "Efren GEZEHEY, 23, of Calgary, was charged with Possess Weapon.",
        "Firearms - Arrest",
        dt.date(2020, 10, 19),
    )
    winnipeg = one_chunk_release(
        "w",
        "The man used a 3-D printer to make parts for a Glock handgun and was arrested.",
        "Firearms Investigation - Arrest",
        dt.date(2020, 3, 3),
    )
    # The Winnipeg release is the one about it: the Calgary one, though it fits, is not.
    assert told_elsewhere(question, calgary, [winnipeg])
    # A release of another place that tells no more of it changes nothing.
    other = one_chunk_release("o", "A man was arrested.", "Arrest", dt.date(2020, 3, 3))
    assert not told_elsewhere(question, calgary, [other])
    assert not told_elsewhere(question, winnipeg, [calgary])


def test_a_release_that_never_names_the_project_asked_about_is_about_another():
    """ "Project Guardian" asked of the "Project Return" release it was answered from."""
    release = one_chunk_release(
        "p", "Project Return located 57 missing youths.", "Project Return", dt.date(2019, 6, 28)
    )
    asked = "How many people were arrested during Project Guardian in the summer of 2017?"
    assert other_project(asked, release)
    assert not other_project("How many youths did Project Return locate?", release)
    # Spelled another way, or named in the title only, it is the same project.
    saver = one_chunk_release("s", "The program helps find people.", "Project Life Saver", None)
    assert not other_project("How does Project Lifesaver find people?", saver)
    # A question that names no project asks nothing of it.
    assert not other_project("How many people were arrested?", release)
