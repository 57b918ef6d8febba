"""`policing-qa feedback export|import`: what people thought of the Slack app's answers."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from bot.cli.options import settings_for, store_option


@click.group()
def feedback() -> None:
    """Feedback people gave on the Slack app's answers, kept in the store."""


def _import(path: Path, records) -> None:
    from bot.slack.feedback_import import import_file

    answers, verdicts = import_file(path, records)
    if answers or verdicts:
        click.echo(f"imported {answers} answers and {verdicts} verdicts from {path}", err=True)


@feedback.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@store_option
def export(fmt: str, store: Path | None) -> None:
    """Print every helpful / not helpful verdict with its question, answer and sources.

    Whichever replica of the Slack app took a verdict, it is in the store. The feedback
    file of earlier versions (POLICING_QA_FEEDBACK_DB, default feedback.sqlite3 beside
    the store directory) is imported first, if it is there.
    """
    from bot.slack.feedback import EXPORT_FIELDS, Feedback
    from bot.slack.feedback_import import legacy_path
    from index.store import open_store

    settings = settings_for(store)
    records = Feedback(open_store(settings))
    if legacy_path(settings).is_file():
        _import(legacy_path(settings), records)
    rows = records.export()
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "citations": json.dumps(row["citations"], ensure_ascii=False)})


@feedback.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@store_option
def import_file(path: Path, store: Path | None) -> None:
    """Copy a feedback database of earlier versions (SQLite, e.g. another host's) into
    the store; what the store already holds is kept."""
    from bot.slack.feedback import Feedback
    from index.store import open_store

    _import(path, Feedback(open_store(settings_for(store))))
    click.echo(f"{path} is in the store; it may be deleted", err=True)
