"""Sentence-transformers embeddings from weights on disk, never from a hub."""

from __future__ import annotations

import functools
import importlib
import logging
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

from index.errors import ConfigError

log = logging.getLogger(__name__)


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


class LocalEmbeddings(Embeddings):
    """A LangChain `Embeddings` over a sentence-transformers model loaded offline."""

    def __init__(self, spec: str, batch_size: int = 64, *, parallel: int = 1):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # A progress bar for loading local weights is noise in a CLI and in server logs.
        hf_logging.disable_progress_bar()

        self.path = resolve_model_path(spec)
        self.spec = spec
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        self.tokenizer = self.model.tokenizer
        self.max_tokens = int(self.model.max_seq_length)
        # Torch inference is thread-safe and frees the GIL; bounding how many encodes run at
        # once keeps CPU threads from thrashing (a server sets one torch thread each).
        self._slots = threading.BoundedSemaphore(parallel)
        log.info("loaded embedding model %s (max %d word pieces)", self.path, self.max_tokens)

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for `text`, without special tokens."""
        return len(self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._slots:
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        # Retrieval and sentence scoring embed the same question; the second is free.
        return list(self._query(text))

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one model per process, kept for its life)
    def _query(self, text: str) -> tuple[float, ...]:
        return tuple(self.embed_documents([text])[0])


class LazyEmbeddings:
    """The embedding model, loaded the first time a run has something to chunk or embed.

    An unchanged re-run embeds nothing: it should not pay the seconds a model takes to
    import and load. The model's location is checked at once, so a bad setting still
    fails before the run starts.
    """

    def __init__(self, spec: str, batch_size: int):
        resolve_model_path(spec)
        self.spec, self.batch_size = spec, batch_size
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                self._model = LocalEmbeddings(self.spec, self.batch_size)
            return self._model

    def count_tokens(self, text: str) -> int:
        return self.model.count_tokens(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.embed_documents(texts)

    @property
    def loaded(self) -> bool:
        return self._model is not None
