"""One replica, started fresh by bench/scale.py: open the store as `serve` does, measure.

Reads POLICING_QA_CHROMA_URL like any replica, builds the retriever and its in-memory
index (`build_retriever(settings)`, `refresh(force=True)`), then times searches with and
without filters and extractive answers over the questions file, and prints one JSON
object: start-up seconds, RSS after start-up and at the end, latency percentiles.

    python -m bench.scale_replica QUESTIONS --since 2018-01-01 --until 2019-12-31 \\
        --issuer "Winnipeg Police Service"
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import time
from pathlib import Path

STARTED = time.perf_counter()

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# As `policing-qa serve` sets it: a long-lived process must not cache a kernel per shape.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"p50": round(at(0.5), 1), "p95": round(at(0.95), 1), "n": len(ordered)}


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(calls: dict, questions: list[str], warm) -> tuple[dict, dict]:
    """Wall and CPU percentiles (ms) of each named call over the questions, and results.

    `warm(question)` runs untimed first, so every call finds the question's vector
    cached (the embedding is timed on its own). The calls take turns question by
    question, so a busy spell on a shared machine falls on all of them alike.
    """
    wall: dict = {name: [] for name in calls}
    cpu: dict = {name: [] for name in calls}
    results: dict = {name: [] for name in calls}
    for question in questions:
        warm(question)
        for name, call in calls.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            results[name].append(call(question))
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - cpu_started) * 1000)
    stats = {}
    for name in calls:
        stats[name] = percentiles(wall[name])
        stats[name]["cpu_p50"] = percentiles(cpu[name])["p50"]
    return stats, results


def apply_cost(snap) -> float:
    """Milliseconds to apply one ingest batch's segment (128 chunks) to the snapshot, as
    a replica does when a run commits: the batch re-adds chunks the store holds."""
    from index.segment import Segment

    positions = [p for pids in list(snap.by_publication.values())[:64] for p in pids][:128]
    chunks = list(snap.fetch(positions).values())
    segment = Segment.of_chunks(chunks)
    started = time.perf_counter()
    snap.apply(segment)
    return round((time.perf_counter() - started) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, help="one question a line")
    parser.add_argument("--since", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--until", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--k", type=int, default=6)
    args = parser.parse_args()
    questions = [q for q in args.questions.read_text().splitlines() if q.strip()]

    from bot.answer.answerer import Answerer, build_generator
    from index.embed import LocalEmbeddings
    from index.retrieve import build_retriever
    from index.settings import Settings

    settings = Settings()
    imported = time.perf_counter()
    embedder = LocalEmbeddings(settings.embedding_model, settings.embedding_batch_size)
    loaded = time.perf_counter()
    retriever = build_retriever(settings, embedder=embedder)
    opened = time.perf_counter()
    retriever.refresh(force=True)
    ready = time.perf_counter()
    out: dict = {
        "imports_s": round(imported - STARTED, 2),
        "model_s": round(loaded - imported, 2),
        "open_s": round(opened - loaded, 2),
        "index_s": round(ready - opened, 2),
        "start_s": round(ready - STARTED, 2),
        "start_rss_mib": round(rss_mib()),
        "start_peak_mib": round(peak_mib()),
    }
    out["apply_ms"] = apply_cost(retriever.live.get())
    started = time.perf_counter()
    retriever.search(questions[0], k=args.k)
    out["first_search_ms"] = round((time.perf_counter() - started) * 1000, 1)
    for question in questions[1:4]:
        retriever.search(question, k=args.k)  # warm-up

    answerer = Answerer(
        settings, retriever.store, retriever.embedder, retriever, build_generator(settings)
    )
    window = {"since": args.since, "until": args.until}
    calls = {
        # The model alone, uncached: what a new question adds to each figure below.
        "embed": lambda q: retriever.embedder.embed_documents([q]),
        "search_none": lambda q: retriever.search(q, k=args.k),
        "search_window": lambda q: retriever.search(q, k=args.k, **window),
        "search_issuer": lambda q: retriever.search(q, k=args.k, issuer=args.issuer),
        "answer": answerer.ask,
    }
    stats, results = timed(calls, questions, lambda q: retriever.search(q, k=args.k))
    for name in ("search_none", "search_window", "search_issuer"):
        stats[name]["hits"] = round(sum(len(r.hits) for r in results[name]) / len(questions), 2)
    stats["answer"]["refused"] = sum(a.refused for a in results["answer"])
    out.update(stats)
    out["end_rss_mib"] = round(rss_mib())
    out["load_average"] = round(os.getloadavg()[0], 1)
    out["peak_mib"] = round(peak_mib())
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
