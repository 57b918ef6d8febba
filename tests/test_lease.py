"""The ingest lease on a Chroma server: renewal through errors, check(), and the sweep
that spares a live run's chunks and removes commits whose chunks are gone."""

from __future__ import annotations

import time
import uuid

import pytest

from index.client import open_client
from index.errors import StoreUnavailable
from index.models import Publication
from index.store import Store
from index.sweep import Swept
from ingest.chunk import chunk_publication
from ingest.lock import FileLock, LeaseLock, LeaseLost

# Small leases so a test sees several renewals and an expiry within seconds.
FAST = {"ttl": 1.5, "settle": 0.05, "renew_every": 0.2, "retry_every": 0.1, "margin": 0.5}


class FlakyLedger:
    """A Store whose run-record writes fail while `failures` is above zero (a lost link)."""

    def __init__(self, store: Store):
        self.store = store
        self.failures = 0
        self.renewals = 0

    def put_run_record(self, key: str, kind: str, data: dict) -> None:
        if self.failures:
            self.failures -= 1
            raise StoreUnavailable("connection reset by the Chroma server")
        self.store.put_run_record(key, kind, data)
        self.renewals += 1

    def __getattr__(self, name):
        return getattr(self.store, name)


@pytest.fixture
def server_store(chroma_server) -> Store:
    """A fresh set of collections on the module's Chroma server."""
    return Store(open_client(chroma_url=chroma_server), name=f"lease_{uuid.uuid4().hex[:8]}")


def _lease(store: Store) -> dict:
    return store.get_run_records("lock")["ingest"]


def _wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _check_until_lost(lock: LeaseLock, deadline: float) -> tuple[float, str]:
    """Call check() as a run would before each write; when and why it first refuses."""
    while True:
        try:
            lock.check()
        except LeaseLost as exc:
            return time.time(), str(exc)
        assert time.time() < deadline, "check() still passed at the deadline"
        time.sleep(0.02)


def _chunks(title: str, text: str):
    pub = Publication(source=f"{title}.txt", title=title, text=text)
    return pub, chunk_publication(pub, lambda s: len(s.split()), budget=40)


def _vectors(chunks) -> list[list[float]]:
    return [[1.0, float(i)] for i in range(len(chunks))]


# --- renewal and check() ----------------------------------------------------------------------


@pytest.mark.slow
def test_renewer_survives_a_transient_error_and_keeps_the_lease(server_store):
    flaky = FlakyLedger(server_store)
    lock = LeaseLock(flaky, **FAST)
    assert lock.try_acquire()
    flaky.failures = 1
    _wait_until(lambda: flaky.failures == 0)
    renewals = flaky.renewals
    time.sleep(2 * FAST["ttl"])  # well past the expiry of any claim made before the error
    assert flaky.renewals > renewals + 3
    lock.check()
    assert _lease(server_store)["owner"] == lock.token
    assert _lease(server_store)["expires"] > time.time() + FAST["margin"]
    assert not LeaseLock(server_store, **FAST).try_acquire()
    lock.release()


@pytest.mark.slow
def test_lease_that_cannot_be_renewed_fails_check_before_it_expires(server_store):
    flaky = FlakyLedger(server_store)
    lock = LeaseLock(flaky, **FAST)
    assert lock.try_acquire()
    flaky.failures = 10**6
    expires = _lease(server_store)["expires"]
    lost_at, message = _check_until_lost(lock, deadline=expires)
    assert expires - FAST["margin"] - 0.1 <= lost_at < expires
    assert "could not renew the ingest lease since " in message
    assert "StoreUnavailable: connection reset by the Chroma server" in message
    assert message.endswith("stopping before the next write")
    time.sleep(expires - time.time() + 0.1)
    other = LeaseLock(server_store, **FAST)
    assert other.try_acquire()  # the lease ran out and another run took it
    with pytest.raises(LeaseLost):
        lock.check()
    other.release()
    lock.release()


@pytest.mark.slow
def test_lease_taken_by_another_run_fails_check_and_is_not_overwritten(server_store):
    lock = LeaseLock(server_store, **FAST)
    assert lock.try_acquire()
    taker = {"owner": "taker", "holder": "pid 7 on elsewhere", "expires": time.time() + 60}
    server_store.put_run_record("ingest", "lock", taker)
    _, message = _check_until_lost(lock, deadline=time.time() + 2 * FAST["renew_every"] + 1)
    assert message == "another run (pid 7 on elsewhere) took the lease"
    time.sleep(2 * FAST["renew_every"])
    assert _lease(server_store) == taker
    lock.release()
    assert _lease(server_store) == taker  # released without removing the taker's record


