"""Sentence-transformers embeddings from weights on disk, never from a hub.

Two runtimes give the same vectors (1 - cosine under 1e-5; the store tolerates 1e-3):
ONNX Runtime, from an export of the weights kept in the model cache, starts in well
under a second; torch through sentence-transformers takes seconds to import and load.
`auto` takes ONNX Runtime when it can and says why when it cannot.
"""

from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path

from index.errors import ConfigError
from index.model_dir import ModelDir, resolve_model_path

__all__ = ["RUNTIMES", "LazyEmbeddings", "LocalEmbeddings", "embeddings_for", "resolve_model_path"]

log = logging.getLogger(__name__)

RUNTIMES = ("auto", "onnx", "torch")


class LocalEmbeddings:
    """A LangChain-style `Embeddings` (embed_documents, embed_query) over a local model."""

    def __init__(
        self,
        spec: str,
        batch_size: int = 64,
        *,
        parallel: int = 1,
        runtime: str = "auto",
        cache_dir: Path | None = None,
        threads: int | None = None,
    ):
        if cache_dir is None:
            from index.settings import default_model_cache

            cache_dir = default_model_cache()
        model = ModelDir.read(spec)
        self.path = model.path
        self.spec = spec
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.encoder = _open_encoder(model, runtime, cache_dir, threads)
        self.runtime = self.encoder.runtime
        self._tokenizer = None
        self.max_tokens = self.encoder.max_tokens
        # Both runtimes are thread-safe and free the GIL; bounding how many encodes run at
        # once keeps CPU threads from thrashing (a server gives each a share of the cores).
        self._slots = threading.BoundedSemaphore(parallel)
        log.info(
            "loaded embedding model %s on %s (max %d word pieces)",
            self.path,
            self.runtime,
            self.max_tokens,
        )

    @property
    def tokenizer(self):
        """The tokenizer that counts; a caller may set a private copy (see
        bot/api/openai_reply.py: counting on torch's tokenizer races with encoding)."""
        return self._tokenizer if self._tokenizer is not None else self.encoder.tokenizer

    @tokenizer.setter
    def tokenizer(self, value) -> None:
        self._tokenizer = value

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for `text`, without special tokens."""
        return self.encoder.count_tokens(text, self.tokenizer)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._slots:
            vectors = self.encoder.encode(texts, self.batch_size)
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        # Retrieval and sentence scoring embed the same question; the second is free.
        return list(self._query(text))

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one model per process, kept for its life)
    def _query(self, text: str) -> tuple[float, ...]:
        return tuple(self.embed_documents([text])[0])


def embeddings_for(settings, **options) -> LocalEmbeddings:
    """The embedding model that `settings` name, on the runtime they choose."""
    return LocalEmbeddings(
        settings.embedding_model,
        settings.embedding_batch_size,
        runtime=settings.embedding_runtime,
        cache_dir=settings.model_cache,
        **options,
    )


def _open_encoder(model: ModelDir, runtime: str, cache_dir: Path, threads: int | None):
    """The encoder for `runtime`: 'onnx' or fail, 'torch', or 'auto' (ONNX when it can)."""
    if runtime not in RUNTIMES:
        raise ConfigError(f"embedding runtime {runtime!r}: choose one of {', '.join(RUNTIMES)}")
    if runtime != "torch":
        from index.onnx_model import OnnxUnavailable, open_onnx

        try:
            return open_onnx(model, cache_dir, threads)
        except OnnxUnavailable as exc:
            if runtime == "onnx":
                raise ConfigError(f"embedding runtime 'onnx': {exc}") from exc
            log.warning("embedding on torch, the slower runtime: %s", exc)
    from index.torch_encoder import TorchEncoder

    return TorchEncoder(model, threads=threads)


class LazyEmbeddings:
    """The embedding model, loaded the first time a run has something to chunk or embed.

    An unchanged re-run embeds nothing: it should not pay for loading a model. The
    model's location is checked at once, so a bad setting still fails before the run.
    """

    def __init__(self, spec: str, batch_size: int, **options):
        resolve_model_path(spec)
        self.spec, self.batch_size, self.options = spec, batch_size, options
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self) -> LocalEmbeddings:
        with self._lock:
            if self._model is None:
                self._model = LocalEmbeddings(self.spec, self.batch_size, **self.options)
            return self._model

    def count_tokens(self, text: str) -> int:
        return self.model.count_tokens(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.embed_documents(texts)

    @property
    def loaded(self) -> bool:
        return self._model is not None
