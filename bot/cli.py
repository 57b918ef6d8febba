"""The `policing-qa` command line: one click group, each command in its own module."""

from __future__ import annotations

import logging
import os
import sys

import click

from index.errors import PolicingQAError


class _Group(click.Group):
    """Turns domain errors into one-line messages instead of tracebacks."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PolicingQAError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Answer questions about policing publications, with citations."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Transformers and Chroma are chatty at INFO; their news is not ours.
    for noisy in ("httpx", "chromadb", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def _register() -> None:
    from ingest.cli import ingest

    main.add_command(ingest)
    from ingest.watch_cli import status, watch

    main.add_command(watch)
    main.add_command(status)
    from bot.ask_cli import ask

    main.add_command(ask)
    from bot.eval_cli import eval_command

    main.add_command(eval_command)
    from bot.serve_cli import serve

    main.add_command(serve)
    from bot.slack_cli import feedback, slack

    main.add_command(slack)
    main.add_command(feedback)


_register()
