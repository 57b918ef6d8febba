"""Retrieval over a real store built by the real Ingestor from a dozen real pages."""

from __future__ import annotations

import threading
import time
from datetime import date

import numpy as np
import pytest

from index.errors import ConfigError
from index.lexical import LexicalIndex
from index.models import Chunk, Publication
from index.rerank import Reranker, build_reranker
from index.retrieve import Retriever, build_retriever
from index.segment import Segment
from index.settings import Settings
from index.store import open_store
from index.text import find_references, tokenize
from ingest.chunk import chunk_publication, embedding_text
from ingest.pipeline import Ingestor
from tests.support import CORPUS, PAGES

# Chosen for what they hold: C16-36822 (sudden death, then "Update - Homicide"),
# C20-81383 (investigation, update, arrest) beside C20-82384 (another homicide),
# R19-13061 (missing woman, then an update), Regina releases and the London release.
SUBSET = [
    "2016_02feb_2016_02_22.html",
    "2016_02feb_2016_02_23.html",
    "2017_03mar_2017_03_15.html",
    "2019_03mar_2019_03_22.html",
    "2019_04apr_2019_04_17.html",
    "2020_04apr_2020_04_16.html",
    "2020_04apr_2020_04_17.html",
    "2020_04apr_2020_04_28.html",
    "2021_03mar_2021_03_10.html",
    "2021_03mar_2021_03_11.html",
    "regina_police_2021_06_2nd-update-fourth-person-charged-in-june-17th-homicide_.html",
    "regina_police_2021_06_aggravated-assault-charges-laid_.html",
]
LONDON = CORPUS / "london" / "000_474315e251677573.txt"


def _files(names) -> list[str]:
    return [str(PAGES / n) for n in names]


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory, embedder, corpus):
    """The subset ingested once; tests read it and never write to it."""
    store = open_store(Settings(store=tmp_path_factory.mktemp("retrieval") / "store"))
    report = Ingestor(store, embedder).run([*_files(SUBSET), str(LONDON)])
    assert not report.failed, report.failed
    return store


@pytest.fixture(scope="module")
def retriever(shared_store, embedder):
    return Retriever(shared_store, embedder)


def _refs(hits) -> set[str]:
    return {r for h in hits for r in h.chunk.references}


# --- tokenizer and case numbers -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Homicide Investigation - C17-49764", {"c17-49764", "c17", "49764", "homicid"}),
        ("C17\u201349764", {"c17-49764", "c17", "49764"}),
        ("C16 206172 and C16206172", {"c16-206172"}),
        ("R17-20087 located", {"r17-20087", "r17", "20087", "locat"}),
        ("on Portage Ave.", {"portag", "avenu"}),
        ("raised $2,500 for charities", {"2500", "rais", "charit"}),
        ("the Mayor's office", {"mayor", "offic"}),
        ("a woman was charged", {"femal", "charg"}),
    ],
)
def test_tokenize_keeps_ids_streets_and_numbers(text, expected):
    tokens = tokenize(text)
    assert expected <= set(tokens)
    assert "the" not in tokens


@pytest.mark.parametrize(
    ("question", "release"),
    [
        ("Who was charged?", "He has been charged with robbery."),
        ("How many charges were laid?", "The following charges were laid"),
        ("Was the woman located?", "The female has been located."),
    ],
)
def test_question_and_release_words_meet_in_one_tokenizer(question, release):
    from bot.answer.phrases import key_terms

    assert key_terms(question) & set(tokenize(release))


def test_bm25_ranks_the_exact_id_first_and_respects_the_mask():
    texts = ["C17-49764 homicide on Isabel Street", "C17-49765 homicide", "robbery"]
    chunks = [
        Chunk(
            id=f"c{i}",
            publication_id=f"p{i}",
            ord=0,
            text=t,
            title="",
            source="s",
            content_hash="h",
        )
        for i, t in enumerate(texts)
    ]
    index = LexicalIndex().extend(Segment.of_chunks(chunks), np.ones(3, bool))
    assert [d for d, _ in index.top("C17-49764", 3)][0] == 0
    assert index.top("C17-49764", 3, mask=[False, True, True])[0][0] == 1
    assert index.top("unmatched words", 3) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what was the suspect in C17-49764 finally charged with?", ["C17-49764"]),
        ("c20 – 81383 and R17-20087, again C20-81383", ["C20-81383", "R17-20087"]),
        ("COVID-19 rules on 2019-10-31", []),
    ],
)
def test_find_references(text, expected):
    assert find_references(text) == expected


