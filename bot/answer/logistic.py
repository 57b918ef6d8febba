"""A small logistic model read from JSON: standardised features, weights, a bias.

The answerability model and the sentence ranker are both this shape; each is fitted by a
script in `bench/` on questions kept apart from the test split and read once per process.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from index.errors import ConfigError


@dataclass(frozen=True)
class Logistic:
    """P(y | x) = sigmoid(bias + sum(w * (x - mean) / scale)), features by name."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    @staticmethod
    @cache
    def load(path: Path) -> Logistic:
        """The fitted model; a missing or malformed file is a ConfigError naming it."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            model = Logistic(
                names=tuple(data["features"]),
                mean=tuple(data["mean"]),
                scale=tuple(data["scale"]),
                weights=tuple(data["weights"]),
                bias=float(data["bias"]),
                threshold=float(data.get("threshold", 0.5)),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"model {path}: {exc}") from exc
        if not len(model.names) == len(model.mean) == len(model.scale) == len(model.weights):
            raise ConfigError(f"model {path}: feature lists differ in length")
        return model

    def logit(self, values: dict[str, float]) -> float:
        """The log-odds for the named feature values (a missing name is a KeyError)."""
        return self.bias + sum(
            w * (values[n] - m) / s
            for n, m, s, w in zip(self.names, self.mean, self.scale, self.weights, strict=True)
        )

    def probability(self, values: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, self.logit(values)))))
