"""`policing-qa slack`: the Slack app in Socket Mode or as a standalone HTTP endpoint."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from bot.cli.options import log_as_service, settings_for, store_option
from index.errors import ConfigError

log = logging.getLogger(__name__)


@click.command()
@click.option(
    "--socket",
    "socket_mode",
    is_flag=True,
    help="Connect out over Socket Mode (needs POLICING_QA_SLACK_APP_TOKEN).",
)
@click.option("--host", help="HTTP mode: interface to listen on [POLICING_QA_HOST].")
@click.option(
    "--port",
    default=3000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="HTTP mode: port for POST /slack/events.",
)
@store_option
def slack(socket_mode: bool, host: str | None, port: int, store: Path | None) -> None:
    """Run the Slack app: Socket Mode with --socket, else HTTP at /slack/events."""
    from bot.answer.answerer import build_answerer
    from bot.slack.app import build_slack_app

    settings = settings_for(store)
    if socket_mode and settings.slack_app_token is None:
        raise ConfigError(
            "POLICING_QA_SLACK_APP_TOKEN is not set: Socket Mode needs an xapp- token "
            "with connections:write (Basic Information > App-Level Tokens)"
        )
    log_as_service(settings, "bot")
    answerer = build_answerer(settings)
    bolt_app = build_slack_app(settings, answerer, socket_mode=socket_mode)
    if socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        click.echo("Connecting to Slack over Socket Mode; Ctrl-C to stop.", err=True)
        SocketModeHandler(bolt_app, settings.slack_app_token.get_secret_value()).start()
        return
    import uvicorn

    from bot.slack.http import create_slack_http_app

    # Bodies are bounded and requests timed before Bolt reads a signature.
    app = create_slack_http_app(settings, bolt_app)
    host = host or settings.host
    click.echo(f"Serving POST http://{host}:{port}/slack/events", err=True)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
