"""One ingestion run at a time: a file lock beside an embedded store, a lease on a server.

Embedded Chroma: `fcntl.flock` on `<store>/ingest.lock`. The kernel drops the lock when
the process dies, so a killed run never blocks the next one.

Chroma server: the writers may run on different machines, so the lock is a record in the
store's ledger with an owner and an expiry, renewed while the run lasts; a crashed
holder's lease runs out after `ttl`. Chroma has no compare-and-set, so a taker writes
its claim, waits `settle` seconds and reads it back; of two racing takers only the last
writer sees its own claim. That is sound as long as no taker takes longer than `settle`
between reading and writing the record, which holds for runs started minutes apart by
schedulers, the case this guards against.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from index.errors import PolicingQAError
from ingest.status import now_iso

_LEASE_KEY = "ingest"


class LockBusy(PolicingQAError):
    """Another ingestion run holds the store's lock."""


def _holder() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()} since {now_iso()}"


class FileLock:
    """An exclusive `flock` on a file; the file's text says who holds it."""

    def __init__(self, path: Path):
        self.path = Path(path)
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

    def __init__(self, store, ttl: float = 900.0, settle: float = 1.0):
        self.store = store
        self.ttl = ttl
        self.settle = settle
        self.token = uuid.uuid4().hex
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def _current(self) -> dict | None:
        return self.store.get_run_records("lock").get(_LEASE_KEY)

    def _claim(self, holder: str) -> None:
        self.store.put_run_record(_LEASE_KEY, "lock", {
            "owner": self.token, "holder": holder, "expires": time.time() + self.ttl,
        })  # fmt: skip

    def try_acquire(self) -> bool:
        current = self._current()
        if current and current["owner"] != self.token and current["expires"] > time.time():
            return False
        holder = _holder()
        self._claim(holder)
        time.sleep(self.settle)
        current = self._current()
        if not current or current["owner"] != self.token:
            return False
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, args=(holder,), daemon=True)
        self._renewer.start()
        return True

    def _renew(self, holder: str) -> None:
        while not self._stop.wait(self.ttl / 3):
            self._claim(holder)

    def holder(self) -> str:
        current = self._current()
        return current["holder"] if current else "another process"

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
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
