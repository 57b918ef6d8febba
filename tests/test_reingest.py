"""Re-ingestion never loses or overwrites a good release, whatever the web serves.

Each test plays one way a publisher's site (a real HTTP server on 127.0.0.1) or a file
share misbehaves between two runs, and checks that what was stored survives it and that
the run says what it did. Real corpus releases, the real embedding model, real Chroma.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from ingest.fetch import Fetcher, FetchOptions
from ingest.sources_file import SourceSpec
from ingest.watch import run_once
from tests.support import PAGES

pytestmark = pytest.mark.slow  # real embeddings of real releases

FAST = FetchOptions(read_timeout=2, connect_timeout=1, retries=0, backoff=0.01)
REGINA = sorted(PAGES.glob("regina_police_*.html"))[:6]
UNRELATED = sorted(PAGES.glob("regina_police_*.html"))[-1]  # another case, years apart
LOGIN = (
    b"<html><head><title>Log in</title></head><body><main><h1>Log in</h1>"
    b"<p>Your session has expired. Please sign in again to see this page.</p>"
    b"<form>User <input name=u> Password <input name=p></form></main></body></html>"
)
HOME = b"""<html><head><title>Home | Test Police Service</title></head><body>
<h1>Test Police Service</h1><p>Welcome to the Test Police Service. News, careers, contact
us, report a crime online, community programs, road safety, victim services.</p></body></html>"""


@pytest.fixture
def fetcher():
    with Fetcher(FAST, trusted_hosts={"127.0.0.1"}) as fetcher:
        yield fetcher


def put_releases(site, pages=REGINA) -> list[str]:
    """Put real Regina releases on the site; returns their URLs."""
    for page in pages:
        site.put(f"/news/{page.stem}", page.read_bytes())
    return [site.url(f"/news/{p.stem}") for p in pages]


def sources_in(store) -> set[str]:
    return {p.source for p in store.get_publications().values()}


def errors(report) -> dict[str, str]:
    return {f["source"]: f["error"] for f in report.failed}


class Clock:
    """A run's idea of now, moved by the test."""

    def __init__(self):
        self.now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


# --- 1. a rolling feed is a window, not an inventory --------------------------------------


def test_a_release_that_scrolls_off_a_feed_stays_stored_even_with_prune(
    ingestor, store, site, fetcher
):
    urls = put_releases(site, REGINA[:3])
    site.put_rss("/feed.xml", [(f"/news/{p.stem}", None) for p in REGINA[:2]])
    feed = SourceSpec(site.url("/feed.xml"))
    run_once(ingestor, fetcher, [feed], prune=True)
    site.put_rss("/feed.xml", [(f"/news/{p.stem}", None) for p in REGINA[1:3]])

    report = run_once(ingestor, fetcher, [feed], prune=True)
    assert report.removed == 0 and report.added == 1 and report.failed == []
    assert sources_in(store) == set(urls)


def test_a_feed_marked_prune_true_prunes_what_it_stops_listing(ingestor, store, site, fetcher):
    urls = put_releases(site, REGINA[:3])
    site.put_rss("/feed.xml", [(f"/news/{p.stem}", None) for p in REGINA[:3]])
    feed = SourceSpec(site.url("/feed.xml"), prune=True)
    run_once(ingestor, fetcher, [feed], prune=True)
    site.put_rss("/feed.xml", [(f"/news/{p.stem}", None) for p in REGINA[1:3]])

    report = run_once(ingestor, fetcher, [feed], prune=True)
    assert report.removed == 1 and sources_in(store) == set(urls[1:])


# --- 2. a declared URL never takes over another release ------------------------------------


def _release(title: str, body: str, head: str) -> bytes:
    return (
        f"<html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>"
        f"<p>{body}</p></article></body></html>"
    ).encode()


TWO = [
    ("Break-in at Albert Street pharmacy", "Officers arrested a man, 31, after a break-in at "
     "a pharmacy on Albert Street on Monday night. He is charged with break and enter."),
    ("Missing woman found safe", "A 42-year-old woman reported missing on Sunday has been "
     "found safe. Police thank the public for sharing the appeal."),
]  # fmt: skip


