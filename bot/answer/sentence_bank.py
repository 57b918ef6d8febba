"""Sentence spans of chunks and sentence embeddings, computed once and kept (LRU)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

import numpy as np

from bot.answer.injection import is_instruction
from index.models import Chunk
from index.text import Span, sentence_spans

# Lines that only introduce what follows; they answer nothing on their own.
_FILLER = re.compile(
    r"^(as previously released|update|updated?|background|media release|for immediate release)"
    r"\W*$",
    re.IGNORECASE,
)


def useful_spans(text: str) -> list[Span]:
    """Sentences worth quoting: three words or more, not a bare heading, not planted."""
    # A note chunk ends with the body sentence that cites it, added for retrieval only.
    cited_by = text.find(" (cited by: ")
    body = text if cited_by < 0 else text[:cited_by]
    spans = []
    for span in sentence_spans(body):
        piece = text[span.start : span.end].strip()
        if len(piece.split()) >= 3 and not _FILLER.match(piece) and not is_instruction(piece):
            spans.append(span)
    return spans


class SentenceBank:
    """Spans per chunk and vectors per sentence; safe to share between threads."""

    def __init__(self, embedder, max_sentences: int = 20000, max_chars: int = 200):
        self.embedder = embedder
        self.max_sentences = max_sentences
        # A long charge list is scored on its opening: cheaper, and the lead-in says it all.
        self.max_chars = max_chars
        self._spans: OrderedDict[str, list[Span]] = OrderedDict()
        self._vectors: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def spans(self, chunk: Chunk) -> list[Span]:
        with self._lock:
            if chunk.id in self._spans:
                self._spans.move_to_end(chunk.id)
                return self._spans[chunk.id]
        found = useful_spans(chunk.text)
        with self._lock:
            self._spans[chunk.id] = found
            while len(self._spans) > self.max_sentences // 4:
                self._spans.popitem(last=False)
        return found

    def vectors(self, items: list[tuple[Chunk, Span]]) -> np.ndarray:
        """Unit vectors of the sentences, embedding in one batch those not seen before."""
        keys = [(chunk.id, span.start) for chunk, span in items]
        with self._lock:
            missing = {
                k: (c, s) for k, (c, s) in zip(keys, items, strict=True) if k not in self._vectors
            }
        if missing:
            texts = [c.text[s.start : s.end][: self.max_chars] for c, s in missing.values()]
            got = np.asarray(self.embedder.embed_documents(texts), dtype=np.float32)
            with self._lock:
                self._vectors.update(zip(missing, got, strict=True))
        with self._lock:
            out = []
            for key in keys:
                vector = self._vectors.get(key)
                if vector is None:  # evicted by another thread in between: recompute below
                    break
                self._vectors.move_to_end(key)
                out.append(vector)
            while len(self._vectors) > self.max_sentences:
                self._vectors.popitem(last=False)
        if len(out) < len(keys):
            texts = [c.text[s.start : s.end][: self.max_chars] for c, s in items]
            return np.asarray(self.embedder.embed_documents(texts), dtype=np.float32)
        return np.stack(out) if out else np.zeros((0, 1), dtype=np.float32)
