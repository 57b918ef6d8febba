"""The HTTP API: `create_app(settings, answerer)` and its routes.

Routes (all bodies JSON; errors are `{"detail": ...}`):
- `POST /ask` -> `Answer`, the same grounded, cited answer the CLI and Slack give.
- `POST /ask/stream` -> Server-Sent Events: `delta` ({"text"}) as the answer is written,
  then `citations` (list), then `done` (the `Answer`); `error` ({"detail", "status"}) if
  it fails mid-way. Failures before the first event are plain HTTP errors instead.
- `GET /healthz` (process alive, never touches the store) and `GET /readyz` (store
  counts and freshness; 503 when the store is unreachable).
- `GET /docs`, `GET /openapi.json`.

With `POLICING_QA_API_KEYS` set, the two /ask routes need `Authorization: Bearer KEY`;
health, readiness and docs stay open for load balancers and readers of the schema, and
reveal no content. `/` and `/slack/events` are left to the web page and the Slack app:
pass them as `extra_routers` / `mounts`, or add them to the returned app.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from bot.api_logging import RequestLog
from bot.api_models import AskRequest, ErrorBody, Health, Readiness
from bot.api_runtime import Runtime, http_error
from bot.api_security import ApiKeys, BodyLimit, RequireKey
from bot.slack import mount_slack_if_configured
from index.errors import PolicingQAError, StoreUnavailable
from index.models import Answer

log = logging.getLogger(__name__)

_ERRORS = {code: {"model": ErrorBody} for code in (401, 413, 503)}


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
router = APIRouter()
asks = APIRouter(dependencies=[RequireKey], responses=_ERRORS, tags=["ask"])


@router.get("/healthz", response_model=Health, tags=["ops"])
async def healthz() -> Health:
    """Say the process is alive; never touches the store."""
    return Health()


@router.get(
    "/readyz", response_model=Readiness, tags=["ops"], responses={503: {"model": Readiness}}
)
async def readyz(runtime: RuntimeDep):
    """Report store counts, the last ingest and the newest publication; 503 if unreachable."""
    ok, body = await run_in_threadpool(runtime.readiness)
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)


# Load balancers often probe with HEAD; same answers, kept out of the schema.
router.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/readyz", readyz, methods=["HEAD"], include_in_schema=False)


async def _prepare(body: AskRequest, request: Request, runtime: Runtime):
    """Check what pydantic cannot (the configured limit) and get the shared answerer."""
    limit = runtime.settings.max_question_chars
    if len(body.question) > limit:
        size = len(body.question)
        raise HTTPException(
            413, detail=f"question is {size:,} characters, over the limit of {limit:,}"
        )
    if runtime.settings.log_questions:
        log.info("question id=%s: %r", request.state.request_id, body.question)
    try:
        return runtime.answerer() if runtime.ready else await run_in_threadpool(runtime.answerer)
    except StoreUnavailable as exc:
        raise http_error(exc) from exc


def _call_args(body: AskRequest) -> tuple[tuple, dict]:
    return (body.question, body.history), {
        "since": body.since,
        "until": body.until,
        "top_k": body.top_k,
    }


@asks.post("/ask", response_model=Answer)
async def ask(body: AskRequest, request: Request, runtime: RuntimeDep) -> Answer:
    """Answer a question from the publications, with numbered citations."""
    answerer = await _prepare(body, request, runtime)
    args, kwargs = _call_args(body)
    slots = await runtime.slot()
    try:
        return await run_in_threadpool(answerer.ask, *args, **kwargs)
    except PolicingQAError as exc:
        raise http_error(exc) from exc
    finally:
        slots.release()
        runtime.answered()


@asks.post(
    "/ask/stream",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "events delta*, citations, done (or error)",
            "content": {"text/event-stream": {}},
        }
    },
)
async def ask_stream(body: AskRequest, request: Request, runtime: RuntimeDep):
    """Stream the answer as Server-Sent Events: delta..., citations, done."""
    answerer = await _prepare(body, request, runtime)
    args, kwargs = _call_args(body)
    slots = await runtime.slot()
    try:
        events = answerer.stream(*args, **kwargs)
        # The first step retrieves and reaches the backend: its failure is still an HTTP error.
        first = await run_in_threadpool(next, events, None)
    except BaseException as exc:
        slots.release()
        if isinstance(exc, PolicingQAError):
            raise http_error(exc) from exc
        raise
    return EventSourceResponse(_sse(events, first, slots, runtime, request.state.request_id))


def _encode(kind: str, payload) -> str:
    match kind:
        case "delta":
            return json.dumps({"text": payload})
        case "citations":
            return json.dumps([c.model_dump(mode="json") for c in payload])
        case "done":
            return payload.model_dump_json()
    raise ValueError(f"unknown stream event {kind!r}")


async def _sse(events, first, slots, runtime: Runtime, request_id: str):
    item = first
    try:
        while item is not None:
            yield ServerSentEvent(data=_encode(*item), event=item[0])
            item = await run_in_threadpool(next, events, None)
    except PolicingQAError as exc:
        err = http_error(exc)
        yield ServerSentEvent(
            event="error", data=json.dumps({"detail": err.detail, "status": err.status_code})
        )
    except Exception:
        log.exception("stream failed id=%s", request_id)
        yield ServerSentEvent(
            event="error",
            data=json.dumps({"detail": f"internal error (request id {request_id})", "status": 500}),
        )
    finally:
        slots.release()
        runtime.answered()
        close = getattr(events, "close", None)
        if close is not None:
            close()


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
        yield

    app = FastAPI(
        title="policing-qa",
        summary="Cited answers from policing publications",
        version="1",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.api_keys = keys
    app.include_router(router)
    app.include_router(asks)
    # Slack events share the answerer; Bolt checks their signatures instead of API keys.
    mount_slack_if_configured(app, settings, answerer if answerer is not None else runtime.answerer)
    for extra in extra_routers:
        app.include_router(extra)
    for path, sub in mounts:
        app.mount(path, sub)
    app.add_exception_handler(Exception, _internal_error)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestLog)
    return app
