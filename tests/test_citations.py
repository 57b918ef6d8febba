"""Generated citations are checked, renumbered and quoted, never trusted."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answer.citations import StreamSplitter, split_sentences, validate
from bot.answer.sources import Source, find_quote, trim_quote
from index.models import Chunk

ARREST = (
    "On October 31, 2019, at approximately 4:05 p.m., officers arrested Daniel Jensen.\n\n"
    "Daniel Jensen, a 33-year-old male of Winnipeg, has been charged with:\n\n"
    "- Attempt to Commit Murder\n- Fail to Comply Condition Recognizance (x6)\n\n"
    "He was detained in custody."
)
TIP = "Tip a Cop raised $41,140 for Special Olympics Manitoba in 2017."


def source(n: int, text: str, title: str, published: dt.date, refs=()) -> Source:
    chunk = Chunk(
        id=f"pub{n}-0000",
        publication_id=f"pub{n}",
        ord=0,
        text=text,
        title=title,
        published=published,
        url=f"https://example.org/{n}",
        source=f"/corpus/{n}.html",
        issuer="Winnipeg Police Service",
        references=list(refs),
        content_hash="h",
    )
    return Source(n=n, chunks=[chunk])


@pytest.fixture
def sources() -> list[Source]:
    return [
        source(
            1, ARREST, "Attempt Murder – Arrest: C19-255700", dt.date(2019, 10, 31), ["C19-255700"]
        ),
        source(2, TIP, "Tip A Cop", dt.date(2017, 3, 15)),
    ]


def test_out_of_range_marker_is_dropped(sources):
    text, citations, checker = validate(
        "Daniel Jensen was arrested [1][7]. He was also charged with arson [7].", sources
    )
    assert text == "Daniel Jensen was arrested [1]."
    assert [c.n for c in citations] == [1]
    assert len(checker.dropped) == 1


@pytest.mark.parametrize(
    "sentence",
    [
        "Tip a Cop raised $52,000 [2].",  # a figure the source does not hold
        "Daniel Jensen, 34, was arrested [1].",  # an altered age
        "He was arrested at 5:05 p.m. [1].",  # an altered time
        "Daniel Jensen was arrested.",  # no citation at all
        "Tip a Cop raised $41,140 [1].",  # the right figure, cited to the wrong source
    ],
)
def test_unsupported_sentence_is_dropped(sources, sentence):
    text, citations, _ = validate(sentence, sources)
    assert text == "" and citations == []


def test_supported_numbers_and_metadata_dates_are_kept(sources):
    answer = "Tip a Cop raised $41,140 in 2017 [2]. On 2019-10-31 police charged Jensen, 33 [1]."
    text, citations, _ = validate(answer, sources)
    assert text == answer.replace("[2]", "[x]").replace("[1]", "[2]").replace("[x]", "[1]")
    assert [c.title for c in citations] == ["Tip A Cop", "Attempt Murder – Arrest: C19-255700"]


def test_citations_are_renumbered_in_order_of_first_use(sources):
    text, citations, _ = validate(
        "Jensen was detained in custody [2]? No: Tip a Cop raised $41,140 [2]. Jensen was "
        "charged [1]. He was detained in custody [1].",
        sources,
    )
    assert [c.n for c in citations] == [1, 2]
    assert citations[0].title == "Tip A Cop"
    assert text.endswith("Jensen was charged [2]. He was detained in custody [2].")


def test_marker_after_the_full_stop_stays_with_its_sentence(sources):
    text, citations, _ = validate("Jensen was detained in custody. [1] Tip a Cop ran. [2]", sources)
    assert text == "Jensen was detained in custody [1]. Tip a Cop ran [2]."
    assert len(citations) == 2


def test_quotes_are_verbatim_short_and_supporting(sources):
    _, citations, _ = validate("Jensen was charged with Attempt to Commit Murder [1].", sources)
    quote = citations[0].quote
    assert quote in ARREST and len(quote) <= 300
    assert "charged with" in quote


def test_trim_quote_keeps_a_verbatim_prefix():
    long = " ".join(["word"] * 200)
    quote = trim_quote(long)
    assert long.startswith(quote) and len(quote) <= 300 and not quote.endswith(" ")


def test_find_quote_picks_the_sentence_with_the_figures(sources):
    assert find_quote(sources[1], "It raised $41,140") == TIP


@pytest.mark.parametrize("piece", [1, 3, 7])
def test_streamed_sentences_match_the_whole_text(piece):
    text = (
        "Jensen was arrested on October 31. [1] He faces:\n- Attempt to Commit Murder [1]\n"
        "Tip a Cop raised $41,140 [2]. The end [2]"
    )
    splitter, got = StreamSplitter(), []
    for i in range(0, len(text), piece):
        got.extend(splitter.feed(text[i : i + piece]))
    got.extend(splitter.finish())
    assert got == split_sentences(text)
    assert got[0] == "Jensen was arrested on October 31 [1]."