@pytest.mark.parametrize(
    "head",
    [
        '<link rel="canonical" href="/news/item">',
        '<meta property="og:url" content="{home}">',
        '<script type="application/ld+json">{{"url": "{home}"}}</script>',
    ],
    ids=["relative-canonical", "home-page-og-url", "home-page-json-ld"],
)
def test_two_releases_declaring_one_url_are_both_kept_in_one_run_and_across_runs(
    head, ingestor, store, site, fetcher
):
    home = site.url("/")
    for n, (title, body) in enumerate(TWO):
        site.put(f"/news/{n}", _release(title, body, head.format(home=home)))
    urls = [site.url("/news/0"), site.url("/news/1")]

    together = run_once(ingestor, fetcher, [], args=urls)  # one run: no crash
    assert together.failed == [] and together.added == 2
    pubs = store.get_publications().values()
    assert {p.source for p in pubs} == set(urls) and len(pubs) == 2
    assert {p.url for p in pubs} == set(urls)  # cited where they live, not at the home page

    apart = run_once(ingestor, fetcher, [], args=urls[::-1])  # again, in the other order
    assert (apart.added, apart.updated, apart.removed) == (0, 0, 0)
    assert sorted(p.title for p in store.get_publications().values()) == sorted(t for t, _ in TWO)


def test_two_sources_citing_one_url_are_both_kept_and_reported(ingestor, store, site, fetcher):
    shared = site.url("/news/the-release")
    head = f'<link rel="canonical" href="{shared}">'
    for n, (title, body) in enumerate(TWO):
        site.put(f"/mirror/{n}", _release(title, body, head))
    urls = [site.url("/mirror/0"), site.url("/mirror/1")]

    report = run_once(ingestor, fetcher, [], args=urls)
    assert report.failed == [] and report.added == 2
    assert len(store.get_publications()) == 2
    assert [w["source"] for w in report.warnings] == [urls[1]]
    assert urls[0] in report.warnings[0]["warning"] and "both" in report.warnings[0]["warning"]


def test_a_publication_the_store_refuses_fails_alone(ingestor, store, site, fetcher, monkeypatch):
    urls = put_releases(site, REGINA[:3])
    real = store.add_chunks

    def refuse_one(chunks, vectors, **kw):
        if any(c.source == urls[1] for c in chunks):
            raise ValueError("Expected IDs to be unique, found duplicates")
        return real(chunks, vectors, **kw)

    monkeypatch.setattr(store, "add_chunks", refuse_one)
    report = run_once(ingestor, fetcher, [], args=urls)
    assert list(errors(report)) == [urls[1]] and "could not be stored" in errors(report)[urls[1]]
    assert sources_in(store) == {urls[0], urls[2]}

    monkeypatch.setattr(store, "add_chunks", real)
    again = run_once(ingestor, fetcher, [], args=urls)  # the failed one is read again
    assert again.added == 1 and sources_in(store) == set(urls)


# --- 3. soft failures never replace a release ------------------------------------------------


@pytest.mark.parametrize(
    "change",
    ["redirect-home", "redirect-elsewhere", "login-page", "home-page-200", "unrelated-text"],
)
def test_a_page_that_no_longer_reads_as_its_release_keeps_the_stored_one(
    change, ingestor, store, site, fetcher
):
    (url,) = put_releases(site, REGINA[:1])
    other = put_releases(site, REGINA[1:2])[0]
    site.put("/", HOME)
    path = f"/news/{REGINA[0].stem}"
    first = run_once(ingestor, fetcher, [], args=[url])
    before = store.get_publications()

    if change == "redirect-home":
        site.redirect(path, "/")
    elif change == "redirect-elsewhere":
        site.redirect(path, other)
    elif change == "login-page":
        site.put(path, LOGIN)
    elif change == "home-page-200":
        site.put(path, HOME.replace(b"</body>", b"<p>Latest news below.</p></body>"))
    else:
        site.put(path, UNRELATED.read_bytes())

    report = run_once(ingestor, fetcher, [], args=[url], prune=True)
    assert list(errors(report)) == [url] and "stored release is kept" in errors(report)[url]
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert store.get_publications() == before and first.added == 1


def test_replace_changed_stores_a_page_the_operator_checked(ingestor, store, site, fetcher):
    (url,) = put_releases(site, REGINA[:1])
    run_once(ingestor, fetcher, [], args=[url])
    site.put(f"/news/{REGINA[0].stem}", UNRELATED.read_bytes())
    refused = run_once(ingestor, fetcher, [], args=[url])
    assert "--replace-changed" in errors(refused)[url]

    report = run_once(ingestor, fetcher, [], args=[url], replace_changed=True)
    assert report.failed == [] and report.updated == 1


def test_a_real_update_still_replaces_the_release(ingestor, store, site, fetcher):
    (url,) = put_releases(site, REGINA[:1])
    run_once(ingestor, fetcher, [], args=[url])
    html = REGINA[0].read_bytes()
    updated = html.replace(b"</p>", b" UPDATE: the man has since been located.</p>", 1)
    assert updated != html
    site.put(f"/news/{REGINA[0].stem}", updated)

    report = run_once(ingestor, fetcher, [], args=[url])
    assert report.failed == [] and report.updated == 1
    assert any("since been located" in c.text for c in store.all_chunks())


# --- 4. a file prune touches only what this run was shown ----------------------------------