@pytest.mark.slow
def test_second_lock_cannot_acquire_while_the_first_renews(server_store):
    first, second = LeaseLock(server_store, **FAST), LeaseLock(server_store, **FAST)
    assert first.try_acquire()
    time.sleep(2 * FAST["ttl"])
    assert not second.try_acquire()
    first.check()
    first.release()
    assert second.try_acquire()
    second.release()


def test_check_needs_a_held_lease_and_a_file_lock_always_passes(store, tmp_path):
    with pytest.raises(LeaseLost, match="does not hold"):
        LeaseLock(store, settle=0.01).check()
    lock = FileLock(tmp_path / "ingest.lock")
    assert lock.try_acquire()
    lock.check()
    lock.release()


# --- the sweep --------------------------------------------------------------------------------


@pytest.mark.slow
def test_sweep_keeps_a_live_runs_chunks_and_deletes_untagged_orphans(server_store):
    lock = LeaseLock(server_store, ttl=30.0, settle=0.05)
    assert lock.try_acquire()
    _, live = _chunks("live", "Written by the run that holds the lease.")
    _, untagged = _chunks("untagged", "Left behind by a run killed before tags existed.")
    _, finished = _chunks("finished", "Left behind by a run whose lease is gone.")
    server_store.add_chunks(live, _vectors(live), run=lock.token)
    server_store.add_chunks(untagged, _vectors(untagged))
    server_store.add_chunks(finished, _vectors(finished), run="finished-run")
    assert server_store.get_chunks([live[0].id]) == [live[0]]  # the tag is not part of a Chunk

    assert server_store.sweep() == Swept(chunks=len(untagged) + len(finished), publications=0)
    assert set(server_store.chunk_rows()) == {c.id for c in live}
    lock.release()
    assert server_store.sweep() == Swept(chunks=len(live), publications=0)
    assert server_store.chunk_rows() == {}


def test_sweep_removes_a_publication_committed_with_missing_chunks(store):
    broken, broken_chunks = _chunks("broken", " ".join(f"word{i}" for i in range(90)))
    whole, whole_chunks = _chunks("whole", "A release whose chunks are all there.")
    assert len(broken_chunks) >= 2
    for chunks in (broken_chunks, whole_chunks):
        store.add_chunks(chunks, _vectors(chunks))
    store.commit_publications(
        [(broken, [c.id for c in broken_chunks]), (whole, [c.id for c in whole_chunks])],
        "2024-01-01T00:00:00+00:00",
    )
    store.delete_chunks([broken_chunks[0].id])  # what another run's sweep took

    assert store.sweep() == Swept(chunks=len(broken_chunks) - 1, publications=1)
    assert set(store.get_publications()) == {whole.id}
    assert set(store.chunk_rows()) == {c.id for c in whole_chunks}
    assert store.sweep() == Swept(chunks=0, publications=0)


# --- the ingestion run honours check() ----------------------------------------------------------


@pytest.mark.slow
def test_a_run_whose_lease_was_taken_stops_before_writing_and_says_why(
    server_store, embedder, corpus
):
    from ingest.pipeline import Ingestor
    from tests.support import PAGES

    pages = sorted(PAGES.glob("regina_police_*.html"))[:2]

    lock = LeaseLock(server_store, **FAST)
    assert lock.try_acquire()
    try:
        thief = {"owner": "another-run", "holder": "pid 1 elsewhere", "expires": time.time() + 60}
        server_store.put_run_record("ingest", "lock", thief)
        _wait_until(lambda: _raises(lock.check))

        with pytest.raises(LeaseLost, match="another run"):
            Ingestor(server_store, embedder).run([str(p) for p in pages], lock=lock)
        assert server_store.counts() == (0, 0)  # not one chunk or commit written
        assert server_store.get_sources() == {}
    finally:
        lock.release()
    assert _lease(server_store)["owner"] == "another-run"  # release leaves the thief's lease


def _raises(call) -> bool:
    try:
        call()
    except LeaseLost:
        return True
    return False
