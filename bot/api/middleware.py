"""ASGI middleware: one log line per request with its id, and the request body limit."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid

log = logging.getLogger(__name__)

_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_UNPRINTABLE = re.compile(r"[^\x21-\x7e]")


def printable(text: str, limit: int = 512) -> str:
    """`text` as one line of visible ASCII: anything else escaped (\\x0a), at most `limit`.

    Whatever a client sends that reaches the log goes through here, so one request is
    one line and no client can write a line that reads as another request.
    """
    text = text if len(text) <= limit else text[:limit] + "..."
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


class RequestLog:
    """ASGI middleware: log method, path, status and latency; echo `X-Request-ID`.

    Only the path is logged, as the client sent it (percent-encoded) and escaped: never
    the query string, headers (keys) or body (questions).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _CLIENT_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500  # what the client sees if the app dies before answering

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())],
                }
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            ms = (time.perf_counter() - started) * 1000
            raw = scope.get("raw_path") or scope["path"].encode("utf-8", "replace")
            fields = {
                "request_id": rid,
                "method": printable(scope["method"], 16),
                "path": printable(raw.decode("latin-1")),
                "status": status,
                "latency_ms": round(ms, 1),
            }
            log.info(
                "method=%s path=%s status=%d latency_ms=%.1f request_id=%s",
                fields["method"],
                fields["path"],
                status,
                ms,
                rid,
                extra=fields,
            )


# A body must arrive within this many seconds (a client trickling bytes holds a worker).
BODY_SECONDS = 10.0
# Chat clients (Open WebUI, LibreChat) send the whole conversation with every question.
CHAT_PREFIX, CHAT_FACTOR = "/v1/", 16


class BodyLimit:
    """ASGI middleware: refuse bodies over `limit` bytes, by header and by bytes received.

    The body is read up to the limit before the app sees it, so a client that lies in
    Content-Length or streams chunked data still cannot make the app buffer more, nor
    hold a worker by trickling it: the body must arrive within `read_seconds`. The
    OpenAI-compatible routes take CHAT_FACTOR times more (whole conversations) and get
    their refusals in OpenAI's error shape.
    """

    def __init__(self, app, limit: int, read_seconds: float | None = None):
        self.app = app
        self.limit = limit
        self.read_seconds = read_seconds or BODY_SECONDS

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chat = scope["path"].startswith(CHAT_PREFIX)
        limit = self.limit * (CHAT_FACTOR if chat else 1)
        reply = _openai_reply if chat else _reply
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await reply(send, 400, "Content-Length is not a number")
                return
            if int(declared) > limit:
                await reply(send, 413, _too_big(f"declares {int(declared):,} bytes", limit))
                return
        try:
            async with asyncio.timeout(self.read_seconds):
                body = await _read(receive, limit)
        except TimeoutError:
            await reply(send, 408, f"request body not received within {self.read_seconds:g}s")
            return
        except _TooBig as exc:
            await reply(send, 413, _too_big(f"is over {exc.size:,} bytes", limit))
            return
        if body is None:  # the client went away
            return
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class _TooBig(Exception):
    def __init__(self, size: int):
        self.size = size


async def _read(receive, limit: int) -> bytes | None:
    """The whole body, or _TooBig as soon as it passes `limit`; None on a disconnect."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            raise _TooBig(size)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _too_big(what: str, limit: int) -> str:
    return f"request body {what}, over the limit of {limit:,} bytes"


async def _openai_reply(send, code: int, detail: str) -> None:
    kind = "request_too_large" if code == 413 else "invalid_request"
    error = {"message": detail, "type": "invalid_request_error", "param": None, "code": kind}
    await _reply(send, code, detail, {"error": error})


async def _reply(send, code: int, detail: str, payload: dict | None = None) -> None:
    body = json.dumps(payload or {"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
