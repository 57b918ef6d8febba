"""Where the exported model lives: one directory per model and fingerprint under a cache
root, made whole or not at all.

An entry is built in a private temporary directory beside it (model.onnx, then the
manifest, both synced) and renamed into place, so a reader finds a complete entry or none;
a lock file makes a second process wait for the first one's export instead of repeating
it. The manifest records each file's size and modification time, which a reader checks,
and the vector of a probe text, which the loader compares (`index.onnx_model`): a
truncated, rewritten or damaged copy is discarded and exported again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.model_dir import ModelDir
from index.onnx_export import ExportError, export_onnx

try:  # POSIX; elsewhere concurrent exports still land whole, only not just once
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

log = logging.getLogger(__name__)

# Bump when what an entry holds or how it is made changes: older entries are then ignored.
FORMAT = 1
MODEL_FILE = "model.onnx"
WEIGHTS_FILE = "model.onnx.data"  # beside it, as ONNX's external data
MANIFEST = "manifest.json"

Exporter = Callable[[ModelDir, Path], dict]


class CacheError(Exception):
    """The cache directory cannot be created or written."""


@dataclass(frozen=True)
class Entry:
    """A complete cache entry: the exported model, or the reason the model has none."""

    path: Path
    manifest: dict

    @property
    def onnx_file(self) -> Path:
        return self.path / MODEL_FILE

    @property
    def refused(self) -> str | None:
        return self.manifest.get("refused")


def entry_dir(root: Path, model: ModelDir) -> Path:
    """The model's entry: named for its package and version, keyed by a digest of its
    files, this layout and the ONNX Runtime version (whose optimised graph it holds)."""
    import onnxruntime

    key = f"{FORMAT}\n{onnxruntime.__version__}\n{model.fingerprint()}"
    return root / f"{model.label()}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def find(path: Path) -> Entry | None:
    """The complete entry at `path`, or None."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    if manifest.get("refused"):
        return Entry(path, manifest)
    try:
        stamps = [_stamp(path / name) for name in (MODEL_FILE, WEIGHTS_FILE)]
    except OSError:
        return None
    return Entry(path, manifest) if stamps == manifest.get("files") else None


def _stamp(file: Path) -> list[int]:
    """Size and modification time: a partial file, or one written to since, differs.
    (A full digest would cost ~0.1 s a start; the probe catches what a stamp cannot.)"""
    stat = file.stat()
    return [stat.st_size, stat.st_mtime_ns]


def ensure(root: Path, model: ModelDir, export: Exporter = export_onnx) -> Entry:
    """The model's entry, exported now if no complete one exists (once across processes)."""
    path = entry_dir(root, model)
    entry = find(path)
    if entry is not None:
        return entry
    try:
        root.mkdir(parents=True, exist_ok=True)
        with _locked(path):
            # Another process may have finished the export while this one waited.
            return find(path) or _build(path, model, export)
    except OSError as exc:
        raise CacheError(f"model cache {root}: {exc}") from exc


def discard(entry: Entry) -> None:
    """Remove an entry found damaged, so that the next `ensure` exports it again."""
    log.warning("discarding the damaged model cache entry %s", entry.path)
    with contextlib.suppress(OSError), _locked(entry.path):
        _remove(entry.path)


def _build(final: Path, model: ModelDir, export: Exporter) -> Entry:
    # A warning so that a command line shows it: the first run waits 10-30 s for this.
    log.warning("exporting the embedding model to ONNX, once (10-30 s), into %s", final)
    root = final.parent
    # We hold this entry's lock: a work directory of its name is a killed export's.
    for stale in root.glob(f".{final.name}.*"):
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=root))
    try:
        work.chmod(0o755)  # mkdtemp's 0700 would hide a shared cache from other users
        manifest = {"format": FORMAT, "model": model.spec, "label": model.label()}
        manifest["created"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            manifest |= export(model, work / MODEL_FILE)
            manifest |= _digests(model, work)
        except ExportError as exc:
            # Remembered, so later runs go straight to torch instead of exporting again.
            manifest["refused"] = str(exc)
            for file in work.iterdir():
                file.unlink()
        _write_synced(work / MANIFEST, json.dumps(manifest, indent=1).encode())
        _sync(work)
        _remove(final)  # a damaged entry of the same name: we hold its lock
        os.rename(work, final)
        _sync(root)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _prune(final, model)
    return Entry(final, manifest)


def _prune(kept: Path, model: ModelDir, keep: int = 2) -> None:
    """Remove all but the newest `keep` entries of this model (other package versions,
    weights or ONNX Runtime versions): each holds a copy of the weights."""
    others = [p for p in kept.parent.iterdir() if p.is_dir() and p != kept and _of(p, model)]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[keep - 1 :]:
        with contextlib.suppress(OSError), _locked(old):
            _remove(old)
        old.with_name(f"{old.name}.lock").unlink(missing_ok=True)


def _of(path: Path, model: ModelDir) -> bool:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("model") == model.spec


def _digests(model: ModelDir, work: Path) -> dict:
    files = [work / MODEL_FILE, work / WEIGHTS_FILE]
    for file in files:
        _sync(file)
    return {
        "files": [_stamp(file) for file in files],
        "sha256": [_sha256(file) for file in files],
        "source_weights": model.weights.name,
        "source_sha256": _sha256(model.weights),
    }


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _sync(path: Path) -> None:
    """Flush a file or a directory's entries to disk (a no-op where that is refused)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Take an entry out of its name first (a rename: atomic), then delete it."""
    if not path.exists():
        return
    aside = path.with_name(f".{path.name}.discarded-{secrets.token_hex(4)}")
    os.rename(path, aside)
    shutil.rmtree(aside, ignore_errors=True)


@contextlib.contextmanager
def _locked(entry: Path):
    """Hold the entry's lock file (beside it: the entry itself comes and goes)."""
    with entry.with_name(f"{entry.name}.lock").open("a") as file:
        if fcntl is not None:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(file.fileno(), fcntl.LOCK_UN)
