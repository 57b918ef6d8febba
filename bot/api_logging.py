"""One structured log line per HTTP request, with a request id the client can quote."""

from __future__ import annotations

import logging
import re
import time
import uuid

log = logging.getLogger(__name__)

_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestLog:
    """ASGI middleware: log method, path, status and latency; echo `X-Request-ID`.

    Only the path is logged: never the query string, headers (keys) or body (questions).
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
            fields = {
                "request_id": rid,
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "latency_ms": round(ms, 1),
            }
            log.info(
                "method=%s path=%s status=%d latency_ms=%.1f request_id=%s",
                scope["method"],
                scope["path"],
                status,
                ms,
                rid,
                extra=fields,
            )
