"""The fast runtime's model: the cached export, loaded and checked against its probe.

A copy that cannot be read, or no longer gives the probe's vector it gave when it was
checked against torch, is discarded and exported again, once.
"""

from __future__ import annotations

from pathlib import Path

from index import model_cache
from index.model_dir import ModelDir

# 1 - cosine between the probe's vector now and when the export was checked; above it the
# cached copy is damaged. Runs on one machine agree to about 1e-7.
PROBE_TOLERANCE = 1e-4


class OnnxUnavailable(Exception):
    """Why ONNX Runtime cannot serve this model here (the caller may fall back to torch)."""


class DamagedExport(Exception):
    """A cached export that cannot be read or no longer gives its probe's vector."""


def open_onnx(model: ModelDir, cache_dir: Path, threads: int | None = None):
    """An `OnnxEncoder` on the model's checked export, exporting it first if need be."""
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError as exc:
        raise OnnxUnavailable(f"{exc.name} is not installed") from exc
    if model.pooling is None:
        raise OnnxUnavailable(f"{model.spec!r} has modules beyond Transformer and Pooling")
    if not (model.transformer / "tokenizer.json").is_file():
        raise OnnxUnavailable(f"no tokenizer.json under {model.transformer}")
    entry = _entry(model, cache_dir)
    try:
        return open_checked(model, entry, threads)
    except DamagedExport:
        model_cache.discard(entry)
    entry = _entry(model, cache_dir)
    try:
        return open_checked(model, entry, threads)
    except DamagedExport as exc:
        raise OnnxUnavailable(f"the exported model in {entry.path} does not load: {exc}") from exc


def open_checked(model: ModelDir, entry: model_cache.Entry, threads: int | None = None):
    """Load the entry's export; DamagedExport if it fails or its probe's vector moved."""
    import numpy as np

    from index.onnx_encoder import OnnxEncoder

    try:
        encoder = OnnxEncoder(model, entry.onnx_file, threads=threads)
        now = encoder.encode([entry.manifest["probe"]])[0]
    except Exception as exc:  # ONNX Runtime's own errors for a file it cannot read
        raise DamagedExport(str(exc)) from exc
    then = np.asarray(entry.manifest["vector"], dtype=np.float32)
    gap = float(1.0 - now @ then / (np.linalg.norm(now) * np.linalg.norm(then)))
    if not gap <= PROBE_TOLERANCE:
        raise DamagedExport(f"its probe vector is off by {gap:.1e}")
    return encoder


def _entry(model: ModelDir, cache_dir: Path) -> model_cache.Entry:
    try:
        entry = model_cache.ensure(cache_dir, model)
    except model_cache.CacheError as exc:
        raise OnnxUnavailable(str(exc)) from exc
    except Exception as exc:  # an export that broke (not one that was checked and refused)
        raise OnnxUnavailable(f"exporting the model failed: {exc!r}") from exc
    if entry.refused:
        raise OnnxUnavailable(f"{entry.refused} (remembered in {entry.path}; remove it to retry)")
    return entry
