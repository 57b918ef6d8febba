"""Chunking: whole sentences, sized for the model, footnotes linked to their notes."""

from __future__ import annotations

import datetime as dt

from index.models import Publication
from ingest.chunk import chunk_publication, embedding_text, split_sentences


def test_sentences_survive_abbreviations_and_times():
    text = (
        "On May 9, 2021, at approx. 7:00 p.m. officers attended. Const. Smith of the "
        'St. Vital area said "Stop." The suspects fled.'
    )
    assert split_sentences(text) == [
        "On May 9, 2021, at approx. 7:00 p.m. officers attended.",
        'Const. Smith of the St. Vital area said "Stop."',
        "The suspects fled.",
    ]


def test_list_lines_stay_whole():
    text = "He was charged with:\n- Robbery\n- Possession of a Weapon"
    assert split_sentences(text) == [
        "He was charged with:",
        "- Robbery",
        "- Possession of a Weapon",
    ]


def _long_publication() -> Publication:
    sentences = [
        f"Sentence number {i} describes the seizure of {i * 7} grams of a drug." for i in range(80)
    ]
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, 80, 5)]
    return Publication(
        source="/tmp/x.txt",
        title="Drug seizure in the West End: C21-12345",
        text="\n\n".join(paragraphs),
        published=dt.date(2021, 5, 1),
    )


def test_every_chunk_fits_the_model_window(embedder):
    pub = _long_publication()
    chunks = chunk_publication(pub, embedder.count_tokens, budget=200)
    assert len(chunks) > 3
    for chunk in chunks:
        # Special tokens [CLS]/[SEP] take two of the model's 256 positions.
        assert embedder.count_tokens(embedding_text(chunk)) <= embedder.max_tokens - 2


def test_no_sentence_is_cut(embedder):
    pub = _long_publication()
    body = pub.text.replace("\n\n", " ")
    for chunk in chunk_publication(pub, embedder.count_tokens, budget=120):
        for sentence in split_sentences(chunk.text):
            assert sentence in body
            assert sentence.endswith(".")


def test_chunks_carry_publication_metadata_and_stable_ids(embedder):
    pub = _long_publication().model_copy(update={"references": ["C21-12345"], "url": "https://x/y"})
    first = chunk_publication(pub, embedder.count_tokens)
    again = chunk_publication(pub, embedder.count_tokens)
    assert [c.id for c in first] == [c.id for c in again]
    assert all(c.references == ["C21-12345"] and c.url == "https://x/y" for c in first)
    assert all(c.published == dt.date(2021, 5, 1) for c in first)
    changed = pub.model_copy(update={"text": pub.text + "\n\nA late correction."})
    assert not {c.id for c in first} & {
        c.id for c in chunk_publication(changed, embedder.count_tokens)
    }


def test_footnotes_are_linked_to_their_notes(embedder):
    pub = Publication(
        source="/tmp/n.md",
        title="Violence falls",
        text="Knife crime has fallen since 2016.[^1] Officers patrol town centres.",
        notes={"1": "Knife crime with injury down 6% over the period."},
    )
    chunks = chunk_publication(pub, embedder.count_tokens)
    body = [c for c in chunks if "[^1]" in c.text and not c.text.startswith("[^1]:")]
    notes = [c for c in chunks if c.text.startswith("[^1]:")]
    assert body and notes
    assert "down 6%" in notes[0].text
    assert "Knife crime has fallen since 2016." in notes[0].text


def test_a_lead_in_keeps_its_list_however_the_items_are_marked():
    from index.text import sentence_spans

    text = (
        "Police arrested 2 male suspects:\n\n-Chris GOOD, 21 years,\n- $426 in US currency\n\n"
        "All suspects were charged with:\n\nRobbery X2\nExtortion\n\n"
        "A search resulted in the seizure of the following:\n\nGrow equipment\n\n"
        "The investigation continues."
    )
    quoted = [text[s.start : s.end] for s in sentence_spans(text)]
    assert quoted == [
        "Police arrested 2 male suspects:\n\n-Chris GOOD, 21 years,\n- $426 in US currency",
        "All suspects were charged with:\n\nRobbery X2\nExtortion",
        # A bare line is a list item only after a lead-in to charges.
        "A search resulted in the seizure of the following:",
        "Grow equipment",
        "The investigation continues.",
    ]
