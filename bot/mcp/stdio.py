"""The MCP server on stdin/stdout, for a client that starts it (`policing-qa mcp`).

Stdout carries the protocol and nothing else: logging goes to stderr (the CLI sets it
up), and while the transport runs the SDK points file descriptor 1 at stderr and writes
the protocol to a private copy, so a stray print from a library cannot corrupt it.
"""

from __future__ import annotations

import logging
import os

import anyio
from mcp.server.mcpserver import MCPServer

from bot.api.runtime import Runtime, build_answerer_for
from bot.mcp.server import build_mcp_server
from index.errors import PolicingQAError

log = logging.getLogger(__name__)


def run_stdio(settings, *, runtime: Runtime | None = None) -> None:
    """Serve the MCP tools on stdin/stdout until the client closes stdin."""
    runtime = runtime or Runtime(
        settings,
        builder=build_answerer_for,
        max_concurrency=os.cpu_count() or 2,
        queue_timeout=settings.llm_timeout,
    )
    anyio.run(_serve, build_mcp_server(runtime), runtime)


async def _serve(server: MCPServer, runtime: Runtime) -> None:
    async with anyio.create_task_group() as tasks:
        # Answer `initialize` at once; the model loads meanwhile, and a call waits for it.
        tasks.start_soon(_warm_up, runtime)
        await server.run_stdio_async()
        tasks.cancel_scope.cancel()


async def _warm_up(runtime: Runtime) -> None:
    """Load the embedding model and open the store now rather than on the first call."""
    try:
        await anyio.to_thread.run_sync(runtime.answerer, abandon_on_cancel=True)
    except PolicingQAError as exc:
        # Each call reports it again (and retries the store) until it is fixed.
        log.error("MCP server not ready: %s", exc)
        return
    publications, chunks = runtime.answerer().store.counts()
    log.info("MCP server ready: %d publications, %d chunks", publications, chunks)
