"""`build_mcp_server(runtime)`: the tools and the publication resource on the `mcp` SDK.

Tools (all read-only; arguments are JSON-schema'd from the signatures below):
- `search_publications(query, since?, until?, issuer?, limit?)` -> `SearchResults`
- `ask(question, since?, until?)` -> `Answer`, the shape `/ask` gives
- `get_publication(id_or_url)` -> `PublicationText`
- `case_timeline(reference)` -> `CaseTimeline`, the shape `/cases/{reference}` gives
Resource template: `publication://{id}`, the text with a metadata header.

A bad call (unknown tool, unknown argument, a value its schema refuses, an unknown
publication, a case no release mentions) is a tool error result whose message names the
input; it never ends the session.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import ToolAnnotations
from pydantic import ValidationError
from starlette.requests import Request

from bot.api.runtime import Runtime
from bot.api.schemas import CaseTimeline
from bot.mcp.schemas import (
    DEFAULT_LIMIT,
    CaseNumber,
    IdOrUrl,
    Issuer,
    Limit,
    PublicationText,
    Query,
    Question,
    SearchResults,
    Since,
    Until,
)
from bot.mcp.tools import Tools
from index.models import Answer

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Police and mayoral press releases and briefing notes. Use search_publications to find "
    "releases (filter by date with since/until, YYYY-MM-DD), get_publication or the "
    "publication://{id} resource to read one whole, case_timeline for every release of a "
    "case number oldest first with what each added, and ask for a short answer whose every "
    "claim carries a numbered citation [n] to a release (refused: true when the releases "
    "do not say). Quote the citations' titles, dates and URLs when you pass an answer on."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


class _Server(MCPServer):
    """MCPServer whose refused calls name the tool, the argument and what was wrong."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context=None):
        schemas = {tool.name: tool.input_schema for tool in await self.list_tools()}
        if name not in schemas:
            raise ToolError(f"unknown tool {name!r}; the tools are: {', '.join(sorted(schemas))}")
        allowed = schemas[name].get("properties", {})
        unknown = sorted(set(arguments) - set(allowed))
        if unknown:
            raise ToolError(
                f"{name}: unknown argument {', '.join(map(repr, unknown))}; "
                f"it takes: {', '.join(allowed)}"
            )
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError:
            raise  # a crash: the SDK logs it and tells the client only that the tool failed
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(f"{name}: {describe(exc.__cause__)}") from exc.__cause__
            message = str(exc).removeprefix(f"Error executing tool {name}: ")
            raise ToolError(f"{name}: {message}") from exc.__cause__


def describe(error: ValidationError) -> str:
    """Each refused argument with what was wrong, on one line."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "arguments"
        if item["type"] == "missing":
            parts.append(f"{where} is required")
            continue
        message = item["msg"].removeprefix("Value error, ")
        given = repr(item.get("input"))
        if given not in message:
            given = given if len(given) <= 60 else given[:57] + "..."
            message += f" (got {given})"
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def build_mcp_server(runtime: Runtime) -> MCPServer:
    """The MCP server over `runtime`'s shared answerer (built on first use if not yet)."""
    with _logging_left_alone():
        server = _Server(
            "policing-qa",
            title="Policing publications",
            instructions=INSTRUCTIONS,
            version=_version(),
        )
    tools = Tools(runtime)
    _register_tools(server, tools)

    @server.resource(
        "publication://{id}",
        name="publication",
        title="A publication",
        description="One publication's text, after a header of its title, date, URL, issuer "
        "and case numbers; {id} as search_publications gives it.",
        mime_type="text/plain",
    )
    async def publication(id: str) -> str:
        return await tools.publication_text(id)

    return server


def _register_tools(server: MCPServer, tools: Tools) -> None:
    @server.tool(annotations=READ_ONLY)
    async def search_publications(
        query: Query,
        since: Since = None,
        until: Until = None,
        issuer: Issuer = None,
        limit: Limit = DEFAULT_LIMIT,
        ctx: Context = None,
    ) -> SearchResults:
        """Find the publications that best match a query: one hit per publication, best
        first, with id, title, date, URL, issuer, case numbers and the passage that matched.
        Dates and case numbers in the query are understood ("in 2019", "C19-255700")."""
        return await tools.search(query, since, until, issuer, limit, _http_request(ctx))

    @server.tool(annotations=READ_ONLY)
    async def ask(
        question: Question, since: Since = None, until: Until = None, ctx: Context = None
    ) -> Answer:
        """Answer a question from the publications: a short answer with numbered citations
        [n] (title, date, URL, the supporting quote), or a refusal (refused: true) naming
        the closest releases when they do not say."""
        return await tools.ask(question, since, until, _http_request(ctx))

    @server.tool(annotations=READ_ONLY)
    async def get_publication(id_or_url: IdOrUrl) -> PublicationText:
        """One publication whole: its text and metadata, by its id or its URL."""
        return await tools.publication(id_or_url)

    @server.tool(annotations=READ_ONLY)
    async def case_timeline(reference: CaseNumber) -> CaseTimeline:
        """Every release of a case, oldest first: its date, title, URL, issuer and the
        sentences it added to the releases before it (the first release: its opening
        sentences), quoted verbatim. An error when no release mentions the case."""
        return await tools.case_timeline(reference)


def _http_request(ctx: Context | None):
    """The Starlette request that carried this call over HTTP; None over stdio."""
    request = getattr(ctx.request_context, "request", None) if ctx is not None else None
    return request if isinstance(request, Request) else None


@contextmanager
def _logging_left_alone():
    """Keep MCPServer() from configuring logging: it calls `logging.basicConfig` (a root
    handler at INFO) unless the root logger has a handler, and logging is set up by entry
    points only."""
    root = logging.getLogger()
    placeholder = None if root.handlers else logging.NullHandler()
    if placeholder:
        root.addHandler(placeholder)
    try:
        yield
    finally:
        if placeholder:
            root.removeHandler(placeholder)


def _version() -> str:
    try:
        return version("policing-qa")
    except PackageNotFoundError:
        return "0"
