"""`policing-qa ask`: answer one question from the command line, with its sources."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import click

from index.models import Answer


class DateType(click.ParamType):
    """A YYYY-MM-DD date; anything else is a usage error naming the option."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2019-10-31", param, ctx)


def format_answer(answer: Answer, width: int = 88) -> str:
    """The answer as text: the answer paragraph, then its numbered sources."""
    lines = [textwrap.fill(p, width) if "\n" not in p else p for p in [answer.answer]]
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
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Embedded Chroma directory (default: POLICING_QA_STORE).",
)
@click.option("--since", type=DateType(), help="Only releases published on or after this date.")
@click.option("--until", type=DateType(), help="Only releases published on or before this date.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
def ask(
    question: str, store: Path | None, since: dt.date | None, until: dt.date | None, as_json: bool
) -> None:
    """Answer QUESTION from the stored publications, citing each claim."""
    from bot.answer import build_answerer
    from index.settings import get_settings

    if not question.strip():
        raise click.UsageError("QUESTION is empty")
    if since and until and since > until:
        raise click.UsageError(f"--since {since} is after --until {until}")
    settings = get_settings()
    if store is not None:
        if not store.is_dir():
            raise click.UsageError(f"--store {store}: no such directory")
        settings = settings.model_copy(update={"store": store, "chroma_url": None})
    answer = build_answerer(settings).ask(question, since=since, until=until)
    if as_json:
        click.echo(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False))
    else:
        click.echo(format_answer(answer))
