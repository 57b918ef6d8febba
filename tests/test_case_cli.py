"""`policing-qa case`: a real case's timeline as text and JSON, unknown and malformed cases."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner

from bot.cases.timeline import CaseBook, Entry, Timeline
from bot.cli import main
from bot.cli.case import format_timeline
from index.settings import Settings
from index.store import open_store


def run(*args: str):
    return CliRunner().invoke(main, ["case", *args])


@pytest.fixture(scope="module")
def book(qa_store_dir):
    return CaseBook(open_store(Settings(store=qa_store_dir)))


@pytest.mark.slow
def test_text_lists_each_release_oldest_first_with_what_it_added(qa_store_dir, book):
    result = run("C19-255700", "--store", str(qa_store_dir))
    assert result.exit_code == 0, result.output
    timeline = book.timeline("C19-255700")
    head, *blocks = result.stdout.strip().split("\n\n")
    assert head == "Case C19-255700: 4 releases, oldest first"
    assert len(blocks) == 4
    for block, entry in zip(blocks, timeline.entries, strict=True):
        lines = block.splitlines()
        assert lines[0] == f"{entry.published.isoformat()}  {entry.title}"
        assert lines[1].strip() == entry.url
        quoted = re.findall(r"“(.*?)”", " ".join(x.strip() for x in lines[2:]), re.S)
        shown = [" ".join(s.split()) for s in entry.added[:3]]
        assert quoted == shown
        more = len(entry.added) - 3
        assert (f"(+{more} more)" in block) == (more > 0)
    dates = [block.split()[0] for block in blocks]
    assert dates == sorted(dates) and dates[0] == "2019-10-30"


@pytest.mark.slow
def test_json_is_the_timeline(qa_store_dir, book):
    result = run("c17-161171", "--store", str(qa_store_dir), "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body == book.timeline("C17-161171").as_json()
    assert [e["published"] for e in body["entries"]] == ["2017-07-22", "2017-07-24", "2017-10-16"]


@pytest.mark.slow
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_case_no_release_mentions_is_exit_1(qa_store_dir, as_json):
    result = run("c99-000000", "--store", str(qa_store_dir), *(["--json"] if as_json else []))
    assert result.exit_code == 1
    assert result.stderr.strip() == "no release mentions C99-000000"
    assert result.stdout == ""


@pytest.mark.parametrize("text", ["hello", "C19-255700 C17-161171", "19-255700", ""])
def test_a_text_that_is_not_a_case_number_is_a_usage_error(text, tmp_path):
    result = run(text, "--store", str(tmp_path))
    assert result.exit_code == 2
    assert f"{text!r} is not a case number" in result.stderr
    assert "a case number looks like C19-255700" in result.stderr


def test_text_keeps_a_list_of_charges_and_says_when_nothing_was_added():
    charged = "He has been charged with:\n\n- Attempt to Commit Murder\n- Assault"
    entries = [
        Entry("a", "Arrest", dt.date(2019, 10, 31), None, "/x/a.html", None, ["C1"], [charged]),
        Entry("b", "Update", None, None, "/x/b.html", None, ["C1"], []),
    ]
    text = format_timeline(Timeline("C19-000001", "label", entries))
    assert text.splitlines()[2:] == [
        "2019-10-31  Arrest",
        "    /x/a.html",
        "    “He has been charged with:",
        "      - Attempt to Commit Murder",
        "      - Assault”",
        "",
        "undated  Update",
        "    /x/b.html",
        "    (adds nothing the earlier releases did not say)",
    ]
