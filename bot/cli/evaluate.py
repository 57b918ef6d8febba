"""`policing-qa eval`: score the answerer on a gold set and print the figures."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.cli.options import settings_for, store_option
from index.errors import SourceError

_FIGURES = [
    ("recall@1", "recall@1"),
    ("recall@5", "recall@5"),
    ("mrr", "MRR"),
    ("keyword_accuracy", "keyword accuracy"),
    ("latest_accuracy", "latest accuracy"),
    ("refused_unanswerable", "refused (unanswerable)"),
    ("refused_answerable", "refused (answerable)"),
    ("first_cited", "right release cited first"),
    ("direct_answer", "opens with what was asked"),
    ("citation_validity", "citation validity"),
    ("retrieval_ms_p50", "retrieval p50 ms"),
    ("retrieval_ms_p95", "retrieval p95 ms"),
    ("answer_ms_p50", "answer p50 ms"),
    ("answer_ms_p95", "answer p95 ms"),
]


def _cell(value) -> str:
    return "n/a" if value is None else str(value)


def format_report(report: dict) -> str:
    """The figures as aligned lines: overall, then one column per kind of question."""
    kinds = list(report.get("by_kind", {}))
    head = f"{'':28} {'all':>8}" + "".join(f" {k:>12}" for k in kinds)
    lines = [head, f"{'questions':28} {report['questions']:>8}"]
    lines[-1] += "".join(f" {report['by_kind'][k]['questions']:>12}" for k in kinds)
    for key, label in _FIGURES:
        row = f"{label:28} {_cell(report.get(key)):>8}"
        if not key.endswith(("_p50", "_p95")):
            row += "".join(f" {_cell(report['by_kind'][k].get(key)):>12}" for k in kinds)
        lines.append(row)
    return "\n".join(lines)


@click.command("eval")
@click.argument("gold", type=click.Path(dir_okay=False, path_type=Path))
@store_option
@click.option("--split", help="Only the questions of this split (e.g. dev or test).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures and rows as JSON.")
def eval_command(gold: Path, store: Path | None, split: str | None, as_json: bool) -> None:
    """Score retrieval and answers on GOLD (JSON lines of questions with known sources)."""
    from bot.answer.answerer import build_answerer
    from bot.evaluation.gold import load_gold
    from bot.evaluation.run import AnswererSystem, run

    try:
        items = load_gold(gold, split)
    except SourceError as exc:
        raise click.BadParameter(str(exc), param_hint="GOLD") from exc
    settings = settings_for(store, must_exist=True)
    answerer = build_answerer(settings)
    bar = None
    if sys.stderr.isatty() and not as_json:
        from tqdm import tqdm

        bar = tqdm(total=len(items), unit="question", file=sys.stderr, desc="eval")
    report = run(
        AnswererSystem(answerer),
        items,
        progress=(lambda done, total: bar.update(1)) if bar else None,
    )
    if bar is not None:
        bar.close()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        click.echo(format_report(report))
