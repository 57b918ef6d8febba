"""`policing-qa feedback export`: what people thought of the Slack app's answers."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from bot.cli.options import settings_for
from index.errors import ConfigError


@click.group()
def feedback() -> None:
    """Feedback people gave on the Slack app's answers."""


@feedback.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Feedback database (default: POLICING_QA_FEEDBACK_DB or beside the store).",
)
def export(fmt: str, db: Path | None) -> None:
    """Print every helpful / not helpful verdict with its question, answer and sources."""
    from bot.slack.feedback import EXPORT_FIELDS, FeedbackStore, feedback_path

    path = db or feedback_path(settings_for())
    if not path.is_file():
        raise ConfigError(f"no feedback database at {path} (set POLICING_QA_FEEDBACK_DB or --db)")
    rows = FeedbackStore(path).export()
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "citations": json.dumps(row["citations"], ensure_ascii=False)})
