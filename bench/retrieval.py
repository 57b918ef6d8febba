"""Retrieval benchmark over the full shared corpus: latency and gold-set hit rates.

Ingests the corpus into `--store` unless that store already holds publications, then
prints the in-memory index build time, the store-change check, and p50/p95/max latency
of `Retriever.search` (query embedding included) over the gold questions and a few
fixed ones. With `bench/gold.jsonl` present it also prints how often a source page is
among the hits (recall@k, and at rank 1) and, for "latest" questions, how often the
newest release of the case comes first.

    python bench/retrieval.py [--store /tmp/bench-retrieval] [--repeat 3] [--k 6]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Run as a script, sys.path[0] is bench/, whose http.py would shadow the standard library.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from index.embed import LocalEmbeddings  # noqa: E402
from index.retrieve import Retriever  # noqa: E402
from index.settings import Settings  # noqa: E402
from index.snapshot import store_signature  # noqa: E402
from index.store import open_store  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXTRA = [
    "what was the suspect in C17-49764 finally charged with?",
    "how much did Tip a Cop raise in 2017?",
    "what did the Mayor say about knife crime under 25s?",
    "is the missing woman from Transcona still missing?",
    "stabbing on Portage Avenue last year",
    "R17-20087",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--store", type=Path, default=Path("/tmp/bench-retrieval"))
    parser.add_argument("--gold", type=Path, default=REPO / "bench" / "gold.jsonl")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--k", type=int, default=6)
    args = parser.parse_args()

    settings = Settings(store=args.store)
    store = open_store(settings)
    embedder = LocalEmbeddings(settings.embedding_model, settings.embedding_batch_size)
    if store.counts()[0] == 0:
        sources = [str(args.corpus / "winnipeg-police" / "pages"), str(args.corpus / "london")]
        report = Ingestor(store, embedder, chunk_tokens=settings.chunk_tokens).run(sources)
        print(
            f"ingested {report.publications} publications, {report.chunks} chunks "
            f"in {report.seconds:.0f}s ({len(report.failed)} sources failed)"
        )
    publications, chunks = store.counts()
    print(f"store {args.store}: {publications} publications, {chunks} chunks")

    retriever = Retriever(store, embedder)
    started = time.perf_counter()
    retriever.refresh(force=True)
    print(f"in-memory index build: {time.perf_counter() - started:.2f}s")
    started = time.perf_counter()
    for _ in range(5):
        store_signature(store)
    print(
        f"store-change check: {(time.perf_counter() - started) / 5 * 1000:.1f} ms "
        f"(in a background thread every {retriever.live.interval:.0f}s)"
    )

    gold = [json.loads(line) for line in args.gold.read_text().splitlines() if line.strip()]
    questions = [g["question"] for g in gold] + EXTRA
    for q in questions[:5]:
        retriever.search(q, k=args.k)  # warm-up
    embed_ms, search_ms, cpu_ms = [], [], []
    for _ in range(args.repeat):
        for q in questions:
            started = time.perf_counter()
            embedder.embed_query(q)
            embed_ms.append((time.perf_counter() - started) * 1000)
            started, cpu = time.perf_counter(), time.process_time()
            retriever.search(q, k=args.k)
            search_ms.append((time.perf_counter() - started) * 1000)
            cpu_ms.append((time.process_time() - cpu) * 1000)
    print(
        f"search latency over {len(search_ms)} queries: p50 {percentile(search_ms, 0.5):.1f} ms, "
        f"p95 {percentile(search_ms, 0.95):.1f} ms, max {max(search_ms):.1f} ms"
    )
    print(f"  of which query embedding alone: p50 {percentile(embed_ms, 0.5):.1f} ms")
    # On a busy machine wall time measures the neighbours; CPU time measures the search.
    print(
        f"  CPU time per search (all threads): p50 {percentile(cpu_ms, 0.5):.1f} ms, "
        f"p95 {percentile(cpu_ms, 0.95):.1f} ms; load average {os.getloadavg()[0]:.1f}"
    )

    # The same searches with query vectors cached: what retrieval adds to the model.
    cached = Retriever(store, _Cached(embedder))
    for q in questions:
        cached.search(q, k=args.k)
    rest_ms = []
    for _ in range(args.repeat):
        for q in questions:
            started = time.perf_counter()
            cached.search(q, k=args.k)
            rest_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"  search without the embedding (vectors cached): p50 {percentile(rest_ms, 0.5):.1f} ms,"
        f" p95 {percentile(rest_ms, 0.95):.1f} ms"
    )

    report_gold(retriever, gold, args.k)


class _Cached:
    """An embedder that remembers query vectors."""

    def __init__(self, embedder):
        self.embedder = embedder
        self.vectors: dict[str, list[float]] = {}

    def embed_query(self, text: str) -> list[float]:
        if text not in self.vectors:
            self.vectors[text] = self.embedder.embed_query(text)
        return self.vectors[text]


def report_gold(retriever: Retriever, gold: list[dict], k: int) -> None:
    """Print how often the gold sources are found, and the newest release first."""
    found = first = latest_first = latest_found = answerable = latest = 0
    misses = []
    for item in gold:
        if item["kind"] == "unanswerable":
            continue
        answerable += 1
        hits = retriever.search(item["question"], k=k).hits
        names = [Path(h.chunk.source).name for h in hits]
        found += any(n in item["sources"] for n in names)
        first += bool(names) and names[0] in item["sources"]
        if not any(n in item["sources"] for n in names):
            misses.append(item["id"])
        if item["kind"] == "latest":
            latest += 1
            latest_found += item["latest_source"] in names
            latest_first += bool(names) and names[0] == item["latest_source"]
    print(
        f"gold ({answerable} answerable): a source in top {k} {found}/{answerable}, "
        f"at rank 1 {first}/{answerable}; misses: {', '.join(misses) or 'none'}"
    )
    print(
        f"  'latest' questions: newest release in top {k} {latest_found}/{latest}, "
        f"first {latest_first}/{latest}"
    )


if __name__ == "__main__":
    main()
