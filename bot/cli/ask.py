"""`policing-qa ask`: answer one question from the command line, with its sources."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.options import DateType, settings_for, store_option

if TYPE_CHECKING:  # pydantic loads when the command runs, not for its --help
    from index.models import Answer


def format_answer(answer: Answer, width: int = 88) -> str:
    """The answer as text: its paragraphs wrapped (list lines kept), then numbered sources."""
    paragraphs = answer.answer.split("\n\n")
    lines = ["\n\n".join(textwrap.fill(p, width) if "\n" not in p else p for p in paragraphs)]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            lines.append(f"[{c.n}] {c.title} ({c.published or 'undated'})")
            lines.append(f"    {c.url or c.source}")
    if answer.as_of:
        lines += ["", f"As of {answer.as_of}."]
    return "\n".join(lines)


@click.command()
@click.argument("question")
@store_option
@click.option("--since", type=DateType(), help="Only releases published on or after this date.")
@click.option("--until", type=DateType(), help="Only releases published on or before this date.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
def ask(
    question: str, store: Path | None, since: dt.date | None, until: dt.date | None, as_json: bool
) -> None:
    """Answer QUESTION from the stored publications, citing each claim."""
    from bot.answer.answerer import build_answerer

    if not question.strip():
        raise click.UsageError("QUESTION is empty")
    if since and until and since > until:
        raise click.UsageError(f"--since {since} is after --until {until}")
    settings = settings_for(store, must_exist=True)
    answer = build_answerer(settings).ask(question, since=since, until=until)
    if as_json:
        click.echo(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False))
    else:
        click.echo(format_answer(answer))
