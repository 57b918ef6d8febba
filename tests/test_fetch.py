"""Fetching one URL: limits, retries, redirects, conditional requests, against 127.0.0.1."""

from __future__ import annotations

import pytest

from index.errors import SourceError
from ingest.fetch import Fetcher, FetchOptions, retry_after
from tests.support import free_port

FAST = FetchOptions(
    connect_timeout=2,
    read_timeout=0.5,
    retries=2,
    backoff=0.01,
    max_wait=1,
    max_bytes=1024 * 1024,
    contact="ops@example.org",
)


@pytest.fixture
def fetcher():
    with Fetcher(FAST) as fetcher:
        yield fetcher


@pytest.mark.slow
def test_fetches_body_validators_and_names_itself(site, fetcher):
    site.put("/a.html", b"<html><body><p>Release</p></body></html>")
    got = fetcher.get(site.url("/a.html"))
    assert got.status == 200 and got.content.startswith(b"<html>")
    assert got.mime == "text/html" and got.etag and got.last_modified
    assert site.user_agents[-1].startswith("policing-qa/")
    assert "(+ops@example.org)" in site.user_agents[-1]


@pytest.mark.slow
@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_conditional_request_is_answered_304_without_a_body(site, fetcher, validator):
    site.put("/a.html", b"<html><p>Release</p></html>")
    first = fetcher.get(site.url("/a.html"))
    again = fetcher.get(site.url("/a.html"), **{validator: getattr(first, validator)})
    assert again.not_modified and again.content == b""
    assert site.not_modified["/a.html"] == 1
    site.put("/a.html", b"<html><p>Release, corrected</p></html>")
    changed = fetcher.get(site.url("/a.html"), etag=first.etag)
    assert changed.status == 200 and b"corrected" in changed.content


@pytest.mark.slow
def test_redirect_is_followed_and_the_final_url_kept(site, fetcher):
    site.put("/new.html", b"<html><p>moved here</p></html>")
    site.redirect("/old.html", "/new.html")
    got = fetcher.get(site.url("/old.html"))
    assert got.final_url == site.url("/new.html") and got.url == site.url("/old.html")


@pytest.mark.slow
def test_redirect_loop_is_bounded(site, fetcher):
    site.redirect("/a", "/b")
    site.redirect("/b", "/a")
    with pytest.raises(SourceError, match="redirects"):
        fetcher.get(site.url("/a"))
    assert site.hits["/a"] + site.hits["/b"] <= FAST.max_redirects + 1


@pytest.mark.slow
@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_are_retried_then_succeed(site, fetcher, status):
    site.put("/a.html", b"<html><p>ok</p></html>")
    site.fail("/a.html", status, times=2, retry_after="0")
    assert fetcher.get(site.url("/a.html")).status == 200
    assert site.hits["/a.html"] == 3


@pytest.mark.slow
def test_persistent_server_error_gives_up_after_bounded_retries(site, fetcher):
    site.fail("/a.html", 500)
    with pytest.raises(SourceError, match=r"HTTP 500.*3 tries") as err:
        fetcher.get(site.url("/a.html"))
    assert err.value.source == site.url("/a.html")
    assert site.hits["/a.html"] == FAST.retries + 1


@pytest.mark.slow
def test_retry_after_beyond_the_cap_fails_at_once(site, fetcher):
    site.fail("/a.html", 429, retry_after="3600")
    with pytest.raises(SourceError, match="asks to wait 3600s"):
        fetcher.get(site.url("/a.html"))
    assert site.hits["/a.html"] == 1


def test_retry_after_accepts_seconds_and_http_dates():
    assert retry_after("120") == 120
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10
    assert retry_after("soon") is None and retry_after(None) is None


@pytest.mark.slow
@pytest.mark.parametrize(
    "setup, pattern",
    [
        (
            lambda s: s.put("/x", b"\x89PNG....", "image/png"),
            "unsupported content type 'image/png'",
        ),
        (lambda s: s.fail("/x", 403), "HTTP 403"),
        (lambda s: s.slow("/x", 2.0), "timed out"),
        (lambda s: s.huge("/x", 50 * 1024 * 1024), "over the limit"),
        (lambda s: s.huge("/x", 50 * 1024 * 1024, declare_length=False), "over the limit"),
    ],
    ids=["image", "forbidden", "slow", "huge-declared", "huge-streamed"],
)
def test_bad_answers_are_source_errors_naming_the_url(site, fetcher, setup, pattern):
    setup(site)
    with pytest.raises(SourceError, match=pattern) as err:
        fetcher.get(site.url("/x"))
    assert err.value.source == site.url("/x")


@pytest.mark.slow
def test_huge_page_is_abandoned_early_not_downloaded(site, fetcher):
    site.huge("/x", 50 * 1024 * 1024, declare_length=False)
    with pytest.raises(SourceError):
        fetcher.get(site.url("/x"))
    assert site.sent["/x"] < 10 * 1024 * 1024  # the server stopped soon after the client left


def test_connection_refused_is_reported(fetcher):
    url = f"http://127.0.0.1:{free_port()}/feed.xml"
    with pytest.raises(SourceError, match="connection failed") as err:
        fetcher.get(url)
    assert err.value.source == url


@pytest.mark.slow
def test_gone_pages_are_answers_not_errors(site, fetcher):
    site.fail("/withdrawn.html", 410)
    assert fetcher.get(site.url("/withdrawn.html")).gone
    assert fetcher.get(site.url("/never.html")).gone
