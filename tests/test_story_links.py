"""A case's outcome told under another case number, found by the person both name.

The C17-64890 appeal (April 2017) names Marcel Albert Paul; his arrest came in June under
R17-27316. Over a real store of those bulletin pages and the real model.
"""

from __future__ import annotations

import pytest

from bot.answer.answerer import build_answerer
from index.names import LINK_HORIZON, named_later
from index.settings import Settings
from index.store import open_store
from ingest.pipeline import Ingestor
from tests.support import PAGES

pytestmark = pytest.mark.slow  # a real store

DAYS = ["2017_04apr_2017_04_05.html", "2017_04apr_2017_04_12.html", "2017_06jun_2017_06_14.html"]
QUESTION = "Was anyone ever arrested over the C17-64890 incidents with elderly shoppers?"


@pytest.fixture(scope="module")
def answerer(tmp_path_factory, embedder, corpus):
    settings = Settings(store=tmp_path_factory.mktemp("story") / "store")
    store = open_store(settings)
    report = Ingestor(store, embedder).run([str(PAGES / day) for day in DAYS])
    assert not report.failed, report.failed
    return build_answerer(settings, store=store, embedder=embedder)


def _titles(snap, publications):
    return {snap.first_chunk(p).title for p in publications}


def test_a_later_release_naming_the_cases_person_joins_its_story(answerer):
    snap = answerer.retriever.live.get()
    case = snap.publications_for(["C17-64890"])
    assert len(case) == 2
    linked = named_later(snap, case)
    assert any("R17-27316" in title for title in _titles(snap, linked))
    # Only releases after the case's first, within the horizon of its last.
    dates = [snap.first_chunk(p).published for p in case]
    assert all(
        min(dates) < snap.first_chunk(p).published <= max(dates) + LINK_HORIZON for p in linked
    )


def test_the_latest_status_comes_from_the_release_under_the_other_number(answerer):
    answer = answerer.ask(QUESTION)
    assert not answer.refused, answer.answer
    assert answer.citations[0].published == "2017-06-14"
    assert "arrested Paul" in answer.answer


FLESS_DAYS = [
    "2016_11nov_2016_11_29.html",
    "2016_11nov_2016_11_30.html",
    "2016_12dec_2016_12_08.html",
    "2017_01jan_2017_01_07.html",
    "2017_06jun_2017_06_16.html",
]
FLESS = (
    "Was Michael Taylor Fless, wanted over the November 2016 Pritchard Avenue and East "
    "St. Paul shootings, caught?"
)


@pytest.fixture(scope="module")
def fless(tmp_path_factory, embedder, corpus):
    """The C16-249563 shootings: a January 2017 arrest of one man; the other, Fless, was
    arrested in June by another force, under a mistyped number ("C160249563")."""
    settings = Settings(store=tmp_path_factory.mktemp("fless") / "store")
    store = open_store(settings)
    report = Ingestor(store, embedder).run([str(PAGES / day) for day in FLESS_DAYS])
    assert not report.failed, report.failed
    return build_answerer(settings, store=store, embedder=embedder)


def test_the_person_a_latest_question_names_ties_a_much_later_release_to_the_case(fless):
    from index.names import LINK_HORIZON, naming, naming_later

    snap = fless.retriever.live.get()
    case = snap.publications_for(["C16-249563"])
    later = naming_later(snap, naming(snap, FLESS), case)
    dates = {snap.first_chunk(p).published for p in later}
    assert any(d > max(snap.first_chunk(p).published for p in case) + LINK_HORIZON for d in dates)
    answer = fless.ask(FLESS)
    assert not answer.refused, answer.answer
    assert answer.citations[0].published == "2017-06-16"
    assert "Waterloo Regional Police" in answer.answer