# --- exact terms ----------------------------------------------------------------------


@pytest.mark.slow
def test_case_number_beats_a_similar_homicide(retriever):
    result = retriever.search("homicide investigation C20-82384")
    assert result.references == ["C20-82384"]
    assert result.hits and all("C20-82384" in h.chunk.references for h in result.hits)
    # Without the number the same words find the other homicides too.
    other = retriever.search("homicide investigation")
    assert len(_refs(other.hits)) > 1


@pytest.mark.slow
def test_case_number_in_lower_case_gathers_every_release(retriever):
    result = retriever.search("what happened in c20-81383?")
    titles = [h.chunk.title for h in result.case_history]
    assert len(titles) == 3 and "Investigation" in titles[0] and "Arrest" in titles[-1]
    dates = [h.chunk.published for h in result.case_history]
    assert dates == sorted(dates)
    assert _refs(result.hits) == {"C20-81383"}


@pytest.mark.slow
def test_unknown_case_number_does_not_empty_the_search(retriever):
    result = retriever.search("stabbing C99-12345")
    assert result.references == ["C99-12345"] and result.case_history == []
    assert result.hits


@pytest.mark.slow
def test_given_references_are_a_hard_filter(retriever):
    assert _refs(retriever.search("homicide", references=["C21-54053"]).hits) == {"C21-54053"}
    assert retriever.search("homicide", references=["C99-12345"]).hits == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "reference"),
    [("what happened on Sutton Ave?", "C16-37600"), ("Langside Street", "C19-57432")],
)
def test_street_name_found_lexically(retriever, query, reference):
    top = retriever.search(query).hits[0]
    assert reference in top.chunk.references
    assert top.lexical_rank == 1


# --- time -----------------------------------------------------------------------------


@pytest.mark.slow
def test_year_in_question_filters_dates(retriever):
    result = retriever.search("homicide investigations in 2016")
    assert (result.since, result.until) == (date(2016, 1, 1), date(2016, 12, 31))
    assert result.search_text == "homicide investigations"
    assert result.hits and all(h.chunk.published.year == 2016 for h in result.hits)
    unfiltered = retriever.search("homicide investigations", k=20)
    assert any(h.chunk.published.year == 2021 for h in unfiltered.hits)


@pytest.mark.slow
def test_explicit_range_intersects_the_question(retriever):
    result = retriever.search("homicide since 2019", until=date(2020, 12, 31))
    assert (result.since, result.until) == (date(2019, 1, 1), date(2020, 12, 31))
    assert all(2019 <= h.chunk.published.year <= 2020 for h in result.hits)
    assert retriever.search("homicide in 2016", since=date(2020, 1, 1)).hits == []


@pytest.mark.slow
def test_relative_dates_are_as_of_the_newest_publication(retriever):
    result = retriever.search("homicide charges last year")
    assert result.today == date(2022, 11, 11)  # the London release is the newest
    assert all(h.chunk.published.year == 2021 for h in result.hits) and result.hits
    anchored = retriever.search("homicide last year", today=date(2017, 6, 1))
    assert all(h.chunk.published.year == 2016 for h in anchored.hits) and anchored.hits


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "newest"),
    [
        ("what was the suspect in C20-81383 finally charged with?", date(2020, 4, 28)),
        ("latest on C16-36822", date(2016, 2, 23)),
        ("is Cynthia Parisian still missing?", date(2019, 4, 17)),
    ],
)
def test_latest_release_comes_first(retriever, query, newest):
    result = retriever.search(query)
    assert result.wants_latest
    assert result.hits[0].chunk.published == newest


