"""The HTTP API: `create_app(settings, answerer)`; the routes are in `bot.api.routes`.

Routes (all bodies JSON; errors are `{"detail": ...}`):
- `POST /ask` -> `Answer`, the same grounded, cited answer the CLI and Slack give.
- `POST /ask/stream` -> Server-Sent Events: `delta` ({"text"}) as the answer is written,
  then `citations` (list), then `done` (the `Answer`); `error` ({"detail", "status"}) if
  it fails mid-way. Failures before the first event are plain HTTP errors instead.
- `GET /cases/{reference}` -> `CaseTimeline`: a case's releases, oldest first, each with
  what it added; 404 when no release mentions it, 422 when it is not a case number.
- `GET /healthz` (process alive, never touches the store) and `GET /readyz` (store
  counts and freshness; 503 when the store is unreachable).
- `GET /docs`, `GET /openapi.json`.
- `/v1/chat/completions`, `/v1/models`: OpenAI-compatible, with OpenAI-shaped errors
  (`bot.api.openai_compat`).
- `/mcp`: the MCP streamable HTTP transport, behind the same keys (`bot.mcp.http`).

With `POLICING_QA_API_KEYS` set, the two /ask routes and /cases need `Authorization:
Bearer KEY` (only the answering routes are rate limited); health, readiness and docs stay
open for load balancers and readers of the schema, and reveal no content. `/` and
`/slack/events` are left to the web page and the Slack app: pass them as `extra_routers` /
`mounts`, or add them to the returned app (the `serve` command composes all three).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from bot.api.limits import RateLimiter
from bot.api.middleware import BodyLimit, RequestLog
from bot.api.openai_compat import router as openai_router
from bot.api.openapi import document
from bot.api.routes import asks, cases, router
from bot.api.runtime import Runtime
from bot.api.security import ApiKeys
from bot.mcp.http import mount_mcp
from index.errors import StoreUnavailable

log = logging.getLogger(__name__)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    rid = getattr(request.state, "request_id", "-")
    log.error("unhandled error id=%s", rid, exc_info=exc)
    return JSONResponse({"detail": f"internal error (request id {rid})"}, status_code=500)


def create_app(
    settings,
    answerer=None,
    *,
    extra_routers: Iterable[APIRouter] = (),
    mounts: Sequence[tuple[str, object]] = (),
    max_concurrency: int | None = None,
    builder=None,
) -> FastAPI:
    """The API over one answerer, built at start-up from `settings` when not given.

    `extra_routers` are included and `mounts` ((path, ASGI app) pairs) mounted after the
    API's own routes, so a page at `/` cannot shadow them. `builder(settings)` replaces
    how the answerer is built (the default loads the model and opens the store).
    """
    keys = ApiKeys([k.get_secret_value() for k in settings.api_keys])
    runtime = Runtime(
        settings,
        answerer,
        max_concurrency=max_concurrency or os.cpu_count() or 2,
        queue_timeout=settings.llm_timeout,
        **({"builder": builder} if builder else {}),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if keys.open:
            log.warning(
                "no API keys configured (POLICING_QA_API_KEYS): /ask is open to "
                "anyone who can reach this server"
            )
        if not runtime.ready:
            try:
                await run_in_threadpool(runtime.answerer)
            except StoreUnavailable:
                log.error("starting without a store; /readyz answers 503 until it is back")
        async with app.state.mcp.session_manager.run():  # MCP's task group (bot.mcp.http)
            yield
        runtime.close()

    app = FastAPI(
        title="policing-qa",
        summary="Cited answers from policing publications",
        version="1",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.api_keys = keys
    app.state.rate_limiter = RateLimiter(settings.rate_limit) if settings.rate_limit else None
    app.include_router(router)
    app.include_router(asks)
    app.include_router(cases)
    app.include_router(openai_router)
    mount_mcp(app)
    for extra in extra_routers:
        app.include_router(extra)
    for path, sub in mounts:
        app.mount(path, sub)
    document(app, keys_required=not keys.open)
    app.add_exception_handler(Exception, _internal_error)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestLog)
    return app
