"""The API's routes: thin handlers over the shared Runtime (see `bot.api.app`)."""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from bot.api.deps import RateLimit, RequireKey, RuntimeDep
from bot.api.runtime import Runtime, http_error
from bot.api.schemas import AskRequest, CasePath, CaseTimeline, ErrorBody, Health, Readiness
from bot.cases.timeline import CaseBook
from index.errors import PolicingQAError, StoreUnavailable
from index.models import Answer

log = logging.getLogger(__name__)

_ERRORS = {code: {"model": ErrorBody} for code in (401, 413, 429, 503)}


router = APIRouter()
asks = APIRouter(dependencies=[RequireKey, RateLimit], responses=_ERRORS, tags=["ask"])
# Publication content, so behind the keys; reading a timeline costs no answer, so no rate limit.
cases = APIRouter(
    dependencies=[RequireKey],
    responses={code: {"model": ErrorBody} for code in (401, 503)},
    tags=["cases"],
)


@router.get("/healthz", response_model=Health, tags=["ops"])
async def healthz() -> Health:
    """Say the process is alive; never touches the store."""
    return Health()


@router.get(
    "/readyz", response_model=Readiness, tags=["ops"], responses={503: {"model": Readiness}}
)
async def readyz(runtime: RuntimeDep):
    """Report store counts, the last ingest and the newest publication; 503 if unreachable.

    The figures are measured every few seconds in the background, never per request.
    """
    ready = runtime.readiness()
    if ready is None:  # the very first probe waits for the first measure
        ready = await run_in_threadpool(runtime.wait_readiness)
    ok, body = ready
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
    return await _shared_answerer(runtime)


async def _shared_answerer(runtime: Runtime):
    """The Runtime's answerer (and its store), built off the event loop if not yet."""
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
    events, first, slots = await runtime.start_stream(answerer, args, kwargs)
    return EventSourceResponse(_sse(events, first, slots, runtime, request.state.request_id))


@cases.get(
    "/cases/{reference}",
    response_model=CaseTimeline,
    responses={404: {"model": ErrorBody, "description": "No release mentions the case"}},
)
async def case_timeline(reference: CasePath, runtime: RuntimeDep) -> CaseTimeline:
    """Every release of a case, oldest first, each with the sentences it added."""
    store = (await _shared_answerer(runtime)).store
    try:
        timeline = await run_in_threadpool(CaseBook(store).timeline, reference)
    except PolicingQAError as exc:
        raise http_error(exc) from exc
    if timeline is None:
        raise HTTPException(404, detail=f"no release mentions {reference}")
    return CaseTimeline.model_validate(timeline.as_json())


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
