"""Whether the evidence answers the question: a logistic model over `Evidence.features`.

The weights live beside this file in `answerability.json`, written by
`bench/fit_answerability.py` from questions kept apart from the test split; the model is
read once per process. Features are standardised with the training mean and scale.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.answer.types import Evidence
from index.errors import ConfigError

MODEL = Path(__file__).with_name("answerability.json")


@dataclass(frozen=True)
class Answerability:
    """P(answerable | evidence) = sigmoid(bias + sum(w * (x - mean) / scale))."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    @staticmethod
    @cache
    def load(path: Path = MODEL) -> Answerability:
        """The fitted model; a missing or malformed file is a ConfigError naming it."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            model = Answerability(
                names=tuple(data["features"]),
                mean=tuple(data["mean"]),
                scale=tuple(data["scale"]),
                weights=tuple(data["weights"]),
                bias=float(data["bias"]),
                threshold=float(data["threshold"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"answerability model {path}: {exc}") from exc
        if not len(model.names) == len(model.mean) == len(model.scale) == len(model.weights):
            raise ConfigError(f"answerability model {path}: feature lists differ in length")
        return model

    def probability(self, proof: Evidence) -> float:
        """How likely the evidence answers the question."""
        values = proof.features()
        z = self.bias + sum(
            w * (values[n] - m) / s
            for n, m, s, w in zip(self.names, self.mean, self.scale, self.weights, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def answers(self, proof: Evidence) -> bool:
        return self.probability(proof) >= self.threshold
