"""`policing-qa slack` (Socket Mode or a standalone HTTP endpoint) and `feedback export`."""

from __future__ import annotations

import csv
import json
import logging
import sys
from pathlib import Path

import click

from index.errors import ConfigError

log = logging.getLogger(__name__)


def _settings(store: Path | None):
    from index.settings import get_settings

    settings = get_settings()
    if store is not None:
        settings = settings.model_copy(update={"store": store, "chroma_url": None})
    return settings


@click.command()
@click.option(
    "--socket",
    "socket_mode",
    is_flag=True,
    help="Connect out over Socket Mode (needs POLICING_QA_SLACK_APP_TOKEN).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="POLICING_QA_HOST",
    help="HTTP mode: interface to listen on.",
)
@click.option(
    "--port",
    default=3000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="HTTP mode: port for POST /slack/events.",
)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Embedded Chroma directory (default: POLICING_QA_STORE).",
)
def slack(socket_mode: bool, host: str, port: int, store: Path | None) -> None:
    """Run the Slack app: Socket Mode with --socket, else HTTP at /slack/events."""
    from bot.answer import build_answerer
    from bot.slack import build_slack_app

    settings = _settings(store)
    if socket_mode and settings.slack_app_token is None:
        raise ConfigError(
            "POLICING_QA_SLACK_APP_TOKEN is not set: Socket Mode needs an xapp- token "
            "with connections:write (Basic Information > App-Level Tokens)"
        )
    # A service reports what it does: our loggers at INFO unless -v asked for more.
    if logging.getLogger("bot").getEffectiveLevel() > logging.INFO:
        logging.getLogger("bot").setLevel(logging.INFO)
    answerer = build_answerer(settings)
    bolt_app = build_slack_app(settings, answerer, socket_mode=socket_mode)
    if socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        click.echo("Connecting to Slack over Socket Mode; Ctrl-C to stop.", err=True)
        SocketModeHandler(bolt_app, settings.slack_app_token.get_secret_value()).start()
        return
    import uvicorn
    from fastapi import FastAPI

    from bot.slack import mount_slack

    app = FastAPI(title="policing-qa Slack endpoint", docs_url=None, redoc_url=None)
    mount_slack(app, bolt_app)
    click.echo(f"Serving POST http://{host}:{port}/slack/events", err=True)
    uvicorn.run(app, host=host, port=port, log_config=None)


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
    from bot.feedback import EXPORT_FIELDS, FeedbackStore, feedback_path

    path = db or feedback_path(_settings(None))
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
