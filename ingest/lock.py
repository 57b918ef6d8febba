"""One ingestion run at a time: a file lock beside an embedded store, a lease on a server.

Embedded Chroma: `fcntl.flock` on `<store>/ingest.lock`. The kernel drops the lock when
the process dies, so a killed run never blocks the next one.

Chroma server: the writers may run on different machines, so the lock is a record in the
store's ledger (run record key "ingest", kind "lock": owner token, holder, expires) with
an expiry `ttl` seconds after each renewal. A background thread renews it every
`renew_every` seconds; a failed renewal is retried every `retry_every` seconds until the
lease would have expired. Each renewal first reads the record: if another owner's token
is there, the lease is lost and is never written over. A crashed holder's lease runs
out after `ttl`. Chroma has no compare-and-set, so a taker writes its claim, waits
`settle` seconds and reads it back; of two racing takers only the last writer sees its
own claim. That is sound as long as no taker takes longer than `settle` between reading
and writing the record, which holds for runs started minutes apart by schedulers, the
case this guards against.

A holder must not write once its lease may have run out: another run could then hold
it and sweep chunks this one has not committed yet. So the run calls `check()` before
each write; it raises `LeaseLost` once the lease was taken, or once less than `margin`
seconds of validity remain since the last successful renewal, measured on this
machine's clock. A write that starts after a passing `check()` therefore ends inside
the lease as long as it takes less than `margin` (and the clocks of the machines agree
to within it). Each run's chunks carry its `token` (see `Store.add_chunks`), and
`Store.sweep` keeps chunks whose token owns an unexpired lease.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from index.errors import PolicingQAError
from ingest.status import now_iso

log = logging.getLogger(__name__)

_LEASE_KEY = "ingest"


class LockBusy(PolicingQAError):
    """Another ingestion run holds the store's lock."""


class LeaseLost(PolicingQAError):
    """This run's lease on the store was taken or is about to run out: stop writing."""


def _holder() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()} since {now_iso()}"


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")


class FileLock:
    """An exclusive `flock` on a file; the file's text says who holds it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.token = uuid.uuid4().hex
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, _holder().encode())
        self._fd = fd
        return True

    def check(self) -> None:
        """Nothing to check: the kernel holds a file lock for as long as the process lives."""

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "another process"
        except OSError:
            return "another process"

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class LeaseLock:
    """A lock record with an expiry in the store's ledger, renewed in the background."""

    def __init__(
        self,
        store,
        ttl: float = 900.0,
        settle: float = 1.0,
        *,
        renew_every: float | None = None,
        retry_every: float | None = None,
        margin: float | None = None,
    ):
        self.store = store
        self.ttl = ttl
        self.settle = settle
        self.margin = ttl / 3 if margin is None else margin
        self.renew_every = ttl / 4 if renew_every is None else renew_every
        self.retry_every = min(5.0, self.renew_every) if retry_every is None else retry_every
        if self.renew_every >= ttl - self.margin:
            raise ValueError("renew_every must be shorter than ttl - margin")
        self.token = uuid.uuid4().hex
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        # Written by the renewer, read by check(); each is one atomic assignment.
        self._renewed_at: float | None = None  # when the last claim that held was written
        self._error: str | None = None  # why the renewals since then failed
        self._lost: str | None = None  # why the lease is gone for good

    def _current(self) -> dict | None:
        return self.store.get_run_records("lock").get(_LEASE_KEY)

    def _claim(self, holder: str) -> float:
        """Write this run's claim; return the time its validity is counted from."""
        now = time.time()
        self.store.put_run_record(_LEASE_KEY, "lock", {
            "owner": self.token, "holder": holder, "expires": now + self.ttl,
        })  # fmt: skip
        return now

    def try_acquire(self) -> bool:
        current = self._current()
        if current and current["owner"] != self.token and current["expires"] > time.time():
            return False
        holder = _holder()
        claimed_at = self._claim(holder)
        time.sleep(self.settle)
        current = self._current()
        if not current or current["owner"] != self.token:
            return False
        self._renewed_at, self._error, self._lost = claimed_at, None, None
        self._stop.clear()
        self._renewer = threading.Thread(
            target=self._renew, args=(holder,), name="policing-qa-lease", daemon=True
        )
        self._renewer.start()
        return True

    def check(self) -> None:
        """Raise LeaseLost unless the lease is ours with at least `margin` seconds left.

        No store access: it reads what the renewer last saw, so it is cheap before every
        write and still fires when the renewer is stuck in a call that never returns.
        """
        if self._lost:
            raise LeaseLost(self._lost)
        if self._renewed_at is None:
            raise LeaseLost("this run does not hold the ingest lease")
        if self._left() < self.margin:
            raise LeaseLost(self._stale())

    def _left(self) -> float:
        return self._renewed_at + self.ttl - time.time()

    def _stale(self) -> str:
        return (
            f"could not renew the ingest lease since {_iso(self._renewed_at)}: "
            f"{self._error or 'the store did not answer'}; stopping before the next write"
        )

    def _renew(self, holder: str) -> None:
        """Renew until released or lost; retry failures while `margin` of the lease is left."""
        wait = self.renew_every
        while not self._stop.wait(wait):
            try:
                self._renew_once(holder)
                wait = self.renew_every
            except Exception as exc:  # a store hiccup must not end the renewals
                self._error = f"{type(exc).__name__}: {exc}"
                log.warning("could not renew the ingest lease, will retry: %s", self._error)
                wait = self.retry_every
            if not self._lost and self._left() < self.margin:
                self._lost = self._stale()
            if self._lost:
                log.error("ingest lease lost: %s", self._lost)
                return

    def _renew_once(self, holder: str) -> None:
        """Extend the lease, unless the record shows it is no longer this run's."""
        current = self._current()
        if current is None:
            self._lost = "the ingest lease record was removed; another run may have held it"
        elif current.get("owner") != self.token:
            self._lost = f"another run ({current.get('holder', 'unknown')}) took the lease"
        else:
            self._renewed_at = self._claim(holder)
            self._error = None

    def holder(self) -> str:
        current = self._current()
        return current["holder"] if current else "another process"

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        self._renewed_at = None
        current = self._current()
        if current and current["owner"] == self.token:
            self.store.delete_run_record(_LEASE_KEY, "lock")


def lock_for(settings, store):
    """The lock that fits where the store lives."""
    if settings.chroma_url:
        return LeaseLock(store)
    return FileLock(Path(settings.store) / "ingest.lock")


@contextmanager
def holding(lock, *, wait: bool = False, stop: threading.Event | None = None, poll: float = 1.0):
    """Hold `lock` for the block; busy means LockBusy, or with `wait`, waiting until free."""
    stop = stop or threading.Event()
    while not lock.try_acquire():
        if not wait or stop.is_set():
            raise LockBusy(
                f"another ingestion run holds the lock ({lock.holder()}); "
                "try again later, or pass --wait to wait for it"
            )
        stop.wait(poll)
    try:
        yield lock
    finally:
        lock.release()
