"""Which sentence of a release answers the question: a logistic ranker.

The sentence closest in meaning to a whole question is usually the one that retells its
scene ("a man shoved her and ran off with her bag"); the answer ("another man wrestled
the bag away, returning it to the victim") is often further down and shares few words
with the question. The ranker weighs, for every sentence of the release answered from,
its closeness to the question and to the clause that asks (`clauses.focus_of`), the
question's key terms in it (terms that restate the question count against it, the
asking clause's terms for it), whether it holds the kind of answer asked for, where it
stands in the release, and whether it is boilerplate ("Anyone with information ...").
Weights in `sentence_model.json`, fitted by `bench/fit_sentences.py` on questions kept
apart from the test split.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np

from bot.answer.logistic import Logistic
from bot.answer.types import Question, Scored

MODEL = Path(__file__).with_name("sentence_model.json")
# Appeals and sign-offs: in nearly every release, the answer to nearly nothing.
BOILERPLATE = re.compile(
    r"anyone with (?:any )?information|crime stoppers|thanks? the (?:public|media)"
    r"|is asked to (?:contact|call)|investigation (?:is|remains) (?:continuing|ongoing)"
    r"|no further (?:information|details)",
    re.IGNORECASE,
)
LONG = 200  # characters: past this a sentence is no likelier to answer


def sentence_features(
    question: Question, sentences: list[Scored], vectors: np.ndarray
) -> list[dict[str, float]]:
    """The ranker's features of each sentence of one release (`vectors`: their unit vectors)."""
    ask = question.focus.vector if question.focus is not None else question.vector
    near_ask = vectors @ ask if len(sentences) else np.zeros(0)
    order = sorted(range(len(sentences)), key=lambda i: sentences[i].chunk.ord * 10**6
                   + sentences[i].span.start)  # fmt: skip
    position = {i: rank for rank, i in enumerate(order)}
    focus_total = question.weight(question.focus_terms)
    out = []
    for i, s in enumerate(sentences):
        text = s.text
        met = len(question.shapes_met(text))
        focus_share = question.weight(question.overlap(text) & question.focus_terms)
        out.append(
            {
                "cosine": s.cosine,
                "ask_cosine": float(near_ask[i]),
                "lexical": s.lexical,
                "ask_lexical": focus_share / focus_total if focus_total else 0.0,
                "shapes": float(min(met, 2)),
                "position": position[i] / max(1, len(sentences)),
                "first": float(position[i] == 0),
                "boilerplate": float(bool(BOILERPLATE.search(text))),
                "length": min(len(text), LONG) / LONG,
            }
        )
    return out


def rank_sentences(
    question: Question, sentences: list[Scored], vectors: np.ndarray, model: Logistic | None = None
) -> list[Scored]:
    """`sentences` of one release, likeliest answer first, each scored by the ranker's log-odds."""
    model = model or Logistic.load(MODEL)
    features = sentence_features(question, sentences, vectors)
    scored = [
        dataclasses.replace(s, score=model.logit(f))
        for s, f in zip(sentences, features, strict=True)
    ]
    return sorted(scored, key=lambda s: s.score, reverse=True)
