"""Readers on made-up inputs: bad input, encodings, HTML metadata, text, Markdown, PDF."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from index.errors import SourceError
from index.models import Publication
from ingest.readers import UrlMap, find_url_map, load_url_map, read_bytes
from tests.support import SAMPLES


def read_path(path: Path, url_map: UrlMap | None = None) -> list[Publication]:
    """Read a file's publications as `Ingestor._ingest_file` does (no issuer configured)."""
    return read_bytes(path.read_bytes(), source=str(path), url_map=url_map, issuer=None)


def make_pdf(lines: list[str], title: str | None = None) -> bytes:
    """Write a one-page PDF with Helvetica text lines, by hand, with a correct xref."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 740 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    info = "<< /CreationDate (D:20240305120000Z)" + (f" /Title ({title})" if title else "") + " >>"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        info.encode(),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objs) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


PDF_LINES = [
    "Bicycle thefts fall in Fictional Town",
    "Issued 4 March 2024",
    "Officers recorded far fewer bicycle investi-",
    "gations this winter than last winter.",
    "",
    "Anyone with information about file F24-1234 should call the station.",
]


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.html", b"", "empty file"),
        ("blank.txt", b"  \n\t\n", "empty file"),
        ("junk.txt", bytes(range(256)) * 8, "binary content"),
        ("nul.html", b"<html>\x00\x01\x02\x03 body</html>" * 50, "binary content"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "binary content (PNG image)"),
        ("program.exe", b"MZ\x90\x00", "unsupported file type .exe"),
        ("photo.png", b"\x89PNG\r\n\x1a\n", "unsupported file type .png"),
        ("table.csv", b"a,b\n1,2\n", "unsupported file type .csv"),
        ("bundle.zip", b"PK\x03\x04", "unsupported file type .zip"),
        ("nav.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no release"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "unreadable PDF"),
        ("redirect.html", b'<meta http-equiv="refresh" content="0;URL=/next.stm">', "redirect"),
    ],
)
def test_bad_bytes_raise_source_error(name, data, reason):
    with pytest.raises(SourceError) as err:
        read_bytes(data, source=name)
    assert err.value.source == name
    assert reason in err.value.reason


def test_undecodable_bytes_raise(tmp_path):
    # Mostly control bytes: no text encoding turns this into prose.
    path = tmp_path / "garbled.txt"
    path.write_bytes(b"Title\n" + bytes([0x81, 0x02, 0x8D, 0x05, 0x8F, 0x06, 0x90, 0x9D]) * 200)
    with pytest.raises(SourceError, match="binary content|undecodable"):
        read_path(path)


@pytest.mark.slow
def test_pipeline_refuses_missing_special_and_oversize_files(tmp_path, ingestor):
    folder = tmp_path / "releases"
    folder.mkdir()
    good = folder / "station.txt"
    good.write_text("Station open\n\nThe new station on Elm Street opens to the public on Monday.")
    big = folder / "big.txt"
    size = ingestor.files.max_bytes + 1
    with big.open("wb") as f:
        f.truncate(size)  # sparse: over the limit without writing it
    absent = tmp_path / "absent.html"
    report = ingestor.run([str(folder), str(absent), os.devnull])
    assert report.failed == [
        {
            "source": str(big.resolve()),
            "error": f"file is {size:,} bytes, over the limit of {ingestor.files.max_bytes:,}",
        },
        {"source": str(absent), "error": "no such file or directory"},
        {"source": os.devnull, "error": "not a regular file"},
    ]
    # A folder is read, not refused, and its good file is not lost with the bad ones.
    assert report.added == 1 and report.publications == 1
    [stored] = ingestor.store.get_publications().values()
    assert stored.source == str(good.resolve()) and stored.title == "Station open"


def test_encrypted_pdf_is_refused():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(PDF_LINES))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(SourceError, match="encrypted PDF"):
        read_bytes(out.getvalue(), source="locked.pdf")


def test_unsupported_content_type():
    with pytest.raises(SourceError, match="unsupported content type image/png"):
        read_bytes(b"\x89PNG", source="https://example.org/x", content_type="image/png")


# --- encodings ---------------------------------------------------------------------------


def test_windows_1252_text_is_detected():
    text = "Caf\u00e9 robbery \u2013 arrest\n\nOfficers arrested a man at the caf\u00e9 on Main St."
    pubs = read_bytes(text.encode("cp1252"), source="cafe.txt")
    assert pubs[0].title == "Caf\u00e9 robbery \u2013 arrest"


def test_mojibake_and_bom_are_repaired():
    broken = "Robbery \u2013 Arrest\n\nVisit the Fran\u00e7ais page.".encode().decode("latin-1")
    pubs = read_bytes(("\ufeff" + broken).encode("utf-8"), source="m.txt")
    assert pubs[0].title == "Robbery \u2013 Arrest"
    assert "Fran\u00e7ais" in pubs[0].text


def test_declared_legacy_charset_over_utf8_bytes_reads_utf8():
    html = (
        '<html><head><meta charset="windows-1250"><title>Town news</title></head>'
        "<body><article><h1>Caf\u00e9 closes</h1><p>The caf\u00e9 \u2013 on Main \u2013"
        " closed today after twenty years of trade in the town centre.</p></article></body></html>"
    )
    pubs = read_bytes(html.encode("utf-8"), source="https://example.org/news/cafe")
    assert "caf\u00e9 \u2013 on Main" in pubs[0].text


# --- HTML metadata and generic extraction -------------------------------------------------


def test_html_sample_metadata():
    [pub] = read_path(SAMPLES / "harbour-city-police-2024-03-04.html")
    assert pub.title == "Arson at Pier Street warehouse \u2013 C24-00731"
    assert pub.published == dt.date(2024, 3, 4)
    assert pub.url == "https://police.harbour-city.example/news/2024/03/pier-street-arson/"
    assert pub.issuer == "Harbour City Police"
    assert pub.references == ["C24-00731", "C24-00702"]
    assert "Skip to content" not in pub.text and "Follow us" not in pub.text
    assert "- a fire investigator" in pub.text.lower()


def test_json_ld_date_and_canonical_link():
    html = """<html><head><title>Site | Notice</title>
    <link rel="canonical" href="https://example.org/notice-7">
    <script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",
      "headline": "Road closure on Elm Street", "datePublished": "2023-07-09T08:00:00-05:00",
      "publisher": {"name": "Elmtown Police"}}]}</script></head>
    <body><header><a href="/">Home</a> <a href="/news">News</a></header>
    <main><h1>Road closure on Elm Street</h1>
    <p>Elm Street will be closed between First and Third Avenue on Sunday while crews repair a
    water main. Drivers should use Oak Street instead, and expect short delays nearby.</p>
    <p>The closure is expected to end by 6 p.m. and officers will direct traffic at both ends.</p>
    </main><footer>Copyright Elmtown. Privacy policy. Contact us.</footer></body></html>"""
    [pub] = read_bytes(html.encode(), source="notice.html", issuer="Fallback Issuer")
    assert pub.title == "Road closure on Elm Street"
    assert pub.published == dt.date(2023, 7, 9)
    assert pub.url == "https://example.org/notice-7"
    assert pub.issuer == "Elmtown Police"
    assert "Copyright" not in pub.text and "Oak Street" in pub.text


def news_page(head: str, body: str = "Officers closed Elm Street after a fire") -> bytes:
    """A generic news page with `head` in its <head> and enough text to be a release."""
    return f"""<html><head><title>Elmtown Police | Fire</title>{head}</head>
    <body><header><a href="/">Home</a></header><main><h1>Fire on Elm Street</h1>
    <p>{body} on Sunday night. Crews from two stations put it out within the hour and nobody
    was hurt. Drivers should use Oak Street until the road reopens on Monday morning.</p>
    </main><footer>Copyright Elmtown.</footer></body></html>""".encode()


FETCHED = "https://police.elmtown.example/news/2024/fire"


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        ("/news/2024/fire-on-elm", False),  # relative
        ("https://police.elmtown.example/", False),  # the site's home page
        ("https://www.police.elmtown.example", False),
        ("https://syndicator.example.com/news/fire", False),  # another site
        ("ftp://police.elmtown.example/news/fire", False),
        ("https:///news/fire", False),  # no host
        ("https://www.police.elmtown.example/news/fire-on-elm", True),  # www. is the same site
        ("http://police.elmtown.example/news/fire-on-elm", True),  # so is another scheme
        ("https://police.elmtown.example/?p=1234", True),  # a query names a post, not home
    ],
    ids=["relative", "home", "www-home", "other-site", "ftp", "no-host", "www", "http", "query"],
)
def test_declared_url_is_cited_only_if_absolute_on_the_site_and_not_home(declared, kept):
    data = news_page(f'<meta property="og:url" content="{declared}">')
    [pub] = read_bytes(data, source=FETCHED, url=FETCHED)
    assert pub.url == (declared if kept else FETCHED)


def test_two_releases_declaring_the_home_page_keep_their_own_urls():
    head = '<meta property="og:url" content="https://police.elmtown.example/">'
    first, second = FETCHED + "-1", FETCHED + "-2"
    [a] = read_bytes(news_page(head), source=first, url=first)
    [b] = read_bytes(news_page(head, "Officers closed Oak Street"), source=second, url=second)
    assert (a.url, b.url) == (first, second)


def test_first_citable_declaration_wins_in_og_canonical_json_ld_order():
    head = """<meta property="og:url" content="https://police.elmtown.example/">
    <link rel="canonical" href="/news/fire">
    <script type="application/ld+json">{"url": "https://police.elmtown.example/n/77"}</script>"""
    [pub] = read_bytes(news_page(head), source=FETCHED, url=FETCHED)
    assert pub.url == "https://police.elmtown.example/n/77"


def test_rejected_declaration_falls_back_to_url_map_or_nothing(tmp_path):
    page = tmp_path / "fire.html"
    page.write_bytes(news_page('<link rel="canonical" href="/news/fire">'))
    [unmapped] = read_path(page)
    assert unmapped.url is None  # not "/news/fire"
    (tmp_path / "urls.csv").write_text("file,url\nfire.html,https://elmtown.example/n/1\n")
    [mapped] = read_path(page, find_url_map(tmp_path))
    assert mapped.url == "https://elmtown.example/n/1"


def test_front_matter_url_follows_the_same_rule(tmp_path):
    text = "---\ntitle: Fire on Elm Street\nurl: {}\n---\nOfficers closed Elm Street.\n"
    (tmp_path / "urls.csv").write_text("file,url\nfire.md,https://www.elmtown.example/n/1\n")
    url_map = find_url_map(tmp_path)
    for declared, cited in [
        ("https://elmtown.example/n/1-fire", "https://elmtown.example/n/1-fire"),
        ("https://elsewhere.example/n/1-fire", "https://www.elmtown.example/n/1"),
        ("/n/1-fire", "https://www.elmtown.example/n/1"),
    ]:
        (tmp_path / "fire.md").write_text(text.format(declared))
        [pub] = read_path(tmp_path / "fire.md", url_map)
        assert pub.url == cited, declared


def test_syndicated_copy_keeps_the_operators_issuer():
    head = """<meta property="og:url" content="https://syndicator.example.com/news/fire">
    <meta property="og:site_name" content="Syndicator News">"""
    [copy] = read_bytes(news_page(head), source=FETCHED, url=FETCHED, issuer="Elmtown Police")
    assert (copy.url, copy.issuer) == (FETCHED, "Elmtown Police")
    # The site's own page names its issuer, before the operator's.
    own = head.replace("syndicator.example.com", "police.elmtown.example")
    [pub] = read_bytes(news_page(own), source=FETCHED, url=FETCHED, issuer="Elmtown Police")
    assert pub.issuer == "Syndicator News"


def test_issuer_argument_is_the_fallback():
    text = b"Lost dog found\n\nA lost dog was found near the park and returned to its owner."
    [pub] = read_bytes(text, source="dog.txt", issuer="Parkside Police")
    assert pub.issuer == "Parkside Police"


# --- plain text, Markdown, PDF ------------------------------------------------------------


def test_markdown_sample_title_date_and_footnotes():
    [pub] = read_path(SAMPLES / "harbour-city-quarterly-statistics.md")
    assert pub.title == "Harbour City Police quarterly statistics: burglary down"
    assert pub.published == dt.date(2024, 4, 2)
    assert pub.notes["1"].startswith("Counts compare")
    assert set(pub.notes) == {"1", "2"}
    assert "[^1]" in pub.text and "[^2]" in pub.text
    assert "Notes to editors" not in pub.text and "Counts compare" not in pub.text
    assert "1,204 reports" in pub.text  # a real number is not a footnote marker
    assert "**" not in pub.text and "](" not in pub.text and "## " not in pub.text


def test_text_footnote_markers_only_for_existing_notes():
    text = (
        "Headline here\n\nPublished: 3 May 2024\n\n"
        "Crime fell in 2023.1 Officers made 1,300 arrests.2 Area 51 stayed quiet.7\n\n"
        "Notes to editors\n\n1. First note.\n\n2. Second note, see item 1.\n"
    )
    [pub] = read_bytes(text.encode(), source="notes.txt")
    assert pub.published == dt.date(2024, 5, 3)
    assert "in 2023.[^1] Officers made 1,300 arrests.[^2] Area 51 stayed quiet.7" in pub.text
    assert pub.notes == {"1": "First note.", "2": "Second note, see item 1."}


def test_pdf_text_title_date_and_dehyphenation():
    [pub] = read_bytes(make_pdf(PDF_LINES, title="Bicycle thefts fall"), source="b.pdf")
    assert pub.title == "Bicycle thefts fall"
    assert pub.published == dt.date(2024, 3, 4)  # the dateline wins over CreationDate
    assert "bicycle investigations this winter" in pub.text


def test_pdf_without_title_metadata_uses_first_line_and_creation_date():
    [pub] = read_bytes(make_pdf(PDF_LINES[:1] + PDF_LINES[2:]), source="c.pdf")
    assert pub.title == "Bicycle thefts fall in Fictional Town"
    assert pub.published == dt.date(2024, 3, 5)


def make_long_pdf(pages: int) -> bytes:
    """Join one-page PDFs into a `pages`-page one with pypdf."""
    writer = PdfWriter()
    for n in range(1, pages + 1):
        lines = [
            "Annual report" if n == 1 else f"Page {n}",
            f"Officers answered calls on page {n}.",
        ]
        writer.add_page(PdfReader(io.BytesIO(make_pdf(lines))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_over_the_page_cap_reads_the_first_pages_and_warns(caplog):
    caplog.set_level(logging.WARNING, logger="ingest.readers.pdf")
    [pub] = read_bytes(make_long_pdf(5), source="report.pdf", max_pdf_pages=3)
    assert pub.title == "Annual report"
    assert "calls on page 3." in pub.text and "page 4" not in pub.text
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "report.pdf" in record.getMessage() and "5 pages" in record.getMessage()


def test_pdf_within_the_default_cap_is_read_whole(caplog):
    caplog.set_level(logging.WARNING, logger="ingest.readers.pdf")
    [pub] = read_bytes(make_long_pdf(5), source="report.pdf")
    assert "calls on page 5." in pub.text
    assert not caplog.records


# --- pathological lines ----------------------------------------------------------------

LONG = 20_000  # characters: a backtracking pattern took seconds on such a line


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("[" * LONG, "[" * LONG),  # openers with no closing bracket
        ("[" * LONG + "]", "[" * LONG + "]"),  # one bracket, no "("
        ("[a](" * (LONG // 4), "[a](" * (LONG // 4)),  # no closing parenthesis
        ("](" * (LONG // 2), "](" * (LONG // 2)),
        ("`" * LONG, "`" * LONG),
        ("_a" + " _a" * (LONG // 3), "_a" + " _a" * (LONG // 3)),  # no closer after a word
        ("*a" + " *a" * (LONG // 3), "*a" + " *a" * (LONG // 3)),
        ("*" * LONG, "*" * (LONG // 5)),  # "**" + "*" + "**" is bold "*"
        ("# " + "#" * LONG + "x", "#" * LONG + "x"),  # a heading with no closing hashes
        (
            "[link](https://x.example/a) **bold** _it_ " * 500,
            "link bold it " * 499 + "link bold it",
        ),
    ],
    ids=["[", "[...]", "[a](", "](", "backticks", "_a", "*a", "*", "heading", "markup"],
)
def test_markdown_pathological_lines_read_as_before(line, text):
    [pub] = read_bytes(f"# Release title\n\n{line}\n".encode(), source="long.md")
    assert pub.title == "Release title"
    assert pub.text == text


def test_pathological_spaces_in_html_head_and_winnipeg_date_heading():
    odd = "May 1, 2020" + "\u1680" * LONG + "x"  # Ogham space mark: whitespace, not collapsed
    html = (
        f"<html><head><meta charset={' ' * 8000}!><title>Winnipeg Police Service</title>"
        '</head><body><div id="content"><h1>May 1, 2020 Media Release</h1>'
        f"<h3>Fire on Elm Street</h3><p>{odd}</p><p>Last update</p></div></body></html>"
    )
    [pub] = read_bytes(html.encode(), source="2020_05may_2020_05_01.html")
    assert pub.title == "Fire on Elm Street"
    assert pub.text == odd


# --- url maps -----------------------------------------------------------------------------


def test_two_column_url_map_supplies_url(tmp_path):
    (tmp_path / "release.txt").write_text("Station open\n\nThe new station opens on Monday.")
    (tmp_path / "urls.csv").write_text("file,url\nrelease.txt,https://example.org/r/1\n")
    url_map = find_url_map(tmp_path)
    assert url_map is not None and len(url_map) == 1
    [pub] = read_path(tmp_path / "release.txt", url_map)
    assert pub.url == "https://example.org/r/1"


def test_pipe_index_maps_stm_and_aspx_urls(tmp_path):
    index = tmp_path / "index.csv"
    index.write_text(
        '"https://x.example/police/press/2021/01jan/2021_01_31.stm"|"January 31, 2021"|"A"\n'
        '"https://x.example/police/press/2019/10oct/2019_10_31.aspx"|"October 31, 2019"|"B"\n'
    )
    url_map = load_url_map(index)
    entry = url_map.lookup("pages/2019_10oct_2019_10_31.html")
    assert entry.url.endswith("2019_10_31.aspx") and entry.published == dt.date(2019, 10, 31)
    assert url_map.lookup("2021_01jan_2021_01_31.html").headlines == ["A"]


# --- samples ------------------------------------------------------------------------------


def test_update_release_shares_case_number_with_the_first():
    [first] = read_path(SAMPLES / "harbour-city-police-2024-03-04.html")
    [update] = read_path(SAMPLES / "harbour-city-police-2024-03-06-update.txt")
    assert update.title.startswith("Update")
    assert update.published == dt.date(2024, 3, 6)
    assert "C24-00731" in first.references and "C24-00731" in update.references


def test_plain_text_mayoral_sample():
    [pub] = read_path(SAMPLES / "harbour-city-mayor-2024-05-10.txt")
    assert pub.issuer == "Mayor of Harbour City"
    assert pub.title == "Mayor opens two new neighbourhood police offices"
    assert pub.published == dt.date(2024, 5, 10)
    assert "Skip to main content" not in pub.text and "accessible format" not in pub.text
