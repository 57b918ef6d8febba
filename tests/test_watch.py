"""Scheduled runs: the watch loop, the one-run-at-a-time lock, per-source status, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from index.errors import StoreUnavailable
from ingest.fetch import Fetcher, FetchOptions
from ingest.lock import FileLock, LeaseLock, LockBusy, holding
from ingest.report import Report
from ingest.sources_file import SourceSpec
from ingest.status import run_status, source_status
from ingest.watch import parse_every, run_once, watch
from tests.fakes.site import FakeSite
from tests.support import PAGES, REPO, free_port

FAST = FetchOptions(read_timeout=2, connect_timeout=1, retries=0, backoff=0.01)


@pytest.fixture
def regina(corpus) -> list[Path]:
    """Two real Regina releases."""
    return sorted(PAGES.glob("regina_police_*.html"))[:2]


@pytest.fixture
def fetcher():
    with Fetcher(FAST, trusted_hosts={"127.0.0.1"}) as fetcher:
        yield fetcher


def _publish(site: FakeSite, pages) -> None:
    for page in pages:
        site.put(f"/r/{page.name}", page.read_bytes())
    site.put_rss("/feed.xml", [(f"/r/{p.name}", None) for p in pages])


@pytest.mark.parametrize(
    "text, seconds",
    [("90", 90), ("30s", 30), ("15m", 900), ("1h30m", 5400), ("1d", 86400), ("0.5s", 0.5)],
)
def test_every_takes_human_durations(text, seconds):
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "15 minutes", "-5m", "0s", "5m later"])
def test_every_rejects_anything_else(text):
    with pytest.raises(ValueError):
        parse_every(text)


# --- the loop -----------------------------------------------------------------------------


@pytest.mark.slow
def test_watch_runs_on_schedule_and_picks_up_a_page_added_between_runs(
    ingestor, store, site, fetcher, regina
):
    _publish(site, regina[:1])
    feed = [SourceSpec(site.url("/feed.xml"), issuer="Regina Police Service")]
    reports, starts, lines = [], [], []

    def one_run():
        starts.append(time.monotonic())
        reports.append(run_once(ingestor, fetcher, feed))
        if len(reports) == 1:
            _publish(site, regina)  # a new release appears between the runs
        return reports[-1]

    last = watch(one_run, every=1.0, stop=threading.Event(), max_runs=2, echo=lines.append)
    assert last is reports[1] and len(lines) == 2
    assert starts[1] - starts[0] >= 1.0
    assert reports[0].added >= 1 and reports[1].unchanged == reports[0].added
    assert reports[1].added >= 1 and reports[1].embedded_chunks > 0
    assert f"{reports[1].added} added" in lines[1]
    (status,) = source_status(store)
    assert status["ok"] and status["items_seen"] == 2


def test_watch_stops_between_runs_when_asked():
    stop = threading.Event()

    def one_run():
        stop.set()  # as the SIGTERM handler does
        return Report()

    started = time.monotonic()
    watch(one_run, every=3600, stop=stop, echo=lambda line: None)
    assert time.monotonic() - started < 60  # it did not wait out the hour


def test_watch_reports_a_run_that_could_not_start_and_goes_on():
    done = Report(added=2, unchanged=5, publications=7, chunks=31)
    outcomes = iter(
        [
            LockBusy("another ingestion run holds the lock (pid 1)"),
            StoreUnavailable("cannot open the Chroma store"),
            done,
            LockBusy("another ingestion run holds the lock (pid 2)"),
        ]
    )
    lines = []

    def one_run():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    last = watch(one_run, every=0.01, stop=threading.Event(), max_runs=4, echo=lines.append)
    # The last completed run's report, not replaced by the skipped run after it.
    assert last is done and (last.added, last.unchanged) == (2, 5)
    assert "run skipped: another ingestion run holds the lock" in lines[0]
    assert "run skipped: cannot open the Chroma store" in lines[1]
    assert "2 added, 0 updated, 5 unchanged" in lines[2]
    assert "store holds 7 publications in 31 chunks" in lines[2]
    assert "run skipped: another ingestion run holds the lock (pid 2)" in lines[3]


# --- the lock ------------------------------------------------------------------------------


def test_file_lock_refuses_a_second_run_and_wait_queues_behind_it(tmp_path):
    path = tmp_path / "store" / "ingest.lock"
    first = FileLock(path)
    with holding(first):
        with pytest.raises(LockBusy, match=rf"pid {os.getpid()} on .* --wait"):
            with holding(FileLock(path)):
                pass
        releasing = threading.Event()

        def release():
            releasing.set()
            first.release()

        threading.Timer(0.3, release).start()
        with holding(FileLock(path), wait=True, poll=0.05):
            assert releasing.is_set()  # queued until the first run let go
    with holding(FileLock(path)):  # released on exit: free again
        pass


def test_lease_lock_in_the_ledger_refuses_a_second_run_and_expires(store):
    first, second = LeaseLock(store, settle=0.05), LeaseLock(store, settle=0.05)
    assert first.try_acquire()
    assert not second.try_acquire()
    assert f"pid {os.getpid()}" in second.holder()
    first.release()
    assert second.try_acquire()
    second.release()
    # A holder that died leaves a claim whose lease runs out.
    store.put_run_record("ingest", "lock", {"owner": "dead", "holder": "x", "expires": 0})
    assert first.try_acquire()
    first.release()
    assert store.get_run_records("lock") == {}


@pytest.mark.slow
def test_cli_ingest_refuses_to_run_while_another_holds_the_lock(settings, site):
    with holding(FileLock(settings.store / "ingest.lock")):
        result = CliRunner().invoke(
            main, ["ingest", "--store", str(settings.store), site.url("/feed.xml")]
        )
    assert result.exit_code == 1
    assert "another ingestion run holds the lock" in result.output
    assert site.hits["/feed.xml"] == 0


# --- status --------------------------------------------------------------------------------


@pytest.mark.slow
def test_status_keeps_last_success_and_names_the_error(
    ingestor, store, site, fetcher, settings, regina
):
    _publish(site, regina[:1])
    feed = SourceSpec(site.url("/feed.xml"), kind="feed")
    dead = SourceSpec(f"http://127.0.0.1:{free_port()}/feed.xml")
    run_once(ingestor, fetcher, [feed, dead])
    good, bad = (
        next(s for s in source_status(store) if s["source"] == x.url) for x in (feed, dead)
    )
    assert good["ok"] and good["last_success"] == good["last_run"] and good["items_seen"] == 1
    assert not bad["ok"] and bad["last_success"] is None and "connection failed" in bad["error"]
    assert run_status(store)["failed"] == 1

    site.fail("/feed.xml", 503)
    time.sleep(1.1)  # status times have one-second resolution
    run_once(ingestor, fetcher, [feed])
    (now,) = [s for s in source_status(store) if s["source"] == feed.url]
    assert not now["ok"] and "HTTP 503" in now["error"]
    assert now["last_success"] == good["last_success"] < now["last_run"]
    assert now["items_seen"] == 1

    result = CliRunner().invoke(main, ["status", "--json", "--store", str(settings.store)])
    assert result.exit_code == 3
    shown = json.loads(result.output)
    assert {s["source"] for s in shown["sources"]} == {feed.url, dead.url}
    text = CliRunner().invoke(main, ["status", "--store", str(settings.store)])
    assert f"FAILED feed    {feed.url}" in text.output and "HTTP 503" in text.output


@pytest.mark.slow
def test_watch_command_stops_cleanly_on_sigterm(site, tmp_path, regina):
    _publish(site, regina[:1])
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[fetch]\nretries = 0\n[[source]]\nurl = "{site.url("/feed.xml")}"\nkind = "feed"\n'
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "watch", "--sources", str(sources), "--every", "1h",
         "--store", str(tmp_path / "store")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    try:
        first = proc.stdout.readline()
        assert "1 added" in first, proc.stderr.read() if proc.poll() is not None else first
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0  # generous: interpreter teardown is slow under load
        assert "SIGTERM: stopping after the current run" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
