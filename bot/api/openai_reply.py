"""What an OpenAI client receives: the content, its usage, and the chunks of a stream.

- `render(answer)` is the content of a reply: the answer text, then "Sources:" and one
  line per citation, "[n] Title — date — link"; a streamed reply adds up to the same.
- Usage counts word pieces of the embedding model's tokenizer (`LocalEmbeddings.count_tokens`)
  on a private copy of it, so counting never disturbs an answer being embedded.
- A stream is `chat.completion.chunk`s: the role, content deltas as the answerer produces
  them, the sources (with the `citations` themselves) in the last content chunk, a chunk
  with `finish_reason: "stop"`, a usage chunk when `stream_options.include_usage`, then
  `[DONE]`; a failure once the stream has started is one `{"error": ...}` event, last.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
import uuid
import weakref

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from bot.api.openai_schemas import SOURCES_HEADING, ChatRequest, OpenAIError, Usage
from bot.api.runtime import Runtime, http_error
from index.errors import PolicingQAError
from index.models import Answer, Citation

log = logging.getLogger(__name__)


def sources_text(citations: list[Citation]) -> str:
    """The numbered source list that follows the answer in a reply's content."""
    if not citations:
        return ""
    lines = [
        f"[{c.n}] {c.title} — {c.published or 'undated'} — {c.url or c.source}" for c in citations
    ]
    return SOURCES_HEADING + "\n".join(lines)


def render(answer: Answer) -> str:
    """A reply's content: the answer text, then its numbered sources."""
    return answer.answer + sources_text(answer.citations)


class Reply:
    """One completion's identity and its usage, shared by the whole reply or its chunks."""

    def __init__(self, body: ChatRequest, embedder):
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = body.model
        self.include_usage = bool(body.stream_options and body.stream_options.include_usage)
        self._prompt = body.texts()
        self._embedder = embedder

    def usage(self, content: str) -> Usage:
        """Word pieces in every message (prompt) and in the content (completion)."""
        prompt = count_tokens(self._embedder, self._prompt)
        completion = count_tokens(self._embedder, [content])
        return Usage(
            prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
        )

    def chunk(self, delta: dict, finish: str | None = None, **extra) -> ServerSentEvent:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return self._event({"choices": [choice], **extra})

    def usage_chunk(self, content: str) -> ServerSentEvent:
        return self._event({"choices": [], "usage": self.usage(content).model_dump()})

    def _event(self, fields: dict) -> ServerSentEvent:
        head = {"id": self.id, "object": "chat.completion.chunk", "created": self.created}
        body = {**head, "model": self.model, **fields}
        if self.include_usage:  # the spec: every other chunk carries `usage: null`
            body.setdefault("usage", None)
        return _event(json.dumps(body, ensure_ascii=False))


_count_lock = threading.Lock()
_counters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def count_tokens(embedder, texts: list[str]) -> int:
    """Word pieces in `texts`, by the embedder's own rule on a private tokenizer copy.

    The model's tokenizer switches truncation off for a count and on for an encode, so
    counting on it while another thread embeds made that encode fail (measured: inputs
    over 512 word pieces reached the model untruncated).
    """
    with _count_lock:
        counter = _counters.get(embedder)
        if counter is None:
            counter = copy.copy(embedder)
            counter.tokenizer = copy.deepcopy(embedder.tokenizer)
            _counters[embedder] = counter
        return sum(counter.count_tokens(text) for text in texts if text)


async def stream_reply(answerer, args, kwargs, runtime: Runtime, reply: Reply, request_id: str):
    """Start the answer; a failure before its first event is still a plain HTTP error."""
    events, first, slots = await runtime.start_stream(answerer, args, kwargs)
    chunks = _chunks(events, first, slots, runtime, reply, request_id)
    return EventSourceResponse(chunks, sep="\n")


async def _chunks(events, first, slots, runtime: Runtime, reply: Reply, request_id: str):
    """The answerer's events as `chat.completion.chunk`s, then `[DONE]`."""
    item, sent = first, []
    try:
        yield reply.chunk({"role": "assistant", "content": ""})
        while item is not None:
            if (piece := _content(*item)) is not None:
                text, extra = piece
                sent.append(text)
                yield reply.chunk({"content": text}, **extra)
            item = await run_in_threadpool(next, events, None)
        yield reply.chunk({}, "stop")
        if reply.include_usage:
            yield await run_in_threadpool(reply.usage_chunk, "".join(sent))
        yield _event("[DONE]")
    except Exception as exc:
        if isinstance(exc, PolicingQAError):
            error = OpenAIError.from_http(http_error(exc))
        else:
            log.exception("stream failed id=%s", request_id)
            error = OpenAIError(500, f"internal error (request id {request_id})")
        yield _event(json.dumps(error.body()))
    finally:
        slots.release()
        runtime.answered()
        close = getattr(events, "close", None)
        if close is not None:
            close()


def _content(kind: str, value) -> tuple[str, dict] | None:
    """What an answerer event adds to the content (and the chunk's extra fields), if any."""
    if kind == "delta":
        return value, {}
    if kind == "citations" and value:
        return sources_text(value), {"citations": [c.model_dump(mode="json") for c in value]}
    return None


def _event(data: str) -> ServerSentEvent:
    """One `data:` event, ended by a blank line as OpenAI sends it (`\\n\\n`, not `\\r\\n`)."""
    return ServerSentEvent(data=data, sep="\n")
