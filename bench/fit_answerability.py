"""Fit the answerability model (bot/answer/answerability.json) on questions not in the test split.

For every training question the real answerer retrieves and drafts an answer over the
store, and `Evidence.features()` is recorded with the label "answerable" (any kind but
unanswerable). A logistic regression with L2 penalty and balanced classes is fitted on
standardised features; the threshold is chosen on out-of-fold predictions (5 folds by
release group): the one that refuses the most unanswerable questions while refusing at
most --budget of the answerable ones (the hard rules in bot/answer/refusal.py decide the
clear cases before the model is asked). Default training data: the dev split of
bench/gold_blind.jsonl plus bench/gold.jsonl and bench/gold_fresh.jsonl (written before
the blind set, on other releases) and bench/gold_train.jsonl (written blind later, on
releases no other gold question uses). The test split is never read.

    .venv/bin/python bench/fit_answerability.py --store DIR [--features bench/out/f.jsonl]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, sys.path[0] is bench/, whose http.py would shadow the standard library.
sys.path[0] = str(ROOT)

from bench.logistic_fit import (  # noqa: E402
    TRAINING,
    auc,
    feature_rows,
    fit,
    out_of_fold,
    standardise,
    write_model,
)
from bot.answer.answerability import MODEL  # noqa: E402
from bot.evaluation.gold import load_gold  # noqa: E402


def collect(store: Path) -> list[dict]:
    """Features and label of every training question, from the real answerer."""
    from bot.answer.answerer import build_answerer
    from bot.answer.refusal import hard_rule
    from index.settings import Settings

    answerer = build_answerer(Settings(store=store))
    rows = []
    for path, split in TRAINING:
        for item in load_gold(path, split):
            result = answerer.retrieve(item.question)
            _, _, proof = answerer.prepare(item.question, result)
            rows.append(
                {
                    "id": item.id,
                    "group": (item.sources or [item.id])[0],
                    "answerable": item.kind != "unanswerable",
                    "hard": hard_rule(proof) is not None,
                    "features": proof.features(),
                }
            )
            print(f"{item.id}: {rows[-1]['features']}", file=sys.stderr)
    return rows


# The direction each feature may push, whatever the training questions say: a gold set of
# near misses (unanswerable questions that reuse a release's words) would otherwise teach
# that covering the question's terms makes an answer less likely, and a question about
# the hockey playoffs, far from every release, would be answered. 0: either way.
SIGNS = {
    "cosine": 1,
    "coverage": 1,
    "sentence_coverage": 1,
    "missing_names": -1,
    "shape_ok": 1,
    "dense": 1,
    "dense_margin": 1,
    "dense_top": 1,
    "lexical_top": 1,
    "missing_rarest": -1,
    "answer_score": 1,
}


def choose_threshold(p: np.ndarray, y: np.ndarray, budget: float) -> float:
    """The highest threshold that refuses at most `budget` of the answerable questions."""
    grid = np.linspace(0.0, 0.95, 96)
    allowed = [t for t in grid if (p[y == 1] < t).mean() <= budget]
    return float(max(allowed))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", type=Path, required=True, help="store built from the corpus")
    ap.add_argument("--features", type=Path, help="read/write the collected features here")
    ap.add_argument("--out", type=Path, default=MODEL)
    ap.add_argument(
        "--budget", type=float, default=0.03, help="share of answerable questions it may refuse"
    )
    args = ap.parse_args()
    rows = feature_rows(args.features, lambda: collect(args.store))
    rows = [r for r in rows if not r["hard"]]  # the hard rules decide these, not the model
    names, raw, mean, scale = standardise(rows)
    x = (raw - mean) / scale
    y = np.asarray([1.0 if r["answerable"] else 0.0 for r in rows])
    signs = np.asarray([SIGNS.get(n, 0) for n in names], dtype=float)
    held_out = 1 / (1 + np.exp(-out_of_fold(x, y, [r["group"] for r in rows], signs)))
    threshold = choose_threshold(held_out, y, args.budget)
    w, b = fit(x, y, signs=signs)
    said = held_out >= threshold
    print(
        f"{len(y)} questions ({int(y.sum())} answerable); out-of-fold at {threshold:.2f}: "
        f"answerable refused {1 - said[y == 1].mean():.3f}, "
        f"unanswerable refused {(~said[y == 0]).mean():.3f}"
    )
    print("  feature              weight   AUC alone (answerable above unanswerable)")
    for i in sorted(range(len(names)), key=lambda i: -abs(w[i])):
        print(f"  {names[i]:20} {w[i]:+.3f}   {auc(raw[:, i], y):.3f}")
    write_model(
        args.out,
        names,
        mean,
        scale,
        w,
        b,
        threshold=round(threshold, 3),
        trained_on=[f"{p.name}{':' + s if s else ''}" for p, s in TRAINING],
        questions=len(y),
        budget=args.budget,
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
