"""The persisted lexical index: segments, merges, and replicas that apply only what changed."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

from index.live import LiveSnapshot
from index.models import Chunk
from index.segment import Segment, merge
from index.snapshot import ChunkCache, Snapshot, committed_chunks
from index.store import Store, open_store
from ingest.pipeline import Ingestor
from tests.support import PAGES, clean_settings

QUERIES = ["homicide Isabel Street", "C17-49764", "robbery convenience store", "stolen vehicle"]


def chunk(cid: str, text: str, pub: str = "p", ord_: int = 0, refs=()) -> Chunk:
    return Chunk(
        id=cid,
        publication_id=pub,
        ord=ord_,
        text=text,
        title="",
        source="s",
        references=list(refs),
        content_hash="h",
    )


def applied(*segments: Segment) -> Snapshot:
    snap = Snapshot(("test",), ChunkCache(None))
    for segment in segments:
        snap = snap.apply(segment)
    return snap


def live(snap: Snapshot) -> dict[str, tuple]:
    """What a snapshot serves: each live chunk id with its columns, and BM25 scores by id."""
    out = {}
    for cid, pos in snap.position.items():
        out[cid] = (snap.publication_at[pos], int(snap.ords[pos]), int(snap.published[pos]))
    return out


def scores(snap: Snapshot, query: str) -> dict[str, float]:
    raw = snap.lexical.scores(query)
    return {cid: round(float(raw[pos]), 5) for cid, pos in snap.position.items() if raw[pos]}


A = Segment.of_chunks(
    [
        chunk("a1", "C17-49764 homicide on Isabel Street", "pa", refs=["C17-49764"]),
        chunk("a2", "A robbery at a convenience store", "pb"),
        chunk("a3", "A stolen vehicle was recovered", "pc"),
    ]
)
B = Segment.of_chunks(
    [chunk("b1", "Homicide suspect charged, Isabel Street", "pa", refs=["C17-49764"])],
    removed=["a1", "a3"],
)
C = Segment.of_chunks([chunk("a2", "A robbery at a gas station", "pb")])


def test_a_segment_survives_its_bytes():
    again = Segment.from_bytes(A.to_bytes())
    assert again.ids == A.ids and again.vocab == A.vocab and again.removed == A.removed
    assert (again.counts != A.counts).nnz == 0
    assert applied(again).references_of == applied(A).references_of


def test_removals_and_replacements_leave_exactly_the_live_chunks():
    snap = applied(A, B, C)
    assert set(snap.position) == {"b1", "a2"}
    assert snap.by_publication == {"pa": [snap.position["b1"]], "pb": [snap.position["a2"]]}
    assert snap.publications_for(["c17-49764"]) == ["pa"]
    # The chunk "a2" was replaced: only its new text scores.
    assert scores(snap, "gas station") == {"a2": pytest.approx(scores(snap, "gas station")["a2"])}
    assert scores(snap, "convenience") == {}
    gone = applied(A, Segment.of_chunks([], removed=["a1"]))
    assert gone.publications_for(["C17-49764"]) == []


def test_merged_segments_have_the_effect_of_applying_them_in_turn():
    for first in (True, False):
        one = applied(merge(merge(A, B, first), C, first))
        three = applied(A, B, C)
        assert live(one) == live(three)
        for query in QUERIES + ["gas station"]:
            assert scores(one, query) == scores(three, query)


def test_a_merge_applied_over_what_it_merged_changes_nothing():
    """A replica that applied A and B and then finds them merged (with C) applies the
    merge on top: the live chunks and scores are those of A, B, C applied once."""
    again = applied(A, B).apply(merge(merge(A, B), C))
    once = applied(A, B, C)
    assert live(again) == live(once)
    for query in QUERIES + ["gas station"]:
        assert scores(again, query) == scores(once, query)
    assert again.dead > once.dead  # garbage, cleaned by the next full load


def test_incremental_bm25_equals_bm25_over_the_live_chunks_alone():
    snap = applied(A, B, C)
    fresh = applied(Segment.of_chunks([chunk("b1", "Homicide suspect charged, Isabel Street"),
                                       chunk("a2", "A robbery at a gas station")]))  # fmt: skip
    for query in ["homicide", "Isabel Street robbery", "gas station charged"]:
        assert scores(snap, query) == scores(fresh, query)
    # Term rarity counts live chunks only: "stolen" was removed with a3.
    assert snap.lexical.idf(["stolen"])["stolen"] == pytest.approx(math.log(3 / 1) + 1)


def test_the_head_keeps_a_logarithmic_number_of_segments(store: Store):
    store.lexicon.rebuild([])
    for n in range(40):
        store.lexicon.append([chunk(f"c{n}", f"release number {n} text", f"p{n}")])
    head = store.lexicon.head()
    assert len(head.segments) <= math.log2(40) + 2
    snap = LiveSnapshot(store).refresh()
    assert set(snap.position) == {f"c{n}" for n in range(40)}


# --- with the ingest pipeline ---------------------------------------------------------------


def _pages(tmp_path, count: int):
    folder = tmp_path / "releases"
    folder.mkdir()
    pages = sorted(PAGES.glob("regina_police_2021_*.html"))[:count]
    for page in pages:
        shutil.copy(page, folder / page.name)
    return folder


def _same_as_a_full_read(store: Store, snap: Snapshot) -> None:
    """The snapshot serves what a full read of the committed chunks would."""
    full = Snapshot(("scan",), ChunkCache(store)).apply(Segment.of_chunks(committed_chunks(store)))
    assert live(snap) == live(full)
    assert {r: sorted(p) for r, p in snap.by_reference.items()} == {
        r: sorted(p) for r, p in full.by_reference.items()
    }
    for query in QUERIES:
        assert scores(snap, query) == scores(full, query)


def test_a_replica_applies_only_the_segments_a_new_run_wrote(
    tmp_path, settings, store, embedder, caplog
):
    folder = _pages(tmp_path, 4)
    ingestor = Ingestor(store, embedder, batch_chunks=8)
    ingestor.run([str(folder)])
    replica = LiveSnapshot(open_store(settings))
    before = replica.refresh()
    _same_as_a_full_read(store, before)

    first = sorted(folder.iterdir())[0]
    first.write_bytes(first.read_bytes().replace(b"</p>", b" Correction: updated.</p>", 1))
    shutil.copy(sorted(PAGES.glob("2018_0*.html"))[0], folder)
    report = ingestor.run([str(folder)])
    assert report.updated == 1 and report.added >= 1

    caplog.set_level("INFO", logger="index.live")
    after = replica.refresh()
    applied_now = [r.getMessage() for r in caplog.records if "applied" in r.getMessage()]
    assert applied_now and "applied 1 segment(s)" in applied_now[-1]
    assert after.segments == store.lexicon.head().ids
    _same_as_a_full_read(store, after)
    assert any("Correction: updated." in c.text for c in after.chunks)


def test_a_run_killed_before_its_segment_is_rebuilt_by_the_next(tmp_path, store, embedder):
    folder = _pages(tmp_path, 3)
    Ingestor(store, embedder).run([str(folder)])
    shutil.copy(sorted(PAGES.glob("2018_0*.html"))[0], folder)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed between the commit and its segment")

    original = store.lexicon.append
    store.lexicon.append = killed
    with pytest.raises(KeyboardInterrupt):
        Ingestor(store, embedder).run([str(folder)])
    store.lexicon.append = original
    reader = LiveSnapshot(store)
    assert len(reader.refresh().by_publication) < len(store.get_publications())

    Ingestor(store, embedder).run([str(folder)])  # finds the last run unfinished: rebuilds
    _same_as_a_full_read(store, reader.refresh())
    assert len(reader.refresh().by_publication) == len(store.get_publications())


def test_a_store_without_an_index_is_read_whole_until_a_run_builds_it(tmp_path, store, embedder):
    Ingestor(store, embedder).run([str(_pages(tmp_path, 2))])
    store.lexicon.collection.delete(ids=["head"])  # a store from before the lexicon
    reader = LiveSnapshot(store)
    scanned = reader.refresh()
    assert scanned.signature[0] == "scan"
    _same_as_a_full_read(store, scanned)
    Ingestor(store, embedder).run([str(tmp_path / "releases")])
    assert store.lexicon.head() is not None
    followed = reader.refresh()
    assert followed.signature[0] == "log"
    assert live(followed) == live(scanned)


def test_pruned_publications_leave_the_index(tmp_path, store, embedder):
    folder = _pages(tmp_path, 3)
    Ingestor(store, embedder).run([str(folder)])
    reader = LiveSnapshot(store)
    count = len(reader.refresh().by_publication)
    store.delete_publications(list(store.get_publications())[:1])
    assert len(reader.refresh().by_publication) == count - 1
    _same_as_a_full_read(store, reader.refresh())


def test_two_replicas_on_one_server_see_a_new_run_alike(tmp_path, chroma_server, embedder):
    settings = clean_settings(chroma_url=chroma_server, collection=f"r{np.random.randint(1e9)}")
    writer = open_store(settings)
    folder = _pages(tmp_path, 2)
    Ingestor(writer, embedder).run([str(folder)])
    one, two = LiveSnapshot(open_store(settings)), LiveSnapshot(open_store(settings))
    one.refresh(), two.refresh()
    shutil.copy(sorted(PAGES.glob("2018_0*.html"))[0], folder)
    Ingestor(writer, embedder).run([str(folder)])
    a, b = one.refresh(), two.refresh()
    assert live(a) == live(b) and a.segments == b.segments == writer.lexicon.head().ids
    _same_as_a_full_read(writer, a)


def test_a_large_segment_goes_to_a_server_a_part_at_a_time(chroma_server, monkeypatch):
    """A server refuses large request bodies: each part is its own request, and a part of
    the size written is accepted by a real `chroma run`."""
    from index import lexicon

    settings = clean_settings(chroma_url=chroma_server, collection=f"big{np.random.randint(1e9)}")
    store = open_store(settings)
    store.lexicon.rebuild([])
    store.lexicon.collection.upsert(
        ids=["probe"], embeddings=[[1.0]], documents=["x" * lexicon._PART_CHARS]
    )
    store.lexicon.collection.delete(ids=["probe"])
    monkeypatch.setattr(lexicon, "_PART_CHARS", 5_000)
    chunks = [
        chunk(f"c{n}", f"release {n} about street{n} and case{n * 7}", f"p{n}") for n in range(3000)
    ]
    store.lexicon.append(chunks)
    head = store.lexicon.head()
    parts = store.lexicon.collection.get(where={"segment": head.ids[-1]}, include=[])["ids"]
    assert len(parts) > 10
    snap = LiveSnapshot(open_store(settings)).refresh()
    assert set(snap.position) == {c.id for c in chunks}
    assert scores(snap, "street42") == {"c42": pytest.approx(scores(snap, "street42")["c42"])}
