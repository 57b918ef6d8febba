"""What the two model-fitting scripts share: their training questions, the cached feature
rows, standardisation, 5-fold cross-validation by group, the fit itself and the JSON that
`bot.answer.logistic.Logistic` reads.

Used by bench/fit_answerability.py and bench/fit_sentences.py; not run on its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# Questions the models may learn from: never the test split of the blind set.
TRAINING = [
    (ROOT / "bench" / "gold_blind.jsonl", "dev"),
    (ROOT / "bench" / "gold.jsonl", None),
    (ROOT / "bench" / "gold_fresh.jsonl", None),
    (ROOT / "bench" / "gold_train.jsonl", None),
]
L2 = 1.0
FOLDS = 5


def feature_rows(cache: Path | None, collect: Callable[[], list[dict]]) -> list[dict]:
    """The rows in `cache` when it exists; else `collect()`'s, written to `cache` if given."""
    if cache and cache.exists():
        return [json.loads(line) for line in cache.read_text().splitlines()]
    rows = collect()
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows


def standardise(rows: list[dict]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Feature names, raw matrix, mean and scale of the rows' `features`."""
    names = list(rows[0]["features"])
    raw = np.asarray([[r["features"][n] for n in names] for r in rows], dtype=float)
    mean, scale = raw.mean(axis=0), raw.std(axis=0)
    scale[scale < 1e-6] = 1.0  # a feature constant over the training data weighs nothing
    return names, raw, mean, scale


def fit(
    x: np.ndarray,
    y: np.ndarray,
    steps: int = 4000,
    rate: float = 0.1,
    signs: np.ndarray | None = None,
):
    """Weights and bias of a balanced, L2-penalised logistic regression (gradient descent);
    with `signs`, a weight is kept at 0 rather than pointing against its sign."""
    w, b = np.zeros(x.shape[1]), 0.0
    balance = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = balance * (p - y)
        w -= rate * (x.T @ g / len(y) + L2 * w / len(y))
        b -= rate * g.mean()
        if signs is not None:
            w = np.where(signs * w < 0, 0.0, w)
    return w, b


def out_of_fold(
    x: np.ndarray, y: np.ndarray, groups: list[str], signs: np.ndarray | None = None
) -> np.ndarray:
    """Each row's log-odds from a model fitted without its group (a hash picks the fold)."""
    folds = np.asarray([hashlib.sha256(g.encode()).digest()[0] % FOLDS for g in groups])
    held_out = np.zeros(len(y))
    for k in range(FOLDS):
        w, b = fit(x[folds != k], y[folds != k], signs=signs)
        held_out[folds == k] = x[folds == k] @ w + b
    return held_out


def write_model(path: Path, names, mean, scale, w, b, **extra) -> None:
    """The fitted model as `Logistic.load` reads it, with `extra` keys for the record."""
    model = {
        "features": list(names),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "weights": [round(float(v), 6) for v in w],
        "bias": round(float(b), 6),
        **extra,
    }
    path.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")


def auc(score: np.ndarray, y: np.ndarray) -> float:
    """How often a positive row outscores a negative one (ties count half)."""
    pos, neg = score[y == 1], score[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).mean()
    return float(greater + 0.5 * (pos[:, None] == neg[None, :]).mean())
