"""OpenAI-compatible routes: `POST /v1/chat/completions`, `GET /v1/models[/{id}]`.

What this module guarantees to an OpenAI client (the official SDK, LangChain, Open WebUI):
- The same API keys, rate limit, answer slots, queue timeout and logging rules as `/ask`
  (through the same `_prepare`): the question is logged only with
  `POLICING_QA_LOG_QUESTIONS`.
- Model `policing-qa` answers extractively (quoted sentences, no LLM); `policing-qa-openai`
  exists only when `POLICING_QA_GENERATOR=openai` and answers through that LLM server.
- The last user message is the question, earlier user and assistant turns its history
  (`ChatRequest.conversation`); system and developer messages do not steer retrieval.
- Every error on these routes, bad JSON and schema errors included (400 here, not 422),
  is OpenAI's `{"error": {"message", "type", "param", "code"}}`; an unsupported feature
  is a 400 naming the field, never a 500.
- The reply (content with numbered sources, `citations`, `usage`, stream chunks) is built
  by `bot.api.openai_reply`.
"""

from __future__ import annotations

import copy
import functools
import logging
import time
import weakref

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.api.deps import RateLimit, RequireKey, RuntimeDep
from bot.api.openai_reply import Reply, render, stream_reply
from bot.api.openai_schemas import (
    AssistantMessage,
    ChatCompletion,
    ChatRequest,
    Choice,
    ErrorResponse,
    ModelCard,
    ModelList,
    OpenAIError,
)
from bot.api.routes import _call_args, _prepare
from bot.api.runtime import http_error
from bot.api.schemas import AskRequest
from index.errors import PolicingQAError

log = logging.getLogger(__name__)

MODEL = "policing-qa"
OPENAI_MODEL = "policing-qa-openai"


class _OpenAIRoute(APIRoute):
    """A route whose every failure is answered with OpenAI's error object."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request):
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return _reply_error(_invalid(exc.errors()))
            except StarletteHTTPException as exc:  # FastAPI's own (a body it cannot parse)
                return _reply_error(OpenAIError.from_http(exc))
            except OpenAIError as exc:
                return _reply_error(exc)
            except Exception:
                rid = getattr(request.state, "request_id", "-")
                log.exception("unhandled error id=%s", rid)
                return _reply_error(OpenAIError(500, f"internal error (request id {rid})"))

        return route


def _reply_error(error: OpenAIError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def _invalid(errors) -> OpenAIError:
    """What pydantic found wrong with a request, as one 400 naming the first field."""
    messages, params = [], []
    for error in errors[:3]:
        loc = [p for p in error.get("loc", ()) if p != "body"]
        if error.get("type") == "json_invalid":
            detail = (error.get("ctx") or {}).get("error", "")
            messages.append(f"the body is not valid JSON ({detail})")
            continue
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        params.append(where or None)
        if error.get("type") == "missing":
            messages.append(f"{where} is required")
        else:
            messages.append(f"{where or 'the body'}: {error.get('msg')}")
    return OpenAIError(400, "; ".join(messages), params[0] if params else None)


_ERRORS = {code: {"model": ErrorResponse} for code in (400, 401, 404, 413, 429, 503)}
router = APIRouter(
    prefix="/v1",
    dependencies=[RequireKey],
    route_class=_OpenAIRoute,
    responses=_ERRORS,
    tags=["openai"],
)


def model_ids(settings) -> list[str]:
    """The models this server offers: the LLM-backed one only when an LLM is configured."""
    return [MODEL, OPENAI_MODEL] if settings.generator == "openai" else [MODEL]


def _check_model(model: str, settings) -> None:
    offered = model_ids(settings)
    if model not in offered:
        raise OpenAIError(
            404,
            f"the model {model!r} does not exist; this server offers: {', '.join(offered)}",
            "model",
            "model_not_found",
        )


@functools.cache
def _created() -> int:
    """When the models were first listed by this process (OpenAI's `created`)."""
    return int(time.time())


@router.get("/models", response_model=ModelList)
async def list_models(runtime: RuntimeDep) -> ModelList:
    """The model ids to send as `model`."""
    return ModelList(
        data=[ModelCard(id=m, created=_created()) for m in model_ids(runtime.settings)]
    )


@router.get("/models/{model_id}", response_model=ModelCard)
async def get_model(model_id: str, runtime: RuntimeDep) -> ModelCard:
    """One model, or 404 `model_not_found`."""
    _check_model(model_id, runtime.settings)
    return ModelCard(id=model_id, created=_created())


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    dependencies=[RateLimit],
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def chat_completions(body: ChatRequest, request: Request, runtime: RuntimeDep):
    """Answer the last user message with cited sources; `stream: true` sends chunks."""
    _check_model(body.model, runtime.settings)
    body.check_supported()
    question, history = body.conversation()
    ask = AskRequest(question=question, history=history)
    answerer = _for_model(await _prepare(ask, request, runtime), body.model)
    args, kwargs = _call_args(ask)
    reply = Reply(body, answerer.embedder)
    if body.stream:
        return await stream_reply(answerer, args, kwargs, runtime, reply, request.state.request_id)
    slots = await runtime.slot()
    try:
        answer = await run_in_threadpool(answerer.ask, *args, **kwargs)
    except PolicingQAError as exc:
        raise http_error(exc) from exc
    finally:
        slots.release()
        runtime.answered()
    content = render(answer)
    return ChatCompletion(
        id=reply.id,
        created=reply.created,
        model=reply.model,
        choices=[Choice(message=AssistantMessage(content=content))],
        usage=await run_in_threadpool(reply.usage, content),
        citations=answer.citations,
    )


_extractive: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _for_model(answerer, model: str):
    """The answerer itself for the LLM model; a copy without its LLM for `policing-qa`."""
    if model == OPENAI_MODEL or getattr(answerer, "generator", None) is None:
        return answerer
    if answerer not in _extractive:  # runs on the event loop: no race
        # A shallow copy shares the store, embedder, retriever and caches.
        view = copy.copy(answerer)
        view.generator = None
        _extractive[answerer] = view
    return _extractive[answerer]
