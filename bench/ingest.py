"""Ingestion benchmark over the full shared corpus.

Prints pages/s, publications, chunks, chunks/s and peak RSS for a first run into a fresh
store; the throughput of embedding the same chunk texts alone (so the ratio shows the
pipeline's overhead); the time of an unchanged re-run, in process and as the whole
`policing-qa ingest` command (a cold process: imports, store, no model); and of a re-run
after 10 pages change, with the number of chunks re-embedded.

    python bench/ingest.py [--corpus ../shared/corpus] [--workdir /tmp/bench-ingest]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Run as a script, sys.path[0] is bench/, whose http.py would shadow the standard library.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from index.embed import LocalEmbeddings  # noqa: E402
from index.settings import Settings  # noqa: E402
from index.store import open_store  # noqa: E402
from ingest.chunk import embedding_text  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    repo = Path(__file__).resolve().parents[1]
    parser.add_argument("--corpus", type=Path, default=repo.parent / "shared" / "corpus")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    if work.exists():
        shutil.rmtree(work)
    pages = work / "winnipeg-police" / "pages"
    shutil.copytree(args.corpus / "winnipeg-police" / "pages", pages)
    shutil.copy(args.corpus / "winnipeg-police" / "index.csv", pages.parent / "index.csv")
    shutil.copytree(args.corpus / "london", work / "london")
    n_pages = sum(1 for p in pages.iterdir() if p.suffix == ".html") + 1

    settings = Settings(store=work / "store")
    embedder = LocalEmbeddings(settings.embedding_model, settings.embedding_batch_size)
    ingestor = Ingestor(open_store(settings), embedder, chunk_tokens=settings.chunk_tokens)
    sources = [str(pages), str(work / "london")]

    first = ingestor.run(sources)
    print(
        f"first run: {n_pages} pages in {first.seconds:.1f}s "
        f"= {n_pages / first.seconds:.1f} pages/s"
    )
    print(
        f"  publications {first.publications}, chunks {first.chunks}, "
        f"{first.chunks / first.seconds:.1f} chunks/s, failed {len(first.failed)}"
    )
    for failure in first.failed:
        print(f"    failed: {Path(failure['source']).name}: {failure['error']}")

    texts = [embedding_text(c) for c in ingestor.store.all_chunks()]
    started = time.perf_counter()
    embedder.embed_documents(texts)
    embed_seconds = time.perf_counter() - started
    embed_rate = len(texts) / embed_seconds
    pipeline_rate = first.chunks / first.seconds
    print(
        f"embedding only: {len(texts)} chunks in {embed_seconds:.1f}s = {embed_rate:.1f} chunks/s"
    )
    print(
        f"  pipeline / embedding-only throughput: {pipeline_rate / embed_rate:.0%} (target >= 80%)"
    )

    unchanged = ingestor.run(sources)
    print(
        f"unchanged re-run: {unchanged.seconds:.2f}s = {unchanged.seconds / first.seconds:.1%} "
        f"of the first run (target <= 5%), {unchanged.embedded_chunks} chunks embedded"
    )

    command = [sys.executable, "-m", "bot", "ingest", *sources, "--store", str(work / "store")]
    walls = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(command, cwd=repo, capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
    print(
        f"unchanged re-run, the whole `policing-qa ingest` command: best {min(walls):.2f}s, "
        f"worst {max(walls):.2f}s wall of 3 (target <= 2 s)"
    )

    changed = sorted(p for p in pages.glob("20*.html") if p.stat().st_size > 0)[::140][:10]
    for page in changed:
        html = page.read_text(encoding="utf-8", errors="surrogateescape")
        marker = "</h3>" if "</h3>" in html else "</h2>"
        html = html.replace(marker, f"{marker}<p>Correction issued for this release.</p>", 1)
        page.write_text(html, encoding="utf-8", errors="surrogateescape")
    rerun = ingestor.run(sources)
    print(
        f"re-run after {len(changed)} pages changed: {rerun.seconds:.2f}s, "
        f"{rerun.updated} publications updated, {rerun.embedded_chunks} chunks re-embedded"
    )
    print(f"peak RSS: {peak_rss_mib():.0f} MiB (target <= 2048 MiB)")


if __name__ == "__main__":
    main()
