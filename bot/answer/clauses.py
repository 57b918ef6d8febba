"""Questions that ask two things, or tell a story before they ask.

"How old was he, and which agency took over?" asks twice; "A driver fled a traffic stop
and hit a bus shelter in July. Was anyone hurt?" sets the scene, then asks. The best
sentence for the whole question usually restates its first part or its scene; each
asking part gets the sentence of the same release closest to it in meaning (and holding
the kind of answer it asks for), so an answer does not stop at the context.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from bot.answer.phrases import question_sentences
from bot.answer.shapes import BONUS, shapes_of
from bot.answer.types import Ask

_JOIN = re.compile(
    r",?\s+and\s+(?=(?:what|which|who|whom|whose|where|when|how|why|was|were|is|are|did|does"
    r"|has|have|had)\b)",
    re.IGNORECASE,
)
MIN_WORDS = 3  # "and where?" is left to the answer shapes


_ASKING = re.compile(
    r"(?:^|[,;:]\s+|\b(?:and|but|so)\s+)((?:what|which|who|whom|whose|where|when|how|why|was"
    r"|were|is|are|did|does|do|has|have|had|can|could|would|will)\b[^,;]*)\?\s*$",
    re.IGNORECASE,
)
FOCUS_WORDS = 10  # the opening of the asking clause says what is asked; the rest is context


def split_question(question: str) -> list[str]:
    """The scene and the asks of a question; [] for a single ask.

    Parts are joined by "and <question word>", or a scene of one or more sentences is
    followed by the sentence that asks.
    """
    sentences = question_sentences(question)
    scene = " ".join(sentences[:-1]) if len(sentences) >= 2 else ""
    parts = [p.strip(" ,?") for p in _JOIN.split(sentences[-1] if sentences else question)]
    if scene:
        parts.insert(0, scene.strip(" ,"))
    if len(parts) < 2:
        return []
    return [p for p in parts if len(p.split()) >= MIN_WORDS]


def focus_of(question: str) -> str | None:
    """The clause that asks, without the scene before it: "Did she get her money back"
    of "After a woman took cash out of a bank, a man shoved her. Did she get her money
    back?". None when that is the whole question."""
    sentences = question_sentences(question)
    last = sentences[-1] if sentences else question
    found = _ASKING.search(last)
    words = (found.group(1) if found else last).rstrip(" ?").split()[:FOCUS_WORDS]
    focus = " ".join(words)
    return None if focus == question.strip().rstrip(" ?") else focus


def asks_of(question: str, embed: Callable[[list[str]], list[list[float]]]) -> list[Ask]:
    """The parts of `question` worth covering one by one (none for a single ask)."""
    parts = split_question(question)
    if len(parts) < 2:
        return []
    vectors = np.asarray(embed(parts), dtype=np.float32)
    return [Ask(p, v, tuple(shapes_of(p))) for p, v in zip(parts, vectors, strict=True)]


def best_for(ask: Ask, texts: list[str], vectors: np.ndarray, known) -> int:
    """Index of the sentence that best answers `ask`."""
    scores = vectors @ ask.vector
    for i, text in enumerate(texts):
        scores[i] += BONUS * sum(s.met_by(text, known) for s in ask.shapes)
    return int(np.argmax(scores))
