"""Case timelines over real corpus releases: every release of a case, oldest first, each
with what it added to the ones before."""

from __future__ import annotations

import pytest

from bot.cases.timeline import CaseBook, case_key
from index.settings import Settings
from index.store import open_store

pytestmark = pytest.mark.slow  # a real store


@pytest.fixture(scope="module")
def book(qa_store_dir):
    return CaseBook(open_store(Settings(store=qa_store_dir)))


@pytest.mark.parametrize(
    "text, key",
    [("C19-255700", "C19-255700"), ("c19-255700", "C19-255700"), (" C19 255700 ", "C19-255700"),
     ("what about C19-255700?", None), ("C19-255700 and C17-161171", None), ("hello", None)],
)  # fmt: skip
def test_a_case_is_named_by_its_case_number(text, key):
    assert case_key(text) == key


def test_a_timeline_lists_the_cases_releases_oldest_first_with_their_news(book):
    timeline = book.timeline("c19-255700")
    assert timeline is not None and timeline.key == "C19-255700"
    dates = [e.published for e in timeline.entries]
    assert len(dates) == 4 and dates == sorted(dates)
    assert all("C19-255700" in e.references for e in timeline.entries)
    first, *updates = timeline.entries
    assert first.added  # the opening release adds what it says
    # An update adds sentences the earlier releases did not say, and only those.
    earlier = " ".join(s for e in timeline.entries[:1] for s in e.added)
    for entry in updates:
        assert all(sentence not in earlier for sentence in entry.added)
    assert timeline.as_json()["entries"][0]["published"] == first.published.isoformat()


def test_a_case_no_release_carries_has_no_timeline(book):
    assert book.timeline("C99-000000") is None
    assert book.timeline("not a case") is None


def test_adds_is_what_a_new_release_says_that_the_earlier_did_not(book):
    timeline = book.timeline("C19-255700")
    ids = [e.publication_id for e in timeline.entries]
    assert book.adds(ids[-1], ids[:-1]) == timeline.entries[-1].added
    assert book.adds(ids[-1], ids) == timeline.entries[-1].added  # itself among the earlier
    story = book.story(ids[0], ids)  # the case's releases retell its first: one story
    assert story is not None and story.entries[0].publication_id == ids[0]
