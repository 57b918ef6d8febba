"""Every command meets the same store: settings come only through Settings.

With both POLICING_QA_STORE and POLICING_QA_CHROMA_URL set, `ingest`, `status`, `ask`
and `serve` must all use the Chroma server; `--store DIR` must select that directory.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main
from index.settings import Settings, get_settings
from index.store import open_store
from tests.support import SAMPLES

SAMPLE = SAMPLES / "harbour-city-police-2024-03-04.html"


def _run(*args: str):
    get_settings.cache_clear()
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.slow
def test_store_and_chroma_url_both_set_every_command_uses_the_server(
    chroma_server, tmp_path, monkeypatch
):
    local = tmp_path / "local-store"
    monkeypatch.setenv("POLICING_QA_STORE", str(local))
    monkeypatch.setenv("POLICING_QA_CHROMA_URL", chroma_server)

    ingested = _run("ingest", str(SAMPLE), "--json")
    assert ingested.exit_code == 0, ingested.output
    added = json.loads(ingested.stdout)["added"]
    assert added >= 1

    server = open_store(Settings(chroma_url=chroma_server))
    assert server.counts()[0] == added  # the release is on the server ...
    assert not local.exists()  # ... and nothing was written to the local directory

    status = _run("status", "--json")
    assert json.loads(status.stdout)["last_run"]["added"] == added

    answer = _run("ask", "When was the fire at the Pier Street warehouse?", "--json")
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["citations"], answer.stdout
    assert not local.exists()


@pytest.mark.slow
def test_explicit_store_option_selects_that_directory(chroma_server, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICING_QA_CHROMA_URL", chroma_server)
    chosen = tmp_path / "chosen"
    before = open_store(Settings(chroma_url=chroma_server)).counts()

    result = _run("ingest", str(SAMPLE), "--store", str(chosen), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] >= 1
    assert open_store(Settings(store=chosen)).counts()[0] >= 1
    assert open_store(Settings(chroma_url=chroma_server)).counts() == before


def test_host_port_and_sources_are_settings(tmp_path, monkeypatch):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nurl = "https://example.org/feed.xml"\n')
    monkeypatch.setenv("POLICING_QA_HOST", "0.0.0.0")
    monkeypatch.setenv("POLICING_QA_PORT", "8123")
    monkeypatch.setenv("POLICING_QA_SOURCES", str(sources))
    get_settings.cache_clear()
    settings = get_settings()
    assert (settings.host, settings.port, settings.sources) == ("0.0.0.0", 8123, sources)


def test_missing_sources_file_named_by_the_setting_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICING_QA_SOURCES", str(tmp_path / "absent.toml"))
    result = _run("watch", "--max-runs", "1")
    assert result.exit_code == 2
    assert "absent.toml: no such file" in result.output
