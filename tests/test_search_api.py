"""The Search API backend against real local Chroma: what it refuses, and the dense path.

Local Chroma (embedded, and `chroma run`) has no Search API and no sparse index, so
these tests pin down the refusal and the dense-only answers; the fused Search is
checked as the request it sends.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from chromadb.api.types import Schema

from index.client import open_client
from index.errors import ConfigError
from index.search_api import SearchApiRetriever, build_searches, filters, supports_search_api
from index.sparse import SPARSE_KEY, TermsBm25, chunk_schema, term_index
from index.store import Store, open_store
from tests.support import CORPUS, PAGES, clean_settings

PAGE_NAMES = [
    "2017_03mar_2017_03_15.html", "2017_11nov_2017_11_07.html", "2018_03mar_2018_03_15.html",
    "2019_10oct_2019_10_29.html", "2019_10oct_2019_10_30.html", "2019_11nov_2019_11_07.html",
]  # fmt: skip


@pytest.fixture(scope="module")
def server_store(chroma_server, embedder):
    """A few bulletins and the London release ingested into a `chroma run` on loopback."""
    from ingest.pipeline import Ingestor

    store = open_store(clean_settings(chroma_url=chroma_server))
    paths = [str(PAGES / name) for name in PAGE_NAMES] + [str(CORPUS / "london")]
    report = Ingestor(store, embedder).run(paths)
    assert not report.failed and report.chunks > 20
    return store


def test_a_chroma_server_says_it_has_no_search_api(server_store):
    ok, why = supports_search_api(server_store.chunks)
    assert not ok
    assert "this Chroma server has no Search API" in why
    assert "not implemented for local executor" in why


def test_embedded_chroma_says_it_has_no_search_api(tmp_path):
    store = Store(open_client(tmp_path / "store"))
    ok, why = supports_search_api(store.chunks)
    assert not ok
    assert why.startswith("embedded Chroma has no Search API")


def test_strict_backend_refuses_with_the_reason(server_store, embedder):
    with pytest.raises(ConfigError, match="'search-api' cannot be used: this Chroma server"):
        SearchApiRetriever(server_store, embedder)


def test_local_chroma_refuses_the_sparse_index(chroma_server, tmp_path):
    """What a distributed deployment needs is refused by both local modes, by name."""
    for client in (open_client(chroma_url=chroma_server), open_client(tmp_path / "s")):
        with pytest.raises(Exception, match="Sparse vector indexing is not enabled in local"):
            client.create_collection("sparse_chunks", schema=chunk_schema())


QUERIES = [
    ("what did police seize in the River Heights drug raid?", {}),
    ("stabbing downtown", {"since": dt.date(2019, 10, 1), "until": dt.date(2019, 11, 30)}),
    ("Tip a Cop fundraiser", {"issuer": "Winnipeg Police Service"}),
    ("knife crime", {"issuer": "Mayor of London"}),
    ("what happened in the case", {"references": ["R17-84575"]}),
]


@pytest.mark.parametrize(("query", "given"), QUERIES)
def test_dense_fallback_returns_the_nearest_chunks_within_the_filters(
    server_store, embedder, query, given
):
    retriever = SearchApiRetriever(server_store, embedder, strict=False, max_per_publication=None)
    result = retriever.search(query, k=5, today=dt.date(2022, 12, 31), **given)

    where = []
    if "since" in given:
        where += [{"published_int": {"$gte": int(given["since"].strftime("%Y%m%d"))}}]
        where += [{"published_int": {"$lte": int(given["until"].strftime("%Y%m%d"))}}]
    if "issuer" in given:
        where += [{"issuer": {"$in": [given["issuer"]]}}]
    if "references" in given:
        where += [{"references": {"$contains": given["references"][0]}}]
    nearest = server_store.nearest_chunks(embedder.embed_query(result.search_text), 5, where)

    assert [h.chunk.id for h in result.hits] == [cid for cid, _ in nearest]
    assert result.hits, "every query here has matching chunks"
    for hit, (_, similarity) in zip(result.hits, nearest, strict=True):
        assert hit.dense_score == pytest.approx(similarity, abs=1e-5)
        assert hit.lexical_rank is None
        if "issuer" in given:
            assert hit.chunk.issuer == given["issuer"]
        if "since" in given:
            assert given["since"] <= hit.chunk.published <= given["until"]
        if "references" in given:
            assert given["references"][0] in hit.chunk.references
    assert [h.dense_rank for h in result.hits] == list(range(1, len(result.hits) + 1))


def test_dense_fallback_caps_chunks_per_release(server_store, embedder):
    retriever = SearchApiRetriever(server_store, embedder, strict=False, max_per_publication=1)
    hits = retriever.search("police arrested a man", k=6).hits
    releases = [h.chunk.publication_id for h in hits]
    assert len(hits) == 6 and len(set(releases)) == len(releases)


def test_term_rarity_without_a_local_index(server_store, embedder):
    retriever = SearchApiRetriever(server_store, embedder, strict=False)
    rarity = retriever.term_rarity(["polic", "zzzunseen"])
    texts = [c.text for c in server_store.all_chunks()]
    df = sum(any(f in t for f in ("polic", "Polic", "POLIC")) for t in texts)
    assert 0 < df < len(texts)
    assert rarity["polic"] == pytest.approx(math.log((len(texts) + 1) / (df + 1)) + 1)
    assert rarity["zzzunseen"] == pytest.approx(math.log(len(texts) + 1) + 1)
    assert retriever.unseen_terms({"polic", "zzzunseen"}) == {"zzzunseen"}


def test_the_fused_search_filters_every_ranking_and_fuses_dense_with_bm25():
    terms = TermsBm25().embed_query(["Who was charged in C17-49764?"])[0]
    where = filters(dt.date(2017, 1, 1), None, ["Winnipeg Police Service"], ["C17-49764"])
    fused, dense, sparse = (
        s.to_dict()
        for s in build_searches([0.5, 0.5], terms, where, pool=40, k=6, per_release=2, key="bm")
    )
    assert (
        fused["filter"]
        == dense["filter"]
        == sparse["filter"]
        == {
            "$and": [
                {"published_int": {"$gte": 20170101}},
                {"issuer": {"$in": ["Winnipeg Police Service"]}},
                {"references": {"$contains": "C17-49764"}},
            ]
        }
    )
    text = str(fused["rank"])
    assert "'key': '#embedding'" in text and "'key': 'bm'" in text
    assert text.count("'return_rank': True") == 2 and text.count("'default': 40") == 2
    assert fused["limit"] == {"offset": 0, "limit": 6}
    assert fused["group_by"]["keys"] == ["publication_id"]
    assert dense["rank"]["$knn"]["key"] == "#embedding"
    assert sparse["rank"]["$knn"]["query"]["indices"] == terms.indices


def test_bm25_terms_use_the_project_tokenizer():
    bm25 = TermsBm25()
    doc = bm25(["Police charged a man in C17-49764 on Portage Ave."])[0]
    query = bm25.embed_query(["charges C17-49764 Portage Avenue"])[0]
    # Stemming, synonyms and whole case numbers, as BM25 in index.lexical sees them.
    for term in ("charg", "c17-49764", "portag", "avenu"):
        assert term_index(term) in doc.indices and term_index(term) in query.indices
    assert doc.indices == sorted(doc.indices)
    assert all(0 < v < bm25.k + 1 for v in doc.values)


def test_the_chunk_schema_survives_a_round_trip_with_its_bm25_function():
    again = Schema.deserialize_from_json(chunk_schema().serialize_to_json())
    index = again.keys[SPARSE_KEY].sparse_vector.sparse_vector_index
    assert index.enabled and index.config.bm25 is True
    assert isinstance(index.config.embedding_function, TermsBm25)
    assert index.config.source_key == "#document"
    assert again.defaults.float_list.vector_index.config.space == "cosine"


def test_the_chunk_schema_gives_a_working_dense_collection(tmp_path):
    """Without its sparse index, the schema makes a cosine collection local Chroma takes."""
    client = open_client(tmp_path / "s")
    chunks = client.create_collection(
        "plain_chunks", schema=chunk_schema(bm25=False), embedding_function=None
    )
    chunks.add(ids=["a", "b"], embeddings=[[1.0, 0.0], [0.6, 0.8]], documents=["x", "y"])
    got = chunks.query(query_embeddings=[[0.0, 1.0]], n_results=2, include=["distances"])
    assert got["ids"][0] == ["b", "a"]
    assert got["distances"][0][0] == pytest.approx(0.2, abs=1e-5)  # cosine, not L2


def test_the_search_api_setting_on_local_chroma_is_a_one_line_error(tmp_path):
    import subprocess
    import sys

    settings = clean_settings(store=tmp_path / "store", retrieval_backend="search-api")
    with pytest.raises(ConfigError, match="retrieval_backend 'search-api' needs"):
        open_store(settings)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Who was charged?"],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "POLICING_QA_STORE": str(tmp_path / "store"),
            "POLICING_QA_RETRIEVAL_BACKEND": "search-api",
            "HF_HUB_OFFLINE": "1",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert done.returncode != 0
    assert "retrieval_backend 'search-api' needs" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_local_backend_is_the_default_and_builds_the_fused_retriever(tmp_path, embedder):
    from index.retrieve import Retriever, build_retriever

    settings = clean_settings(store=tmp_path / "store")
    assert settings.retrieval_backend == "local"
    assert isinstance(build_retriever(settings, embedder=embedder), Retriever)
