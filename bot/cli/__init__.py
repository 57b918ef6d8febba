"""The `policing-qa` command line: one click group, one module per command, loaded on use."""

from __future__ import annotations

import importlib
import logging
import os
import sys

import click

from index.errors import PolicingQAError

# Command name -> "module:attribute"; a command's module is imported only when it runs,
# so `policing-qa ask` never pays for the server, Slack or ingestion imports.
COMMANDS = {
    "ingest": "bot.cli.ingest:ingest",
    "watch": "bot.cli.watch:watch",
    "status": "bot.cli.status:status",
    "digest": "bot.cli.digest:digest",
    "ask": "bot.cli.ask:ask",
    "case": "bot.cli.case:case",
    "eval": "bot.cli.evaluate:eval_command",
    "serve": "bot.cli.serve:serve",
    "slack": "bot.cli.slack:slack",
    "feedback": "bot.cli.feedback:feedback",
    "mcp": "bot.cli.mcp:mcp",
}


# What `policing-qa --help` says of each command: its docstring's first sentence, kept
# here so that listing the commands imports none of them (tests/test_startup_imports.py
# checks that they still open the docstrings).
SUMMARIES = {
    "ask": "Answer QUESTION from the stored publications, citing each claim.",
    "case": "Show every release of the case REFERENCE (e.g. C19-255700), oldest first, "
    "with the sentences each added.",
    "digest": "Post to a Slack channel the releases stored since the last digest to it.",
    "eval": "Score retrieval and answers on GOLD (JSON lines of questions with known sources).",
    "feedback": "Feedback people gave on the Slack app's answers, kept in the store.",
    "ingest": "Ingest publications from files, folders and URLs (pages, RSS/Atom feeds, sitemaps).",
    "mcp": "Serve the MCP tools (search_publications, ask, get_publication, case_timeline) "
    "over stdio.",
    "serve": "Serve POST /ask, /ask/stream, /healthz, /readyz, /docs, the web page and Slack.",
    "slack": "Run the Slack app: Socket Mode with --socket, else HTTP at /slack/events.",
    "status": "Show each URL source's last run, last success, items seen and last error.",
    "watch": "Re-ingest the sources in a sources file every --every until stopped (Ctrl-C, "
    "SIGTERM).",
}


class _Group(click.Group):
    """Loads commands lazily and turns domain errors into one-line messages."""

    def list_commands(self, ctx) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx, formatter) -> None:
        """The command list from SUMMARIES: click's own would import every command."""
        rows = [(name, SUMMARIES.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

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
    # Models load from installed packages only; nothing may reach for a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Transformers and Chroma are chatty at INFO; their news is not ours.
    for noisy in ("httpx", "chromadb", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
