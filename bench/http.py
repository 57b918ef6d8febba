"""HTTP load benchmark: concurrent clients against `policing-qa serve` on 127.0.0.1.

Starts the server as a subprocess over a store (built from the shared corpus first when
the directory is absent or empty), with the extractive backend, then runs each client
count for a fixed time with varied questions (the gold set and release headlines, so
no two clients keep asking the same thing). Prints requests/s, p50/p95/p99 latency,
errors, and the server's RSS at start and end.

    python bench/http.py --store /tmp/bench-http-store [--clients 1,4,16] [--seconds 20]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

# This file is named http.py: drop its folder from the path so `http` is the stdlib's.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import httpx  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def questions(corpus: Path) -> list[str]:
    """Real questions: the gold set plus one question per release headline."""
    out = [
        json.loads(line)["question"]
        for name in ("gold.jsonl", "gold_blind.jsonl")
        for line in (REPO / "bench" / name).open()
    ]
    with (corpus / "winnipeg-police" / "index.csv").open(newline="") as fh:
        for row in csv.reader(fh, delimiter="|"):
            out.extend(f"What happened in the {h.strip()} release of {row[1]}?" for h in row[2:])
    return out


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_store(store: Path, corpus: Path) -> None:
    if store.is_dir() and any(store.iterdir()):
        return
    print(f"building the store at {store} from {corpus} ...", file=sys.stderr)
    cmd = [sys.executable, "-m", "bot", "ingest", str(corpus), "--store", str(store), "--json"]
    done = subprocess.run(cmd, cwd=REPO, env=server_env(), capture_output=True, text=True)
    if done.returncode not in (0, 3):  # 3: some pages failed (empty files), the rest stored
        sys.exit(f"ingestion failed ({done.returncode}): {done.stderr[-2000:]}")
    print(done.stdout.strip(), file=sys.stderr)


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICING_QA_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        POLICING_QA_GENERATOR="extractive",
        POLICING_QA_RATE_LIMIT="0",  # all load comes from one address on purpose
    )
    return env


def start_server(store: Path, port: int, extra: list[str], log) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "bot", "serve", "--store", str(store), "--port", str(port)]
    cmd += extra
    proc = subprocess.Popen(cmd, cwd=REPO, env=server_env(), stdout=log, stderr=log)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}; see {log.name}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.terminate()
    sys.exit("server not ready within 300 s")


def run_phase(base: str, clients: int, seconds: float, pool: list[str], seed: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        with httpx.Client(base_url=base, timeout=120) as http:
            while time.monotonic() < deadline:
                body = {"question": rng.choice(pool)}
                started = time.perf_counter()
                try:
                    resp = http.post("/ask", json=body)
                    problem = None if resp.status_code == 200 else f"{resp.status_code} {resp.text}"
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took) if problem is None else errors.append(problem)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "rps": len(latencies) / wall,
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
        "first_error": errors[0][:300] if errors else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/policing-qa-bench-store"))
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--clients", default="1,4,16", help="Comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=20.0, help="Duration of each phase")
    parser.add_argument("--warmup", type=int, default=10, help="Requests before measuring")
    parser.add_argument("--concurrency", type=int, help="Server --concurrency")
    parser.add_argument("--torch-threads", type=int, help="Server --torch-threads")
    parser.add_argument("--json", action="store_true", help="Print one JSON summary")
    args = parser.parse_args()

    ensure_store(args.store, args.corpus)
    pool = questions(args.corpus)
    port = free_port()
    log_path = Path(f"/tmp/bench-http-server-{port}.log")
    with log_path.open("w") as log:
        extra = [
            f"--{name}={value}"
            for name, value in (
                ("concurrency", args.concurrency),
                ("torch-threads", args.torch_threads),
            )
            if value
        ]
        proc = start_server(args.store, port, extra, log)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=120) as http:
                # The first question after start-up pays for whatever is built lazily.
                started = time.perf_counter()
                http.post("/ask", json={"question": pool[0]}).raise_for_status()
                first_ms = (time.perf_counter() - started) * 1000
                for q in random.Random(0).sample(pool, args.warmup):
                    http.post("/ask", json={"question": q}).raise_for_status()
            rss_start = rss_mib(proc.pid)
            phases = []
            for seed, n in enumerate(args.clients.split(","), 1):
                phases.append(run_phase(base, int(n), args.seconds, pool, seed))
                phases[-1]["rss_mib"] = rss_mib(proc.pid)  # a leak grows; a cache levels off
            rss_end = rss_mib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    report = {
        "first_answer_ms": first_ms,
        "phases": phases,
        "rss_start_mib": rss_start,
        "rss_end_mib": rss_end,
        "rss_growth": rss_end / rss_start - 1,
        "questions": len(pool),
        "server_log": str(log_path),
    }
    base_rps = phases[0]["rps"] or 1.0
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"first answer after start-up: {first_ms:.0f} ms")
    print(
        f"{'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>7} {'x1':>5} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'RSS MiB':>8}"
    )
    for p in phases:
        print(
            f"{p['clients']:>7} {p['requests']:>8} {p['errors']:>6} {p['rps']:>7.2f} "
            f"{p['rps'] / base_rps:>5.2f} {p['p50_ms']:>8.0f} {p['p95_ms']:>8.0f} "
            f"{p['p99_ms']:>8.0f} {p['rss_mib']:>8.0f}"
        )
        if p["first_error"]:
            print(f"        first error: {p['first_error']}")
    print(
        f"server RSS: {rss_start:.0f} MiB after warm-up, {rss_end:.0f} MiB at the end "
        f"({report['rss_growth']:+.1%}); server log {log_path}"
    )


if __name__ == "__main__":
    main()