@pytest.mark.slow
def test_recency_adds_nothing_but_the_same_case(retriever):
    plain = retriever.search("is Cynthia Parisian missing?")
    latest = retriever.search("is Cynthia Parisian still missing?")
    assert plain.search_text == latest.search_text and not plain.wants_latest
    assert latest.case_references == ["R19-13061"] and plain.case_references == []
    assert [h.chunk.published for h in latest.case_history] == [
        date(2019, 3, 22),
        date(2019, 4, 17),
    ]
    added = {h.chunk.id for h in latest.hits} - {h.chunk.id for h in plain.hits}
    assert all("R19-13061" in h.chunk.references for h in latest.hits if h.chunk.id in added)


@pytest.mark.slow
def test_outcome_question_is_not_cut_off_at_the_event_date(retriever):
    result = retriever.search(
        "Has anyone been charged in the Ross Avenue homicide of April 15, 2020?"
    )
    assert (result.since, result.until) == (date(2020, 4, 15), None)
    assert result.hits[0].chunk.published == date(2020, 4, 28)
    assert result.case_references == ["C20-81383"] and len(result.case_history) == 3


@pytest.mark.slow
def test_latest_within_a_window_keeps_the_window(retriever):
    result = retriever.search("latest homicide arrests in 2016")
    assert result.until == date(2016, 12, 31)
    assert result.hits and all(h.chunk.published.year == 2016 for h in result.hits)


# --- filters and shape ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("issuer", ["Regina Police Service", "regina"])
def test_issuer_filter(retriever, issuer):
    result = retriever.search("homicide charges", issuer=issuer)
    assert result.hits and {h.chunk.issuer for h in result.hits} == {"Regina Police Service"}


@pytest.mark.slow
def test_unknown_issuer_finds_nothing(retriever):
    assert retriever.search("homicide", issuer="Toronto Police").hits == []


@pytest.mark.slow
def test_at_most_two_chunks_per_release_in_order(retriever):
    hits = retriever.search("Isabel Street homicide arrest", k=8).hits
    seen: dict[str, list[int]] = {}
    for position, hit in enumerate(hits):
        seen.setdefault(hit.chunk.publication_id, []).append((position, hit.chunk.ord))
    assert len(hits) == 8 and len(seen) >= 4
    for chunks in seen.values():
        positions, ords = zip(*chunks, strict=True)
        assert len(chunks) <= 2 and list(ords) == sorted(ords)
        assert list(positions) == list(range(positions[0], positions[0] + len(chunks)))


@pytest.mark.slow
@pytest.mark.parametrize("k", [0, -3])
def test_bad_k_is_refused(retriever, k):
    with pytest.raises(ValueError, match="k must be at least 1"):
        retriever.search("homicide", k=k)


def test_empty_store_returns_no_hits(store, embedder):
    result = Retriever(store, embedder).search("anything in 2019")
    assert result.hits == [] and result.since == date(2019, 1, 1)


# --- consistency with ingestion --------------------------------------------------------


@pytest.fixture
def small_store(store, embedder):
    Ingestor(store, embedder).run(_files(SUBSET[:1]))
    return store


@pytest.mark.slow
def test_uncommitted_chunks_are_never_returned(small_store, embedder):
    committed = next(iter(small_store.get_publications().values()))
    leftover = Publication(
        source="killed-run.txt",
        title="Quokka parade on Zanzibar Crescent",
        text="A quokka parade blocked Zanzibar Crescent all morning.",
    )
    chunks = chunk_publication(leftover, embedder.count_tokens)
    # An old version of a committed release, and a release whose commit never happened.
    stale = chunks[0].model_copy(update={"id": "stale-0", "publication_id": committed.id})
    orphans: list[Chunk] = [*chunks, stale]
    small_store.add_chunks(orphans, embedder.embed_documents([embedding_text(c) for c in orphans]))
    query = "quokka parade on Zanzibar Crescent"
    raw = small_store.chunks.query(query_embeddings=[embedder.embed_query(query)], n_results=2)
    assert set(raw["ids"][0]) == {"stale-0", chunks[0].id}  # Chroma itself would return them
    hits = Retriever(small_store, embedder).search(query).hits
    assert hits and not {h.chunk.id for h in hits} & {c.id for c in orphans}


