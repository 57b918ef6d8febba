"""Feeds, sitemaps and pages over HTTP: parsing, then incremental ingestion from 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from index.errors import SourceError
from ingest.feeds import gunzip, kind_of, parse_feed, parse_sitemap
from ingest.fetch import Fetcher, FetchOptions
from ingest.sources_file import SourceSpec
from ingest.watch import run_once
from tests.fakes.site import FakeSite
from tests.support import PAGES, free_port

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>A</title><link>/news/a.html</link>
<pubDate>Thu, 31 Oct 2019 23:30:00 -0500</pubDate></item>
<item><title>B</title><link>https://elsewhere.example/b</link></item>
<item><title>no link</title></item></channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>t</title><id>urn:x</id><updated>2021-05-12T10:00:00Z</updated>
<entry><title>A</title><id>urn:a</id><link rel="alternate" href="a.html"/>
<published>2021-05-12T22:15:00-05:00</published><updated>2021-05-13T09:00:00Z</updated></entry>
</feed>"""
URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://p.example/r/1</loc><lastmod>2021-05-13</lastmod>
<news:news><news:publication_date>2021-05-12T08:00:00-05:00</news:publication_date></news:news></url>
<url><loc> https://p.example/r/2 </loc></url><url><loc>https://p.example/r/1</loc></url></urlset>"""
INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://p.example/s1.xml</loc></sitemap></sitemapindex>"""

# --- parsing -------------------------------------------------------------------------------


def test_rss_items_have_absolute_links_and_the_publishers_local_date():
    items = parse_feed(RSS, "https://p.example/feed.xml").items
    assert [i.url for i in items] == [
        "https://p.example/news/a.html",
        "https://elsewhere.example/b",
    ]
    assert items[0].published == dt.date(2019, 10, 31)  # 04:30 UTC the next day
    assert items[1].published is None


def test_atom_entries_use_their_published_date_and_alternate_link():
    (item,) = parse_feed(ATOM, "https://p.example/news/atom.xml").items
    assert item.url == "https://p.example/news/a.html"
    assert item.published == dt.date(2021, 5, 12)


def test_sitemap_lists_pages_once_with_news_dates_and_an_index_lists_sitemaps():
    listing = parse_sitemap(URLSET, "https://p.example/sitemap.xml")
    assert [(i.url, i.published) for i in listing.items] == [
        ("https://p.example/r/1", dt.date(2021, 5, 12)),
        ("https://p.example/r/2", None),
    ]
    assert parse_sitemap(INDEX, "https://p.example/i.xml").sitemaps == ["https://p.example/s1.xml"]


def test_gzipped_sitemap_is_inflated_within_the_limit():
    assert gunzip(gzip.compress(URLSET), "u", 10_000) == URLSET
    with pytest.raises(SourceError, match="inflates to over the limit"):
        gunzip(gzip.compress(b"<urlset>" + b" " * 100_000), "u", 10_000)


@pytest.mark.parametrize(
    "content_type, body, kind",
    [
        ("application/rss+xml", RSS, "feed"),
        ("text/xml", ATOM, "feed"),
        ("text/html", RSS, "feed"),  # mislabelled feeds are common
        ("application/xml", URLSET, "sitemap"),
        ("", INDEX, "sitemap"),
        ("text/html", b"<!DOCTYPE html><!-- x --><html><body>hi</body></html>", "page"),
        ("application/xhtml+xml", b'<?xml version="1.0"?><html><body/></html>', "page"),
        ("text/plain", b"Police appeal for witnesses", "page"),
        ("application/pdf", b"%PDF-1.7 ...", "page"),
    ],
)
def test_kind_is_told_by_root_element_and_media_type(content_type, body, kind):
    assert kind_of("u", content_type, body) == kind


@pytest.mark.parametrize(
    "content_type, body, expected, message",
    [
        ("text/html", b"<html><body>Releases</body></html>", "feed", "expected an RSS/Atom feed"),
        ("application/rss+xml", RSS, "page", "expected a page but got an RSS/Atom feed"),
        ("application/xml", b"<catalog><book/></catalog>", "auto", "neither an RSS/Atom feed"),
    ],
)
def test_wrong_kind_of_document_is_a_clear_error(content_type, body, expected, message):
    with pytest.raises(SourceError, match=message):
        kind_of("https://p.example/x", content_type, body, expected)


