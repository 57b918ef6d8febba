"""The URL rules re-ingestion relies on: same page, same site, where discovery may lead,
and what makes a 200 answer not a release."""

from __future__ import annotations

import pytest

from ingest import checks
from ingest.hosts import refusal
from ingest.urls import is_home, page_key

SRC = "https://www.police.example/news/feed.xml"


@pytest.mark.parametrize(
    "url, refused",
    [
        ("https://www.police.example/news/1", None),
        ("http://police.example/news/1", None),  # the same site without www.
        ("https://cdn.police.example/news/1", "cdn.police.example is not the source's host"),
        ("https://evil.example/x", "evil.example is not the source's host"),
        ("http://169.254.169.254/latest/", "169.254.169.254 is not the source's host"),
        ("ftp://www.police.example/x", "is not an http(s) URL"),
        ("javascript:alert(1)", "is not an http(s) URL"),
    ],
)
def test_discovered_urls_stay_on_the_sources_site(url, refused):
    reason = refusal(url, SRC)
    assert reason == refused if refused is None else refused in reason


def test_allow_hosts_admits_named_hosts_and_patterns():
    assert refusal("https://cdn.police.example/a", SRC, ("*.police.example",)) is None
    assert refusal("https://media.example/a", SRC, ("media.example",)) is None
    assert refusal("https://other.example/a", SRC, ("media.example",)) is not None


def test_a_page_is_named_by_site_path_and_query():
    assert page_key("https://www.a.example/x/") == page_key("http://a.example/x")
    assert page_key("https://a.example/x?id=1") != page_key("https://a.example/x?id=2")
    assert is_home("https://a.example") and is_home("https://www.a.example/")
    assert not is_home("https://a.example/?p=5") and not is_home("https://a.example/news")


@pytest.mark.parametrize(
    "final, before, problem",
    [
        ("https://a.example/news/1/", None, None),  # a trailing slash is the same page
        ("https://a.example/", None, "home page"),
        ("https://a.example/login?next=/news/1", "https://a.example/news/1", "another page"),
        ("https://a.example/new/1", "https://a.example/new/1", None),  # redirected before too
        ("https://a.example/new/1", None, None),  # a new page: where it lives now
    ],
)
def test_redirects_that_leave_the_release_are_named(final, before, problem):
    found = checks.redirect_problem("https://a.example/news/1", final, before)
    assert found == problem if problem is None else problem in found


@pytest.mark.parametrize(
    "title, generic",
    [
        ("Log in", True),
        ("Sign In - Portal", True),
        ("404 Not Found", True),
        ("Page not found | Regina Police", True),
        ("Site maintenance", True),
        ("Service Unavailable", True),
        ("Home | Winnipeg Police Service", True),
        ("Welcome to Regina Police Service", True),
        ("Home invasion on Main Street", False),
        ("Homeless man assaulted", False),
        ("Maintenance worker struck by vehicle", False),
        ("404 arrests in drug operation", False),
        ("Error in crime statistics corrected", False),
    ],
)
def test_generic_titles_are_told_from_release_titles(title, generic):
    assert checks.generic_title(title) is generic


def test_an_update_under_the_same_title_is_related_and_a_swap_is_not():
    old_title = "Missing person - Jane Doe"
    old = "Police are asking for help locating Jane Doe, 15, last seen on Albert Street."
    update = "UPDATE: Jane Doe has been located safe. Police thank the public for sharing."
    swap_title = "Robbery charges laid"
    swap = "A man, 34, is charged with robbery after a store on Broad Street was held up."
    assert checks.unrelated("UPDATE: Missing person - Jane Doe", update, old_title, old) is None
    assert checks.unrelated(swap_title, swap, old_title, old) is not None
    assert checks.unrelated(old_title, old + " She was wearing a red coat.", old_title, old) is None