@pytest.mark.slow
def test_new_ingest_is_seen_without_restart(small_store, embedder):
    retriever = Retriever(small_store, embedder, refresh_seconds=0.1)
    assert not _refs(retriever.search("C17-49764").hits) & {"C17-49764"}
    errors: list[BaseException] = []

    def hammer():
        try:
            for _ in range(5):
                retriever.search("homicide Pritchard Avenue")
        except BaseException as exc:  # any failure in a thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    Ingestor(small_store, embedder).run(_files(["2017_03mar_2017_03_15.html"]))
    for thread in threads:
        thread.join()
    assert errors == []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        hits = retriever.search("C17-49764").hits
        if hits and "C17-49764" in hits[0].chunk.references:
            break
        time.sleep(0.1)
    assert "C17-49764" in hits[0].chunk.references and hits[0].lexical_rank is not None
    retriever.live.close()


@pytest.mark.slow
def test_explicit_refresh_sees_a_new_ingest_at_once(small_store, embedder):
    retriever = Retriever(small_store, embedder, refresh_seconds=3600)
    assert retriever.search("Tip A Cop").case_history == []
    before = retriever.refresh()
    Ingestor(small_store, embedder).run(_files(["2017_03mar_2017_03_15.html"]))
    assert retriever.refresh() is not before
    assert retriever.search("C17-49764").hits[0].chunk.references == ["C17-49764"]


# --- reranker -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory, embedder):
    """A cross-encoder with an untrained head: enough to prove the plumbing."""
    from sentence_transformers import CrossEncoder

    path = tmp_path_factory.mktemp("reranker")
    CrossEncoder(str(embedder.path), num_labels=1, device="cpu", local_files_only=True).save(
        str(path)
    )
    return path


@pytest.mark.slow
def test_reranker_scores_reorder_hits(shared_store, embedder, tiny_cross_encoder):
    reranker = build_reranker(Settings(reranker_path=tiny_cross_encoder))
    query = "homicide arrest"
    reranked = Retriever(shared_store, embedder, reranker=reranker, max_per_publication=99)
    plain = Retriever(shared_store, embedder, max_per_publication=99)
    pool = plain.search(query, k=reranked.rerank_pool).hits  # the fused top 20, as a set
    scores = reranker.score(query, [f"{h.chunk.title}\n{h.chunk.text}" for h in pool])
    best = sorted(zip(scores, (h.chunk.id for h in pool), strict=True), reverse=True)[:6]
    hits = reranked.search(query, k=6).hits
    assert {h.chunk.id for h in hits} == {cid for _, cid in best}
    assert sorted(h.score for h in hits) == pytest.approx(sorted(s for s, _ in best), abs=1e-5)


def test_reranker_is_off_by_default(settings):
    assert build_reranker(settings) is None


@pytest.mark.parametrize("kind", ["missing", "file", "empty-dir", "bad-config"])
def test_bad_reranker_path_is_a_config_error(tmp_path, kind):
    path = tmp_path / "model"
    if kind == "file":
        path.write_text("not a model")
    elif kind == "empty-dir":
        path.mkdir()
    elif kind == "bad-config":
        path.mkdir()
        (path / "config.json").write_text("{not json")
    with pytest.raises(ConfigError, match="reranker path"):
        Reranker(path)


def test_build_retriever_uses_settings(settings, embedder):
    retriever = build_retriever(settings, embedder=embedder)
    assert retriever.reranker is None and retriever.search("homicide").hits == []


@pytest.mark.slow
def test_a_day_in_the_question_reaches_releases_published_after_it(retriever):
    # The Ross Avenue homicide happened on April 15, 2020; its releases came later.
    result = retriever.search("Ross Avenue homicide on April 15, 2020")
    assert (result.since, result.until) == (date(2020, 4, 15), date(2020, 5, 16))
    assert any(h.chunk.published > date(2020, 4, 15) for h in result.hits)
    assert "C20-81383" in result.hits[0].chunk.references
