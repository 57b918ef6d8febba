"""The Chroma server bench/scale.py measures, and loading synthetic releases into it.

Writes go through `index.store.Store` in the ingest writer's order (chunks, then the
publications' commit records in one write), a batch at a time, so readers see exactly
what an ingest run leaves. Progress is kept in `state.json` beside the server's data, so
a larger size is loaded on top of the smaller one already there; writes are upserts of
deterministic ids, so a load killed mid-batch is simply redone from its last record.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.scale_data import Copy, Source

BATCH_CHUNKS = 4000  # under the server's max batch (5,461 on chromadb 1.5.9)


def _after_commit(store, chunks) -> None:
    """Record the batch in the persisted lexical index, as the ingest writer does."""
    store.lexicon.append(chunks)


@dataclass
class Server:
    """A `chroma run` on 127.0.0.1 over `path`."""

    proc: subprocess.Popen
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mib(self) -> tuple[float, float]:
        """(current RSS, peak RSS) of the server process and its children, MiB."""
        return process_tree_rss(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(path: Path, log: Path) -> Server:
    """Start `chroma run --path PATH` on a free loopback port; wait until it listens."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        chroma = Path(shutil.which("chroma") or "chroma")
    port = _free_port()
    path.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"chroma run exited with {proc.returncode}; see {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return Server(proc, port)
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"chroma run did not listen within 120 s; see {log}")


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree_rss(pid: int) -> tuple[float, float]:
    """(RSS, peak RSS) in MiB of `pid` and its descendants (Linux /proc)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        children = Path(f"/proc/{current}/task/{current}/children")
        if children.exists():
            todo.extend(int(c) for c in children.read_text().split())
    rss = sum(_status_kib(p, "VmRSS") for p in pids)
    peak = sum(_status_kib(p, "VmHWM") for p in pids)
    return rss / 1024, peak / 1024


@dataclass
class Progress:
    """Where loading stopped: the copy, the next release in it, the chunks stored."""

    copy: int = 0
    release: int = 0
    chunks: int = 0
    seconds: float = 0.0

    @classmethod
    def read(cls, path: Path) -> Progress:
        return cls(**json.loads(path.read_text())) if path.exists() else cls()

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.__dict__))
        tmp.replace(path)


@dataclass
class Batch:
    """One write: a copy's next releases, and where loading stands once it is stored."""

    chunks: list
    vectors: list  # one list of floats a chunk
    items: list  # (Publication, chunk ids) to commit
    after: Progress


def _batches(source: Source, start: Progress, target: int) -> Iterator[Batch]:
    """Batches of up to BATCH_CHUNKS chunks, whole releases each, until `target`."""
    copy_k, index, stored = start.copy, start.release, start.chunks
    releases = source.releases
    while stored < target:
        copy = Copy(copy_k)
        chunks, vectors, items = [], [], []
        while index < len(releases) and stored + len(chunks) < target:
            release = releases[index]
            pub = copy.publication(release.publication)
            rewritten = copy.chunks(pub, release.chunks)
            if chunks and len(chunks) + len(rewritten) > BATCH_CHUNKS:
                break
            chunks.extend(rewritten)
            vectors.extend(source.vectors[c.id] for c in release.chunks)
            items.append((pub, [c.id for c in rewritten]))
            index += 1
        stored += len(chunks)
        if index >= len(releases):
            copy_k, index = copy_k + 1, 0
        after = Progress(copy_k, index, stored)
        yield Batch(chunks, copy.vectors(vectors).tolist() if vectors else [], items, after)


def load_until(store, source: Source, target: int, state: Path, report) -> tuple[int, float]:
    """Add synthetic releases until the store holds about `target` chunks.

    Stops at the first whole release that reaches `target`; returns (chunks added,
    seconds spent adding them). The next batch is prepared in a thread while the
    server stores the current one. `report(done)` is called after each batch.
    """
    progress = Progress.read(state)
    if store.lexicon.head() is None:  # as an ingest run does for a store without one
        from index.snapshot import committed_chunks

        store.lexicon.rebuild(committed_chunks(store))
    added, started, before = 0, time.perf_counter(), progress.seconds
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    batches = _batches(source, progress, target)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, batches, None)
        while (batch := pending.result()) is not None:
            pending = pool.submit(next, batches, None)
            if batch.chunks:
                store.add_chunks(batch.chunks, batch.vectors)
                store.commit_publications(batch.items, now)
                _after_commit(store, batch.chunks)
            added += len(batch.chunks)
            batch.after.seconds = before + time.perf_counter() - started
            batch.after.write(state)
            report(batch.after.chunks)
    return added, time.perf_counter() - started
