"""`policing-qa eval`: score the answerer on a gold set and print the figures."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from index.errors import SourceError

_FIGURES = [
    ("recall@1", "recall@1"),
    ("recall@5", "recall@5"),
    ("mrr", "MRR"),
    ("keyword_accuracy", "keyword accuracy"),
    ("latest_accuracy", "latest accuracy"),
    ("refused_unanswerable", "refused (unanswerable)"),
    ("refused_answerable", "refused (answerable)"),
    ("citation_validity", "citation validity"),
    ("retrieval_ms_p50", "retrieval p50 ms"),
    ("retrieval_ms_p95", "retrieval p95 ms"),
    ("answer_ms_p50", "answer p50 ms"),
    ("answer_ms_p95", "answer p95 ms"),
]


def format_report(report: dict) -> str:
    """The figures as aligned `name  value` lines."""
    lines = [f"{'questions':24} {report['questions']}"]
    for key, label in _FIGURES:
        value = report.get(key)
        lines.append(f"{label:24} {'n/a' if value is None else value}")
    return "\n".join(lines)


@click.command("eval")
@click.argument("gold", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Embedded Chroma directory (default: POLICING_QA_STORE).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures and rows as JSON.")
def eval_command(gold: Path, store: Path | None, as_json: bool) -> None:
    """Score retrieval and answers on GOLD (JSON lines of questions with known sources)."""
    from bot.answer import build_answerer
    from bot.evaluate import AnswererSystem, run
    from bot.gold import load_gold
    from index.settings import get_settings

    try:
        items = load_gold(gold)
    except SourceError as exc:
        raise click.BadParameter(str(exc), param_hint="GOLD") from exc
    settings = get_settings()
    if store is not None:
        if not store.is_dir():
            raise click.UsageError(f"--store {store}: no such directory")
        settings = settings.model_copy(update={"store": store, "chroma_url": None})
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
