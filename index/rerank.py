"""Optional cross-encoder reranking of fused candidates, from a model directory on disk.

No cross-encoder ships as a package here, so reranking is off unless
`POLICING_QA_RERANKER_PATH` names a local sentence-transformers CrossEncoder directory.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from index.errors import ConfigError

log = logging.getLogger(__name__)


class Reranker:
    """Scores (query, passage) pairs with a local CrossEncoder; higher is more relevant."""

    def __init__(self, path: Path, *, batch_size: int = 32):
        path = Path(path).expanduser()
        if not path.is_dir():
            raise ConfigError(f"reranker path {str(path)!r}: no such directory")
        if not (path / "config.json").is_file():
            raise ConfigError(f"reranker path {str(path)!r}: no config.json, not a model directory")
        from sentence_transformers import CrossEncoder

        try:
            self.model = CrossEncoder(str(path), device="cpu", local_files_only=True)
        except Exception as exc:  # transformers raises OSError, ValueError, KeyError...
            raise ConfigError(
                f"reranker path {str(path)!r}: cannot load a cross-encoder: {exc}"
            ) from exc
        self.path = path
        self.batch_size = batch_size
        # One forward pass at a time: two would only fight over the same two cores.
        self._lock = threading.Lock()
        log.info("loaded reranker %s", path)

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        """Relevance of each passage to the query."""
        if not passages:
            return []
        with self._lock:
            scores = self.model.predict(
                [(query, p) for p in passages],
                batch_size=self.batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        return [float(s) for s in scores.reshape(len(passages), -1)[:, -1]]


def build_reranker(settings) -> Reranker | None:
    """The reranker `settings.reranker_path` names, or None when reranking is off."""
    if not settings.reranker_path:
        return None
    return Reranker(settings.reranker_path)
