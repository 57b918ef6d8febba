"""Fit the sentence ranker (bot/answer/sentence_model.json) on questions not in the test split.

For every answerable training question the real answerer retrieves; each retrieved release
from the question's gold source files is read whole, and every sentence of it gets the
ranker's features (`bot.answer.sentence_model.sentence_features`) and the label "holds an
expected answer keyword". A balanced, L2-penalised logistic regression is fitted on the
standardised features; 5-fold cross-validation by question reports how often the first
sentence ranked holds the answer, and within the first three. Training data as for
bench/fit_answerability.py: the dev split of bench/gold_blind.jsonl plus bench/gold.jsonl
and bench/gold_fresh.jsonl. The test split is never read.

    .venv/bin/python bench/fit_sentences.py --store DIR [--features bench/out/s.jsonl]
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
    feature_rows,
    fit,
    out_of_fold,
    standardise,
    write_model,
)
from bot.answer.sentence_model import MODEL  # noqa: E402
from bot.evaluation.gold import load_gold  # noqa: E402


def collect(store: Path) -> list[dict]:
    """One row per sentence of each gold release: question id, features, label."""
    import numpy as np

    from bot.answer.answerer import build_answerer
    from bot.answer.sentence_model import sentence_features
    from bot.answer.sources import number_sources
    from index.settings import Settings

    answerer = build_answerer(Settings(store=store))
    rows = []
    for path, split in TRAINING:
        for item in load_gold(path, split):
            if item.kind == "unanswerable" or not item.answer_keywords:
                continue
            result = answerer.retrieve(item.question)
            history = list(getattr(result, "case_history", None) or [])
            sources = number_sources(result.hits, history)
            wanted = {Path(s).name for s in item.sources}
            question = answerer.question_of(item.question)
            for source in sources:
                if Path(source.head.source).name not in wanted:
                    continue
                answerer.releases.complete(source)
                sentences = answerer.sentences_of(question, source)
                vectors = answerer.bank.vectors([(s.chunk, s.span) for s in sentences])
                features = sentence_features(question, sentences, np.asarray(vectors))
                for s, f in zip(sentences, features, strict=True):
                    text = s.text.lower()
                    label = any(str(k).lower() in text for k in item.answer_keywords)
                    rows.append({"id": item.id, "features": f, "label": label})
            print(f"{item.id}: {sum(r['id'] == item.id for r in rows)} sentences", file=sys.stderr)
    return rows


def ranks(rows: list[dict], score: np.ndarray) -> list[int]:
    """Per question with a labelled sentence: the rank of its first answering sentence."""
    by_question: dict[str, list[tuple[float, bool]]] = {}
    for r, s in zip(rows, score, strict=True):
        by_question.setdefault(r["id"], []).append((s, r["label"]))
    out = []
    for found in by_question.values():
        if any(label for _, label in found):
            ordered = sorted(found, key=lambda p: -p[0])
            out.append(next(i for i, (_, label) in enumerate(ordered, 1) if label))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", type=Path, required=True, help="store built from the corpus")
    ap.add_argument("--features", type=Path, help="read/write the collected features here")
    ap.add_argument("--out", type=Path, default=MODEL)
    args = ap.parse_args()
    rows = feature_rows(args.features, lambda: collect(args.store))
    names, raw, mean, scale = standardise(rows)
    x = (raw - mean) / scale
    y = np.asarray([1.0 if r["label"] else 0.0 for r in rows])
    found = np.asarray(ranks(rows, out_of_fold(x, y, [r["id"] for r in rows])))
    baseline = np.asarray(ranks(rows, raw[:, names.index("cosine")]))
    print(
        f"{len(found)} questions, {len(y)} sentences; answering sentence first / in top 3, "
        f"out of fold: {(found == 1).mean():.3f} / {(found <= 3).mean():.3f} "
        f"(by cosine to the question: {(baseline == 1).mean():.3f} / {(baseline <= 3).mean():.3f})"
    )
    w, b = fit(x, y)
    write_model(args.out, names, mean, scale, w, b)
    print(f"wrote {args.out}: " + ", ".join(f"{n} {v:+.2f}" for n, v in zip(names, w, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
