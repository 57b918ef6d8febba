"""`policing-qa mcp`: the MCP server on stdin/stdout, for an MCP client that starts it."""

from __future__ import annotations

import os
from pathlib import Path

import click

from bot.cli.options import log_as_service, settings_for, store_option


@click.command("mcp")
@store_option
def mcp(store: Path | None) -> None:
    """Serve the MCP tools (search_publications, ask, get_publication, case_timeline)
    over stdio.

    Stdout carries the protocol; logs go to stderr. Over HTTP, `policing-qa serve`
    serves the same tools at /mcp.
    """
    from bot.mcp.stdio import run_stdio
    from index.embed import resolve_model_path

    # A long-lived process, as `serve` is: keep oneDNN from caching a kernel per input
    # shape (see bot/cli/serve.py). Must precede torch.
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")
    settings = settings_for(store, must_exist=True)
    resolve_model_path(settings.embedding_model)  # a bad model path is a one-line error now
    log_as_service(settings, "bot.mcp")
    run_stdio(settings)
