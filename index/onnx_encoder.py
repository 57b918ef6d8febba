"""The embedding model on ONNX Runtime: the `tokenizers` library, the exported transformer,
then pooling and normalisation in numpy as the model's sentence-transformers config says.

No torch, no transformers: a process that only embeds questions starts in well under a
second instead of the seconds those imports take.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from index.model_dir import ModelDir

log = logging.getLogger(__name__)


class OnnxEncoder:
    """Encodes texts to the vectors sentence-transformers gives for the same model."""

    runtime = "onnx"

    def __init__(self, model: ModelDir, onnx_file: Path, *, threads: int | None = None):
        from tokenizers import Tokenizer

        self.model = model
        self.max_tokens = model.max_seq_length
        # tokenizer.json carries its own padding and truncation (all-MiniLM-L6-v2's: a
        # fixed 128), which are not what sentence-transformers does: pad each batch to its
        # longest text and truncate at the model's max_seq_length.
        self._encoding = Tokenizer.from_file(str(model.transformer / "tokenizer.json"))
        self._encoding.enable_truncation(self.max_tokens)
        self._encoding.no_padding()
        self._counting = None
        self._pad_id = self._encoding.token_to_id("[PAD]") or 0
        self._open(onnx_file, threads)

    def _open(self, onnx_file: Path, threads: int | None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: on a busy machine, or with several
        # encodes at once in a server, spinning threads only take cores from work.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(onnx_file), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}

    def _infer(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        """The transformer's token vectors (batch, tokens, width)."""
        return self.session.run(None, feed)[0]

    @property
    def tokenizer(self):
        """A tokenizer that neither truncates nor pads, for counting; made when first
        needed (answering a question counts nothing)."""
        if self._counting is None:
            from tokenizers import Tokenizer

            counting = Tokenizer.from_file(str(self.model.transformer / "tokenizer.json"))
            counting.no_padding()
            counting.no_truncation()
            self._counting = counting
        return self._counting

    def count_tokens(self, text: str, tokenizer=None) -> int:
        """Word pieces the model sees for `text`, without special tokens or truncation."""
        return len((tokenizer or self.tokenizer).encode(text, add_special_tokens=False).ids)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """One row per text, in order. Texts are sorted by length and cut into batches
        of similar length, so that little time goes on padding."""
        if self.model.do_lower_case:
            texts = [t.lower() for t in texts]
        encodings = self._encoding.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        lengths = [len(encodings[i].ids) for i in order]
        vectors: list[np.ndarray | None] = [None] * len(texts)
        for start, end in split_batches(lengths, batch_size):
            rows = order[start:end]
            batch = self._encode_batch([encodings[i].ids for i in rows])
            for row, vector in zip(rows, batch, strict=True):
                vectors[row] = vector
        return np.stack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)

    def _encode_batch(self, ids: list[list[int]]) -> np.ndarray:
        longest = max(len(row) for row in ids)
        input_ids = np.full((len(ids), longest), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), longest), dtype=np.int64)
        for n, row in enumerate(ids):
            input_ids[n, : len(row)] = row
            mask[n, : len(row)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        hidden = self._infer(feed)
        return pool(hidden, mask, self.model.pooling)


def split_batches(lengths: list[int], most: int, overhead: int = 32) -> list[tuple[int, int]]:
    """Cut lengths sorted longest first into batches of at most `most`, each padded to
    its first, so that positions plus `overhead` per run (a run's fixed cost, counted in
    positions) are fewest: [48, 48, 37, 36, 21, 13, 11] runs as [48, 48, 37, 36] and
    [21, 13, 11], 255 positions instead of 336. The mask hides padding from the vectors."""
    best = [0] + [0] * len(lengths)
    cut = [0] * (len(lengths) + 1)
    for end in range(1, len(lengths) + 1):
        options = (
            (best[start] + (end - start) * lengths[start] + overhead, start)
            for start in range(max(0, end - most), end)
        )
        best[end], cut[end] = min(options)
    spans, end = [], len(lengths)
    while end:
        spans.append((cut[end], end))
        end = cut[end]
    return spans[::-1]


def pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    """sentence-transformers' Pooling over token vectors, then unit length (as
    `encode(normalize_embeddings=True)`), in float32."""
    weights = mask[..., None].astype(np.float32)
    if mode == "cls_token":
        vectors = hidden[:, 0]
    elif mode == "max_tokens":
        vectors = np.where(weights > 0, hidden, -1e9).max(axis=1)
    else:
        counts = np.clip(weights.sum(axis=1), 1e-9, None)
        total = (hidden * weights).sum(axis=1)
        vectors = total / (np.sqrt(counts) if mode == "mean_sqrt_len_tokens" else counts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
