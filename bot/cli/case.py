"""`policing-qa case`: a case's timeline, oldest first, with what each release added."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import click

from bot.cases.timeline import CASE_NUMBER_SHAPE, CaseBook, Entry, Timeline, case_key
from bot.cli.options import settings_for, store_option

# Sentences quoted per release in text mode; the rest are counted.
SHOWN = 3
_INDENT = "    "


def format_timeline(timeline: Timeline, width: int = 88, shown: int = SHOWN) -> str:
    """The timeline as text: per release its date, title, link and what it added."""
    count = len(timeline.entries)
    lines = [f"Case {timeline.key}: {count} release{'' if count == 1 else 's'}, oldest first"]
    for entry in timeline.entries:
        lines += ["", *_entry_lines(entry, width, shown)]
    return "\n".join(lines)


def _entry_lines(entry: Entry, width: int, shown: int) -> list[str]:
    date = entry.published.isoformat() if entry.published else "undated"
    lines = [f"{date}  {entry.title}", f"{_INDENT}{entry.url or entry.source}"]
    if not entry.added:
        lines.append(f"{_INDENT}(adds nothing the earlier releases did not say)")
    lines += [_quote(sentence, width) for sentence in entry.added[:shown]]
    if len(entry.added) > shown:
        lines.append(f"{_INDENT}(+{len(entry.added) - shown} more)")
    return lines


def _quote(sentence: str, width: int) -> str:
    """A sentence in quotes, wrapped; the lines of a list it holds ("- Charge") kept."""
    parts = [" ".join(line.split()) for line in sentence.splitlines() if line.strip()]
    parts[0] = f"“{parts[0]}"
    parts[-1] = f"{parts[-1]}”"
    first, *rest = parts
    out = [textwrap.fill(first, width, initial_indent=_INDENT, subsequent_indent=_INDENT + " ")]
    indent = _INDENT + "  "
    out += [textwrap.fill(p, width, initial_indent=indent, subsequent_indent=indent) for p in rest]
    return "\n".join(out)


class CaseNumber(click.ParamType):
    """A case number (`C19-255700`, `c19 255700`), normalised; anything else is a usage error."""

    name = "CASE-NUMBER"

    def convert(self, value, param, ctx):
        key = case_key(str(value))
        if key is None:
            self.fail(f"{value!r} is not a case number; {CASE_NUMBER_SHAPE}", param, ctx)
        return key


@click.command()
@click.argument("reference", type=CaseNumber())
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as one JSON object.")
def case(reference: str, store: Path | None, as_json: bool) -> None:
    """Show every release of the case REFERENCE (e.g. C19-255700), oldest first, with the
    sentences each added. Exit status 1 when no release mentions it."""
    from index.store import open_store  # Chroma: loaded only when the command runs

    timeline = CaseBook(open_store(settings_for(store, must_exist=True))).timeline(reference)
    if timeline is None:
        click.echo(f"no release mentions {reference}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(timeline.as_json(), ensure_ascii=False))
    else:
        click.echo(format_timeline(timeline))
