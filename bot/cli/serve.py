"""`policing-qa serve`: run the HTTP API, the web page and (when configured) Slack."""

from __future__ import annotations

import logging
import os
from functools import partial
from pathlib import Path

import click

from bot.cli.options import log_as_service, settings_for, store_option

log = logging.getLogger(__name__)


@click.command()
@click.option("--host", help="Interface to listen on, 0.0.0.0 for all [POLICING_QA_HOST].")
@click.option("--port", type=click.IntRange(1, 65535), help="TCP port [POLICING_QA_PORT].")
@store_option
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=None,
    help="Answers computed at once; more requests wait (default: CPU count).",
)
@click.option(
    "--torch-threads",
    type=click.IntRange(1, 64),
    default=None,
    help="Threads per embedding call (default: CPU count).",
)
def serve(
    host: str | None,
    port: int | None,
    store: Path | None,
    concurrency: int | None,
    torch_threads: int | None,
) -> None:
    """Serve POST /ask, /ask/stream, /healthz, /readyz, /docs, the web page and Slack."""
    import uvicorn

    from index.embed import resolve_model_path

    # oneDNN caches a kernel per input shape; questions vary in shape, so a long-lived
    # process keeps growing (measured: +800 MiB over 120 encodes). Must precede torch.
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")
    settings = settings_for(store)
    resolve_model_path(settings.embedding_model)  # a bad model path is a one-line error now
    log_as_service(settings, "bot", "uvicorn.error")
    app = service_app(settings, concurrency, torch_threads)
    # Our RequestLog replaces uvicorn's access log; log_config=None keeps our handlers.
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


def service_app(settings, concurrency: int | None = None, torch_threads: int | None = None):
    """The app `serve` runs: the API, the web page, and Slack when it is configured.

    Everything it keeps between requests is in the store, so several of these (on one or
    many machines) on one Chroma server answer alike, Slack included.
    """
    from bot.api.app import create_app
    from bot.api.runtime import build_answerer_for
    from bot.api.web import build_web_router
    from bot.slack.app import mount_slack_if_configured

    # Each encode may use every core: a lone question is answered fastest that way (warm
    # p50 138 ms against 225 ms with one thread each, on 2 cores), and with several at once
    # the oversubscription cost 5% of throughput (bench/http.py, 4 clients).
    cores = os.cpu_count() or 2
    concurrency = concurrency or cores
    torch_threads = torch_threads or cores
    builder = partial(build_answerer_for, parallel=concurrency, torch_threads=torch_threads)
    log.info("serving %d answers at once, %d embedding threads each", concurrency, torch_threads)
    app = create_app(
        settings, max_concurrency=concurrency, extra_routers=[build_web_router()], builder=builder
    )
    # Slack events share the answerer; Bolt checks their signatures instead of API keys.
    mount_slack_if_configured(app, settings, app.state.runtime.answerer)
    return app
