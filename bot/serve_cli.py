"""`policing-qa serve`: run the HTTP API as a long-lived service under uvicorn."""

from __future__ import annotations

import logging
import os
from functools import partial
from pathlib import Path

import click

log = logging.getLogger(__name__)


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="POLICING_QA_HOST",
    help="Interface to listen on (0.0.0.0 for all).",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    envvar="POLICING_QA_PORT",
    help="TCP port to listen on.",
)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Embedded Chroma directory (default: POLICING_QA_STORE).",
)
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
    help="Threads per embedding call (default: CPU count / concurrency).",
)
def serve(
    host: str, port: int, store: Path | None, concurrency: int | None, torch_threads: int | None
) -> None:
    """Serve POST /ask, /ask/stream, /healthz, /readyz and /docs over HTTP."""
    import uvicorn

    from bot.api import create_app
    from bot.api_runtime import build_answerer_for
    from bot.web import build_web_router
    from index.embed import resolve_model_path
    from index.settings import get_settings

    # oneDNN caches a kernel per input shape; questions vary in shape, so a long-lived
    # process keeps growing (measured: +800 MiB over 120 encodes). Must precede torch.
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")
    settings = get_settings()
    if store is not None:
        settings = settings.model_copy(update={"store": store, "chroma_url": None})
    resolve_model_path(settings.embedding_model)  # a bad model path is a one-line error now
    # A service logs its requests: our loggers and uvicorn's start-up lines at INFO.
    for name in ("bot", "uvicorn.error"):
        if logging.getLogger(name).getEffectiveLevel() > logging.INFO:
            logging.getLogger(name).setLevel(logging.INFO)
    # Threads for answers x threads per encode = cores: answers in parallel, no thrashing.
    cores = os.cpu_count() or 2
    concurrency = concurrency or cores
    torch_threads = torch_threads or max(1, cores // concurrency)
    builder = partial(build_answerer_for, parallel=concurrency, torch_threads=torch_threads)
    log.info("serving %d answers at once, %d torch threads each", concurrency, torch_threads)
    app = create_app(
        settings, max_concurrency=concurrency, extra_routers=[build_web_router()], builder=builder
    )
    # Our RequestLog replaces uvicorn's access log; log_config=None keeps our handlers.
    uvicorn.run(
        app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=10
    )