@pytest.mark.parametrize("parse", [parse_feed, parse_sitemap])
@pytest.mark.parametrize(
    "body", [RSS[:-20], b"<rss><channel><item><link>a</link></channel></rss>", b"\x00\x01"]
)
def test_malformed_xml_is_an_error_not_a_partial_listing(parse, body):
    with pytest.raises(SourceError, match="malformed XML"):
        parse(body, "https://p.example/feed.xml")


@pytest.mark.parametrize("parse", [parse_feed, parse_sitemap])
def test_external_entities_are_never_resolved(parse, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    if parse is parse_feed:
        body = (
            f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
            "<rss version='2.0'><channel><item><link>https://p.example/&x;</link></item>"
            "</channel></rss>"
        )
    else:
        body = (
            f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            "<url><loc>https://p.example/&x;</loc></url></urlset>"
        )
    items = parse(body.encode(), "https://p.example/x.xml").items
    assert all("TOPSECRET" not in i.url for i in items)


# --- ingestion over HTTP -------------------------------------------------------------------

NAMES = [
    "2019_10oct_2019_10_31.html",
    "2021_05may_2021_05_12.html",
    "2018_03mar_2018_03_15.html",
    "2016_01jan_2016_01_05.html",
]
REGINA = sorted(PAGES.glob("regina_police_*.html"))[0].name
FAST = FetchOptions(read_timeout=1, connect_timeout=1, retries=1, backoff=0.01, max_wait=1,
                    max_bytes=2 * 1024 * 1024)  # fmt: skip


@pytest.fixture
def fetcher():
    with Fetcher(FAST, trusted_hosts={"127.0.0.1"}) as fetcher:
        yield fetcher


def publish(site: FakeSite, names: list[str], feed: str = "/feed.xml") -> list[str]:
    """Put real corpus pages on the site and list them in an RSS feed; returns their URLs."""
    for name in names:
        site.put(f"/releases/{name}", (PAGES / name).read_bytes())
    site.put_rss(feed, [(f"/releases/{n}", None) for n in names])
    return [site.url(f"/releases/{n}") for n in names]


def by_source(store) -> dict[str, list]:
    out: dict[str, list] = {}
    for pub in store.get_publications().values():
        out.setdefault(pub.source, []).append(pub)
    return out


@pytest.mark.slow
def test_feed_run_ingests_every_item_then_unchanged_pages_are_304(ingestor, store, site, fetcher):
    urls = publish(site, NAMES[:3])
    feed = SourceSpec(site.url("/feed.xml"), kind="feed", issuer="Winnipeg Police Service")
    first = run_once(ingestor, fetcher, [feed])
    assert first.failed == [] and first.embedded_chunks == first.chunks > 0
    assert set(by_source(store)) == set(urls)

    again = run_once(ingestor, fetcher, [feed])
    assert (again.added, again.updated, again.embedded_chunks) == (0, 0, 0)
    assert again.unchanged == first.added
    assert all(site.not_modified[f"/releases/{n}"] == 1 for n in NAMES[:3])
    assert site.not_modified["/feed.xml"] == 1


@pytest.mark.slow
def test_new_item_is_the_only_thing_embedded(ingestor, store, site, fetcher):
    publish(site, NAMES[:2])
    feed = SourceSpec(site.url("/feed.xml"))
    run_once(ingestor, fetcher, [feed])
    new_url = publish(site, NAMES[:3])[2]

    report = run_once(ingestor, fetcher, [feed])
    new_pubs = by_source(store)[new_url]
    assert report.added == len(new_pubs) and report.updated == 0
    assert report.embedded_chunks == sum(len(p.chunk_ids) for p in new_pubs)
    assert all(site.not_modified[f"/releases/{n}"] == 1 for n in NAMES[:2])


@pytest.mark.slow
def test_changed_page_replaces_its_old_text(ingestor, store, site, fetcher):
    publish(site, NAMES[2:3])
    feed = SourceSpec(site.url("/feed.xml"))
    run_once(ingestor, fetcher, [feed])
    html = (PAGES / NAMES[2]).read_bytes()
    assert b"2,057 blotters" in html
    site.put(f"/releases/{NAMES[2]}", html.replace(b"2,057 blotters", b"2,058 blotters"))

    report = run_once(ingestor, fetcher, [feed])
    assert report.updated == 1 and report.added == 0 and 0 < report.embedded_chunks
    texts = " ".join(c.text for c in store.all_chunks())
    assert "2,058 blotters" in texts and "2,057 blotters" not in texts


@pytest.mark.slow
def test_prune_removes_unlisted_and_gone_items_and_nothing_else(ingestor, store, site, fetcher):
    urls = publish(site, NAMES[:3])
    feed = SourceSpec(site.url("/feed.xml"), prune=True)  # this feed lists every release
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    run_once(ingestor, fetcher, [feed])
    before = by_source(store)
    site.put_rss("/feed.xml", [(f"/releases/{n}", None) for n in NAMES[1:3]])

    kept = run_once(ingestor, fetcher, [feed])  # without --prune nothing goes
    assert kept.removed == 0 and set(by_source(store)) == set(urls)

    pruned = run_once(ingestor, fetcher, [feed], prune=True)
    assert pruned.removed == len(before[urls[0]]) and pruned.embedded_chunks == 0
    assert set(by_source(store)) == set(urls[1:])

    site.fail(f"/releases/{NAMES[1]}", 410)
    first = run_once(ingestor, fetcher, [feed], prune=True)  # gone once: kept for now
    assert first.removed == 0 and [f["source"] for f in first.failed] == [urls[1]]
    gone = run_once(ingestor, fetcher, [feed], prune=True, clock=lambda: later)
    assert gone.removed == len(before[urls[1]]) and gone.failed == []
    assert set(by_source(store)) == {urls[2]}


@pytest.mark.slow
def test_failed_feed_is_never_pruned(ingestor, store, site, fetcher):
    urls = publish(site, NAMES[:2])
    feed = SourceSpec(site.url("/feed.xml"))
    run_once(ingestor, fetcher, [feed])
    counts = store.counts()
    site.fail("/feed.xml", 500)
    site.fail(f"/releases/{NAMES[0]}", 500)

    report = run_once(ingestor, fetcher, [feed], prune=True)
    assert [f["source"] for f in report.failed] == [feed.url]
    assert "HTTP 500" in report.failed[0]["error"]
    assert store.counts() == counts and set(by_source(store)) == set(urls)


def _refused(site):
    return SourceSpec(f"http://127.0.0.1:{free_port()}/feed.xml")


BAD_SOURCES = {
    "refused": (_refused, "connection failed"),
    "server-error": (lambda s: (s.fail("/bad", 500), SourceSpec(s.url("/bad")))[1], "HTTP 500"),
    "timeout": (lambda s: (s.slow("/bad", 3), SourceSpec(s.url("/bad")))[1], "timed out"),
    "malformed-xml": (
        lambda s: (s.put("/bad", RSS[:-20], "application/rss+xml"), SourceSpec(s.url("/bad")))[1],
        "malformed XML",
    ),
    "html-for-feed": (
        lambda s: (s.put("/bad", b"<html><p>News</p></html>"),
                   SourceSpec(s.url("/bad"), kind="feed"))[1],
        "expected an RSS/Atom feed but got a page",
    ),
    "huge-page": (
        lambda s: (s.huge("/bad", 50 * 1024 * 1024, declare_length=False),
                   SourceSpec(s.url("/bad")))[1],
        "over the limit",
    ),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", BAD_SOURCES)
def test_bad_source_is_reported_by_url_and_the_others_still_ingest(
    case, ingestor, store, site, fetcher
):
    make, reason = BAD_SOURCES[case]
    (good,) = publish(site, [REGINA])
    bad = make(site)

    report = run_once(ingestor, fetcher, [bad, SourceSpec(site.url("/feed.xml"))])
    assert [f["source"] for f in report.failed] == [bad.url]
    assert reason in report.failed[0]["error"]
    assert report.added >= 1 and set(by_source(store)) == {good}


@pytest.mark.slow
def test_failing_item_is_reported_by_its_url_and_keeps_its_stored_text(
    ingestor, store, site, fetcher
):
    urls = publish(site, NAMES[:2])
    feed = SourceSpec(site.url("/feed.xml"))
    run_once(ingestor, fetcher, [feed])
    site.fail(f"/releases/{NAMES[0]}", 503)

    report = run_once(ingestor, fetcher, [feed], prune=True)
    assert [f["source"] for f in report.failed] == [urls[0]]
    assert set(by_source(store)) == set(urls)


@pytest.mark.slow
def test_sitemap_index_and_redirect_use_listing_date_and_final_url(ingestor, store, site, fetcher):
    text = b"Police appeal for witnesses\n\nOfficers are asking anyone who saw a blue van to call."
    site.put("/notes/appeal.txt", text, "text/plain; charset=utf-8")
    site.redirect("/old/appeal", "/notes/appeal.txt")
    site.put(
        "/sitemap-news.xml",
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>'
        + site.url("/old/appeal").encode()
        + b"</loc><news:news><news:publication_date>2024-03-02</news:publication_date>"
        b"</news:news></url></urlset>",
        "application/xml",
    )
    site.put_sitemap("/sitemap.xml", ["/sitemap-news.xml"], index=True)

    report = run_once(ingestor, fetcher, [SourceSpec(site.url("/sitemap.xml"), issuer="Test PD")])
    assert report.failed == [] and report.added == 1
    (pub,) = store.get_publications().values()
    assert pub.source == site.url("/old/appeal") and pub.url == site.url("/notes/appeal.txt")
    assert pub.published == dt.date(2024, 3, 2) and pub.issuer == "Test PD"


@pytest.mark.slow
def test_per_run_cap_fetches_the_newest_sitemap_pages(ingestor, store, site, fetcher):
    days = {"/n/a.txt": "2024-01-05", "/n/b.txt": "2024-03-01", "/n/c.txt": "2023-12-31"}
    urls = ""
    for path, day in days.items():
        site.put(path, f"Appeal {path}\n\nOfficers ask witnesses to call.".encode(), "text/plain")
        urls += f"<url><loc>{site.url(path)}</loc><lastmod>{day}</lastmod></url>"
    site.put(
        "/sitemap.xml",
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls.encode()
        + b"</urlset>",
        "application/xml",
    )  # fmt: skip
    report = run_once(ingestor, fetcher, [SourceSpec(site.url("/sitemap.xml"), max_items=2)])
    assert report.failed == [] and report.added == 2
    assert (site.hits["/n/b.txt"], site.hits["/n/a.txt"], site.hits["/n/c.txt"]) == (1, 1, 0)


@pytest.mark.slow
def test_readyz_reports_each_url_source(ingestor, store, site, fetcher, embedder, settings):
    from fastapi.testclient import TestClient

    from bot.answer.answerer import build_answerer
    from bot.api.app import create_app

    publish(site, NAMES[:1])
    good = SourceSpec(site.url("/feed.xml"), kind="feed", issuer="Winnipeg Police Service")
    bad = SourceSpec(f"http://127.0.0.1:{free_port()}/feed.xml", kind="feed")
    run_once(ingestor, fetcher, [good, bad])

    answerer = build_answerer(settings, store=store, embedder=embedder)
    with TestClient(create_app(settings, answerer)) as client:
        sources = {s["source"]: s for s in client.get("/readyz").json()["sources"]}
    assert sources[good.url]["ok"] and sources[good.url]["items_seen"] == 1
    assert sources[good.url]["last_success"] == sources[good.url]["last_run"]
    assert not sources[bad.url]["ok"] and sources[bad.url]["last_success"] is None
    assert "refused" in sources[bad.url]["error"].lower() or "connect" in sources[bad.url]["error"]