def test_file_prune_looks_only_in_the_folders_named_in_this_run(ingestor, store, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, pages in ((a, REGINA[:3]), (b, REGINA[3:5])):
        folder.mkdir()
        for page in pages:
            shutil.copy(page, folder / page.name)
    ingestor.run([str(a), str(b)])
    (b / REGINA[3].name).unlink()

    only_a = ingestor.run([str(a)], prune=True)  # b was not named: its missing file stays
    assert only_a.removed == 0 and len(sources_in(store)) == 5

    with_b = ingestor.run([str(b)], prune=True)
    assert with_b.removed == 1 and len(sources_in(store)) == 4


@pytest.mark.parametrize("absent", ["emptied", "missing"])
def test_a_folder_that_vanished_prunes_nothing(absent, ingestor, store, tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    for page in REGINA[:4]:
        shutil.copy(page, share / page.name)
    ingestor.run([str(share)])
    for page in share.iterdir():
        page.unlink()
    if absent == "missing":
        share.rmdir()  # an unmounted share, or another machine's path

    report = ingestor.run([str(share)], prune=True)
    assert report.removed == 0 and len(sources_in(store)) == 4
    (failure,) = report.failed
    assert Path(failure["source"]).name == "share"
    assert ("nothing pruned" if absent == "emptied" else "no such") in failure["error"]


# --- 5. an empty or shrunken listing, a transient 404 -------------------------------------


def test_an_empty_or_shrunken_sitemap_prunes_nothing(ingestor, store, site, fetcher):
    urls = put_releases(site, REGINA[:4])
    paths = [f"/news/{p.stem}" for p in REGINA[:4]]
    site.put_sitemap("/sitemap.xml", paths)
    sitemap = SourceSpec(site.url("/sitemap.xml"))
    run_once(ingestor, fetcher, [sitemap], prune=True)

    for listing in ([], paths[:1]):
        site.put_sitemap("/sitemap.xml", listing)
        report = run_once(ingestor, fetcher, [sitemap], prune=True)
        assert report.removed == 0 and sources_in(store) == set(urls)
        assert "nothing pruned" in errors(report)[sitemap.url]

    site.put_sitemap("/sitemap.xml", paths[:3])  # an ordinary removal still prunes
    report = run_once(ingestor, fetcher, [sitemap], prune=True)
    assert report.removed == 1 and report.failed == [] and sources_in(store) == set(urls[:3])


def test_a_page_is_removed_only_after_two_404s_an_hour_apart(ingestor, store, site, fetcher):
    urls = put_releases(site, REGINA[:2])
    site.put_sitemap("/sitemap.xml", [f"/news/{p.stem}" for p in REGINA[:2]])
    sitemap = SourceSpec(site.url("/sitemap.xml"))
    clock = Clock()
    run_once(ingestor, fetcher, [sitemap], prune=True, clock=clock)
    site.fail(f"/news/{REGINA[0].stem}", 404)

    for minutes in (0, 30):  # first 404, then again too soon
        clock.now += dt.timedelta(minutes=minutes)
        report = run_once(ingestor, fetcher, [sitemap], prune=True, clock=clock)
        assert report.removed == 0 and sources_in(store) == set(urls)
        assert "is kept" in errors(report)[urls[0]]

    site.heal(f"/news/{REGINA[0].stem}")  # it came back: the count starts again
    clock.now += dt.timedelta(hours=2)
    assert run_once(ingestor, fetcher, [sitemap], prune=True, clock=clock).failed == []
    site.fail(f"/news/{REGINA[0].stem}", 410)
    clock.now += dt.timedelta(minutes=1)
    assert run_once(ingestor, fetcher, [sitemap], prune=True, clock=clock).removed == 0

    clock.now += dt.timedelta(minutes=61)
    report = run_once(ingestor, fetcher, [sitemap], prune=True, clock=clock)
    assert report.removed == 1 and report.failed == [] and sources_in(store) == {urls[1]}


# --- 6. and 8. bombs and drips fail their page, not the run --------------------------------


def test_a_decompression_bomb_or_a_dripping_page_fails_alone(ingestor, store, site):
    import gzip

    urls = put_releases(site, REGINA[:3])
    bomb = gzip.compress(gzip.compress(b"\0" * (64 * 1024 * 1024)))
    site.encoded(f"/news/{REGINA[0].stem}", bomb, "gzip, gzip")
    site.drip_head(f"/news/{REGINA[1].stem}", 0.2)
    site.put_sitemap("/sitemap.xml", [f"/news/{p.stem}" for p in REGINA[:3]])
    limits = FetchOptions(read_timeout=0.5, total_timeout=1.0, retries=0, max_bytes=1024 * 1024)
    with Fetcher(limits, trusted_hosts={"127.0.0.1"}) as fetcher:
        report = run_once(ingestor, fetcher, [SourceSpec(site.url("/sitemap.xml"))])
    failed = errors(report)
    assert "decodes to over the limit" in failed[urls[0]]
    assert "deadline" in failed[urls[1]]
    assert sources_in(store) == {urls[2]}


# --- 7. discovered URLs stay where they were found -----------------------------------------


def _feed_of(site, links: list[str]) -> None:
    items = "".join(f"<item><title>r</title><link>{u}</link></item>" for u in links)
    site.put(
        "/feed.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}'
        "</channel></rss>".encode(),
        "application/rss+xml",
    )


def test_listed_pages_and_redirects_stay_on_the_sources_host(ingestor, store, site, fetcher):
    (good,) = put_releases(site, REGINA[:1])
    port = site.base.rsplit(":", 1)[1]
    elsewhere = f"http://localhost:{port}/news/{REGINA[1].stem}"
    metadata = "http://169.254.169.254/latest/meta-data/"
    site.redirect("/news/moved", metadata)
    put_releases(site, REGINA[1:2])
    _feed_of(site, [good, elsewhere, metadata, site.url("/news/moved")])

    report = run_once(ingestor, fetcher, [SourceSpec(site.url("/feed.xml"))])
    failed = errors(report)
    assert set(failed) == {elsewhere, metadata, site.url("/news/moved")}
    assert all("refused" in reason for reason in failed.values())
    assert "localhost is not the source's host" in failed[elsewhere]
    assert "169.254.169.254" in failed[site.url("/news/moved")]
    assert sources_in(store) == {good}
    assert site.hits[f"/news/{REGINA[1].stem}"] == 0  # never fetched


def test_an_allowed_host_still_never_reaches_a_private_address(ingestor, store, site, fetcher):
    port = site.base.rsplit(":", 1)[1]
    put_releases(site, REGINA[:1])
    elsewhere = f"http://localhost:{port}/news/{REGINA[0].stem}"
    _feed_of(site, [elsewhere])

    spec = SourceSpec(site.url("/feed.xml"), allow_hosts=("localhost",))
    report = run_once(ingestor, fetcher, [spec])
    assert "loopback" in errors(report)[elsewhere] and sources_in(store) == set()


# --- 8. a run has a budget and says what it left ------------------------------------------


def test_a_run_over_budget_leaves_the_rest_for_the_next_run(ingestor, store, site, fetcher):
    urls = put_releases(site, REGINA[:3])
    site.put_sitemap("/sitemap.xml", [f"/news/{p.stem}" for p in REGINA[:3]])
    sitemap = SourceSpec(site.url("/sitemap.xml"))
    site.slow("/sitemap.xml", 0.6)
    short = run_once(ingestor, fetcher, [sitemap], prune=True, budget=0.3)
    assert short.failed == [] and short.removed == 0
    assert set(short.deferred) == set(urls) and sources_in(store) == set()
    assert "3 left for the next run" in short.summary()

    site.heal("/sitemap.xml")
    rest = run_once(ingestor, fetcher, [sitemap], prune=True)
    assert rest.deferred == [] and sources_in(store) == set(urls)


def test_cli_says_what_a_run_left_for_the_next_one(settings, site):
    from click.testing import CliRunner

    from bot.cli import main

    (url,) = put_releases(site, REGINA[:1])
    args = ["ingest", url, "--store", str(settings.store), "--budget", "0s"]
    as_json = CliRunner().invoke(main, [*args, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["deferred"] == [url]

    as_text = CliRunner().invoke(main, args)
    assert f"left for the next run: {url}" in as_text.stderr


# --- 10. the server sees every batch a run commits ------------------------------------------


def test_a_server_refreshing_between_batches_of_one_run_sees_every_update(
    store, embedder, tmp_path
):
    from index.live import LiveSnapshot
    from ingest.pipeline import Ingestor

    folder = tmp_path / "releases"
    folder.mkdir()
    files = [folder / p.name for p in REGINA[:2]]
    for page, file in zip(REGINA[:2], files, strict=True):
        shutil.copy(page, file)
    ingestor = Ingestor(store, embedder, batch_chunks=1)  # one batch per release
    ingestor.run([str(folder)])
    live = LiveSnapshot(store)
    live.refresh()
    for n, file in enumerate(files):
        html = file.read_bytes()
        file.write_bytes(html.replace(b"</p>", f" Correction number {n} applies.</p>".encode(), 1))

    def server_refresh(done: int, total: int) -> None:
        if done == 1:
            live.refresh()  # the server checks the store between the run's two batches

    report = ingestor.run([str(folder)], progress=server_refresh)
    assert report.updated == 2 and report.added == 0
    texts = " ".join(c.text for c in live.refresh().chunks)
    assert "Correction number 0" in texts and "Correction number 1" in texts
    live.close()
