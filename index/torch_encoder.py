"""The embedding model on torch through sentence-transformers: the reference the stored
vectors were made with, and the fallback when ONNX Runtime is not installed."""

from __future__ import annotations

import numpy as np

from index.model_dir import ModelDir


class TorchEncoder:
    """Encodes texts with `SentenceTransformer`, offline, on the CPU."""

    runtime = "torch"

    def __init__(self, model: ModelDir, *, threads: int | None = None):
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # A progress bar for loading local weights is noise in a CLI and in server logs.
        hf_logging.disable_progress_bar()
        if threads:
            torch.set_num_threads(threads)
        self.model = model
        self.st = SentenceTransformer(str(model.path), device="cpu", local_files_only=True)
        self.tokenizer = self.st.tokenizer
        self.max_tokens = int(self.st.max_seq_length)

    def count_tokens(self, text: str, tokenizer=None) -> int:
        """Word pieces the model sees for `text`, without special tokens."""
        tokenizer = tokenizer or self.tokenizer
        return len(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return self.st.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
