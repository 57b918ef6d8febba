"""The MCP streamable HTTP transport at `/mcp` on the API, behind the API's keys.

Stateless with JSON replies: each POST carries one JSON-RPC message and gets its reply
in the body, so no session outlives a request and any instance can serve any call. The
session manager still needs a task group for the app's lifetime: `create_app`'s
lifespan runs `app.state.mcp.session_manager.run()` around its own start-up.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import JSONResponse

from bot.api.security import ApiKeys
from bot.mcp.server import build_mcp_server

# Origin checks are ours (see `Guard`); the SDK's also pins the Host header to
# loopback names, which would refuse a server that `serve --host 0.0.0.0` exposes.
_TRANSPORT = TransportSecuritySettings(enable_dns_rebinding_protection=False)
_LOOPBACK_ORIGIN = re.compile(r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?")


def mount_mcp(app: FastAPI, path: str = "/mcp") -> MCPServer:
    """Serve the MCP tools at `path`, over the app's shared Runtime and API keys."""
    server = build_mcp_server(app.state.runtime)
    # Called for the session manager it sets up; the route below serves that manager
    # directly, behind the key check, instead of the Starlette app this returns.
    server.streamable_http_app(
        stateless_http=True, json_response=True, transport_security=_TRANSPORT
    )
    guarded = Guard(server.session_manager.handle_request, app.state.api_keys)
    app.add_route(path, guarded, include_in_schema=False)
    app.state.mcp = server
    return server


class Guard:
    """ASGI wrapper: a valid `Authorization: Bearer KEY` when keys are configured (as for
    `/ask`, see `bot.api.security`), and no browser page from another site.

    MCP clients send no Origin header; browsers always do on a POST. Refusing foreign
    origins stops a web page, even one whose DNS name was rebound to this server, from
    calling the tools through a visitor's browser.
    """

    def __init__(self, app, keys: ApiKeys):
        self.app = app
        self.keys = keys

    async def __call__(self, scope, receive, send):
        refusal = self._refusal(dict(scope["headers"])) if scope["type"] == "http" else None
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refusal(self, headers: dict[bytes, bytes]) -> JSONResponse | None:
        origin = headers.get(b"origin", b"").decode("latin-1")
        if origin and not _LOOPBACK_ORIGIN.fullmatch(origin):
            return JSONResponse({"detail": f"origin {origin} may not call /mcp"}, 403)
        if self.keys.open:
            return None
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            detail, challenge = "missing API key: send 'Authorization: Bearer KEY'", "Bearer"
        elif not self.keys.accepts(token.strip()):
            detail, challenge = "invalid API key", 'Bearer error="invalid_token"'
        else:
            return None
        return JSONResponse({"detail": detail}, 401, headers={"WWW-Authenticate": challenge})
