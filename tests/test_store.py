"""The chunk collection's vector search settings, on new stores and on older ones."""

import chromadb

from index.store import EF_SEARCH, Store


def test_new_store_searches_wide(tmp_path):
    store = Store(chromadb.PersistentClient(path=str(tmp_path)))
    hnsw = store.chunks.configuration["hnsw"]
    assert hnsw["ef_search"] == EF_SEARCH
    assert hnsw["space"] == "cosine"


def test_older_store_is_widened_without_losing_chunks(tmp_path):
    client = chromadb.PersistentClient(path=str(tmp_path))
    old = client.get_or_create_collection(
        "policing_qa_chunks", metadata={"hnsw:space": "cosine"}, embedding_function=None
    )
    old.add(ids=["a", "b"], embeddings=[[1.0, 0.0], [0.0, 1.0]], documents=["a", "b"])
    assert old.configuration["hnsw"]["ef_search"] < EF_SEARCH

    store = Store(chromadb.PersistentClient(path=str(tmp_path)))
    assert store.chunks.configuration["hnsw"]["ef_search"] == EF_SEARCH
    assert store.chunks.count() == 2
    got = store.chunks.query(query_embeddings=[[0.9, 0.1]], n_results=1)
    assert got["ids"] == [["a"]]


def test_snapshot_watchers_stop_before_the_interpreter_exits(store):
    from index import live as snapshot

    live = snapshot.LiveSnapshot(store, interval=0.05)
    live.get()
    watcher = live._watcher
    assert watcher is not None and watcher.is_alive()
    snapshot._stop_watchers()  # what atexit runs
    assert not watcher.is_alive()


def test_snapshot_sees_an_update_with_the_same_counts_and_commit_time(store):
    from index.live import LiveSnapshot
    from index.models import Publication
    from ingest.chunk import chunk_publication

    def write(text: str, old: list[str]) -> list[str]:
        """Store one version the way the pipeline does: chunks, commit, then old chunks go."""
        pub = Publication(source="a.html", url="https://police.example/a", title="A", text=text)
        chunks = chunk_publication(pub, lambda s: len(s.split()))
        store.add_chunks(chunks, [[1.0, 0.0]] * len(chunks))
        store.commit_publications([(pub, [c.id for c in chunks])], "2024-05-01T09:00:00+00:00")
        store.delete_chunks(old)
        return [c.id for c in chunks]

    first = write("The road is closed.", [])
    live = LiveSnapshot(store)
    assert [c.text for c in live.get().chunks] == ["The road is closed."]
    counts = store.counts()
    write("The road has reopened.", first)  # a later batch of the same run
    assert store.counts() == counts
    assert [c.text for c in live.refresh().chunks] == ["The road has reopened."]
    live.close()
