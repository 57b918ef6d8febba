"""Ingestion into a Chroma server started on 127.0.0.1 by the test."""

from __future__ import annotations

import shutil

import pytest

from index.errors import StoreUnavailable
from index.settings import Settings
from index.store import open_store
from ingest.pipeline import Ingestor
from tests.support import CORPUS, PAGES, free_port


@pytest.mark.slow
def test_ingest_into_chroma_server_is_incremental(chroma_server, embedder, tmp_path, corpus):
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("2018_03mar_2018_03_15.html", "2021_05may_2021_05_12.html"):
        shutil.copy(PAGES / name, pages / name)
    shutil.copy(CORPUS / "london" / "000_474315e251677573.txt", pages / "london.txt")
    settings = Settings(store=tmp_path / "unused", chroma_url=chroma_server)
    store = open_store(settings)
    ingestor = Ingestor(store, embedder)

    first = ingestor.run([str(pages)])
    assert first.failed == [] and first.added >= 3
    assert not (tmp_path / "unused").exists()  # nothing written on local disk

    # A second client (another machine, in real use) sees the same ledger.
    again = Ingestor(open_store(settings), embedder).run([str(pages)])
    assert again.added == 0 and again.embedded_chunks == 0
    assert again.unchanged == first.added
    assert (again.publications, again.chunks) == (first.publications, first.chunks)


def test_unreachable_server_is_a_clear_error(tmp_path):
    settings = Settings(store=tmp_path / "s", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailable, match="cannot open the Chroma store at http://127.0.0.1"):
        open_store(settings)
