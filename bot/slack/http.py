"""`policing-qa slack` in HTTP mode: /slack/events alone, guarded like `serve` guards it.

Bolt checks a request's signature only once it holds the whole body, so the body is
bounded first (`BodyLimit`, the same limit and code `serve` uses) and the request as a
whole gets a deadline: a client that declares a huge body, streams one, or trickles a
few bytes a minute is answered (413, 408) and let go before any signature work.
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from slack_bolt import App

from bot.api.middleware import BodyLimit, RequestLog
from bot.slack.app import mount_slack
from index.settings import Settings

REQUEST_TIMEOUT = 10.0  # seconds; Slack itself gives up on us after 3


class RequestTimeout:
    """ASGI middleware: a request not answered within `seconds` gets 408 and is dropped."""

    def __init__(self, app, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, tracked)
        except TimeoutError:
            if not started:
                detail = f"request not completed within {self.seconds:g}s"
                await JSONResponse({"detail": detail}, 408)(scope, receive, send)


def create_slack_http_app(
    settings: Settings, bolt_app: App, *, timeout: float = REQUEST_TIMEOUT
) -> RequestLog:
    """The ASGI app serving POST /slack/events, with the body limit and a request deadline."""
    app = FastAPI(title="policing-qa Slack endpoint", docs_url=None, redoc_url=None)
    mount_slack(app, bolt_app)
    limited = BodyLimit(app, settings.max_body_bytes)
    return RequestLog(RequestTimeout(limited, timeout))
