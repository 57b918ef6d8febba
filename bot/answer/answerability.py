"""Whether the evidence answers the question: a logistic model over `Evidence.features`.

The weights live beside this file in `answerability.json`, written by
`bench/fit_answerability.py` from questions kept apart from the test split.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.answer.logistic import Logistic
from bot.answer.types import Evidence

MODEL = Path(__file__).with_name("answerability.json")


@dataclass(frozen=True)
class Answerability:
    """P(answerable | evidence), and the threshold above which the answerer answers."""

    model: Logistic

    @staticmethod
    def load(path: Path = MODEL) -> Answerability:
        """The fitted model; a missing or malformed file is a ConfigError naming it."""
        return Answerability(Logistic.load(Path(path)))

    def probability(self, proof: Evidence) -> float:
        """How likely the evidence answers the question."""
        return self.model.probability(proof.features())

    def answers(self, proof: Evidence) -> bool:
        return self.probability(proof) >= self.model.threshold
