"""Scale benchmark: a synthetic store of up to a million chunks on a real Chroma server.

The releases of a store built from the shared corpus (`--source`, default the
configured store) are re-issued copy after copy (bench/scale_data.py: shifted dates,
renumbered cases, swapped streets, the real vectors plus a little noise) into a
`chroma run` that this script starts on 127.0.0.1 over `--data-dir`. At each size it
prints the load rate, the server's RSS, and what a fresh replica costs: a subprocess
that opens the store as `policing-qa serve` does (bench/scale_replica.py), with its
start-up time and RSS, search p50/p95 unfiltered, with a date window and with an
issuer, and extractive answer p50/p95. Sizes already loaded in `--data-dir` are
reused, and a larger size is loaded on top of a smaller one.

    python bench/scale.py [--sizes 10000,100000,1000000] [--data-dir /tmp/policing-qa-scale]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Run as a script, sys.path[0] is bench/, whose http.py would shadow the standard library.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.scale_data import read_source  # noqa: E402
from bench.scale_load import Progress, load_until, start_server  # noqa: E402
from index.client import open_client  # noqa: E402
from index.settings import Settings  # noqa: E402
from index.store import Store  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
GOLD = [REPO / "bench" / "gold.jsonl", REPO / "bench" / "gold_blind.jsonl"]


def questions(n: int) -> list[str]:
    """The first `n` gold questions (the dev set, then the blind set)."""
    out: list[str] = []
    for path in GOLD:
        for line in path.read_text().splitlines():
            if line.strip():
                out.append(json.loads(line)["question"].replace("\n", " "))
    return list(dict.fromkeys(out))[:n]


def run_replica(url: str, questions_file: Path, filters: dict, k: int) -> dict:
    """Start a fresh replica process, wait for its one JSON line; add its wall time."""
    env = {**os.environ, "POLICING_QA_CHROMA_URL": url}
    cmd = [sys.executable, "-m", "bench.scale_replica", str(questions_file), "--k", str(k)]
    for key, value in filters.items():
        cmd += [f"--{key}", str(value)]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"replica failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = round(time.perf_counter() - started, 1)
    return result


def print_size(size: int, chunks: int, load: str, server: tuple, replica: dict) -> None:
    def lat(key: str) -> str:
        part = replica[key]
        cpu = f", CPU p50 {part['cpu_p50']:.0f} ms" if "cpu_p50" in part else ""
        return f"p50 {part['p50']:.0f} ms, p95 {part['p95']:.0f} ms{cpu}"

    lines = [
        f"== {size:,} chunks (stored: {chunks:,}) ==",
        f"load rate: {load}",
        f"chroma server RSS: {server[0]:,.0f} MiB after load, {server[1]:,.0f} MiB after the "
        f"replica's queries (peak {server[2]:,.0f} MiB)",
        f"replica start: {replica['start_s']:.1f} s (imports {replica['imports_s']:.1f} s, model "
        f"{replica['model_s']:.1f} s, open store {replica['open_s']:.1f} s, refresh(force=True) "
        f"{replica['index_s']:.1f} s), RSS "
        f"{replica['start_rss_mib']:,} MiB after start, peak {replica['peak_mib']:,} MiB; "
        f"first search {replica['first_search_ms']:.0f} ms; applying one 128-chunk ingest "
        f"batch: {replica.get('apply_ms', float('nan')):.0f} ms",
        f"query embedding:     {lat('embed')} (searches below reuse the cached vector)"
        if "embed" in replica
        else "query embedding: in the unfiltered search's figure",
        f"search, no filter:   {lat('search_none')} "
        f"({replica['search_none']['n']} questions, {replica['search_none']['hits']} hits avg)",
        f"search, date window: {lat('search_window')} "
        f"({replica['search_window']['hits']} hits avg)",
        f"search, issuer:      {lat('search_issuer')} "
        f"({replica['search_issuer']['hits']} hits avg)",
        f"answer (extractive): {lat('answer')} ({replica['answer']['refused']} refused); "
        f"load average {replica['load_average']} on {os.cpu_count()} cores",
    ]
    print("\n".join(lines), flush=True)


TABLE_HEAD = (
    "| chunks | load (chunks/s) | Chroma server RSS (MiB) | replica start (s) "
    "| replica RSS start / peak (MiB) | query embedding p50 / p95 (ms) "
    "| search p50 / p95 (ms): none | date window | issuer "
    "| answer p50 / p95 (ms) | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|"
)


def table(data: Path) -> str:
    """The stored results of `data` as the Markdown table of docs/scaling.md."""
    rows = [TABLE_HEAD]
    results = [json.loads(p.read_text()) for p in data.glob("result-*.json")]
    for r in sorted(results, key=lambda r: r["size"]):
        rep = r["replica"]
        rate = r["load"].split(" chunks/s")[0] if "chunks/s" in r["load"] else "reused"

        def lat(key: str, rep=rep) -> str:
            return f"{rep[key]['p50']:.0f} / {rep[key]['p95']:.0f}"

        rows.append(
            f"| {r['size']:,} | {rate} | {r['server_mib'][0]:,.0f} → {r['server_mib'][1]:,.0f} "
            f"| {rep['start_s']:.1f} (index {rep['index_s']:.1f}) "
            f"| {rep['start_rss_mib']:,} / {rep['peak_mib']:,} "
            f"| {lat('embed') if 'embed' in rep else 'in search'} | {lat('search_none')} "
            f"| {lat('search_window')} | {lat('search_issuer')} | {lat('answer')} "
            f"| {rep['load_average']} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/policing-qa-scale"))
    parser.add_argument("--source", type=Path, help="embedded store to copy (default: configured)")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--since", default="2018-01-01", help="date window start")
    parser.add_argument("--until", default="2019-12-31", help="date window end")
    parser.add_argument("--issuer", help="issuer filter (default: the commonest in the source)")
    parser.add_argument("--k", type=int, default=6)
    parser.add_argument("--table", action="store_true", help="print stored results and stop")
    args = parser.parse_args()
    if args.table:
        print(table(args.data_dir))
        return
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))

    data = args.data_dir
    data.mkdir(parents=True, exist_ok=True)
    source_path = args.source or Settings().store
    source_store = Store(open_client(source_path), Settings().collection)
    source = read_source(source_store)
    issuers = Counter(c.issuer for r in source.releases for c in r.chunks if c.issuer)
    issuer = args.issuer or issuers.most_common(1)[0][0]
    print(
        f"source {source_path}: {len(source.releases):,} releases, {source.chunk_count:,} "
        f"chunks; issuers {dict(issuers.most_common())}",
        flush=True,
    )
    questions_file = data / "questions.txt"
    questions_file.write_text("\n".join(questions(args.questions)) + "\n")
    filters = {"since": args.since, "until": args.until, "issuer": issuer}

    server = start_server(data / "chroma", data / "chroma.log")
    try:
        store = Store(open_client(chroma_url=server.url))
        state = data / "state.json"
        for size in sizes:
            added, seconds = load_until(store, source, size, state, _progress(size))
            progress = Progress.read(state)
            if progress.chunks > size * 1.01:  # more than the last release overshoots
                print(f"--data-dir already holds {progress.chunks:,} chunks: measuring those")
            if added:
                load = f"{added / seconds:,.0f} chunks/s ({added:,} chunks in {seconds:,.0f} s)"
            else:
                load = "reused the stored chunks"
            rate = progress.chunks / max(progress.seconds, 1e-9)
            load += f"; all {progress.chunks:,} loaded at {rate:,.0f}/s"
            after_load = server.rss_mib()[0]
            replica = run_replica(server.url, questions_file, filters, args.k)
            rss, peak = server.rss_mib()
            print_size(size, store.chunks.count(), load, (after_load, rss, peak), replica)
            (data / f"result-{size}.json").write_text(
                json.dumps({"size": size, "load": load, "server_mib": [after_load, rss, peak],
                            "replica": replica, "when": dt.datetime.now().isoformat()})
            )  # fmt: skip
    finally:
        server.stop()


def _progress(target: int):
    """A progress line on stderr every tenth of the way."""
    step = max(target // 10, 1)
    last = [0]

    def report(done: int) -> None:
        if done // step > last[0] // step or done >= target:
            print(f"  loaded {done:,} / {target:,} chunks", file=sys.stderr, flush=True)
        last[0] = done

    return report


if __name__ == "__main__":
    main()
