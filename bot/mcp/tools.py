"""The work behind the MCP tools and resource, on the answerer the HTTP API shares.

Blocking work (the embedding model, Chroma) runs on worker threads; searches and
answers take the same answer slots as `/ask` (`Runtime.slot`), so MCP calls and HTTP
requests queue together, and over HTTP they count against the same per-client rate
limit (`bot.api.limits`). A caller's mistake is a `ToolError` naming the input; a domain
error (store or LLM server unreachable, server busy) carries the message the API gives.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
from fastapi import HTTPException
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError

from bot.api.limits import rate_limit
from bot.api.runtime import Runtime, http_error
from bot.api.schemas import CaseTimeline
from bot.cases.timeline import CaseBook
from bot.mcp.publications import NoSuchPublication, as_text, find_publication, search_hits
from bot.mcp.schemas import PublicationText, SearchResults
from index.errors import PolicingQAError
from index.models import Answer

log = logging.getLogger(__name__)

T = TypeVar("T")


class Tools:
    """Search, answer and read publications for MCP clients, over one shared Runtime."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    async def search(
        self,
        query: str,
        since: dt.date | None,
        until: dt.date | None,
        issuer: str | None,
        limit: int,
        request=None,
    ) -> SearchResults:
        """The publications that best match `query`, one hit each, best first.

        `request` is the HTTP request that carried the call (None over stdio).
        """
        self._check_length("query", query)
        _check_window(since, until)
        _rate_limit(request)
        issuer = (issuer or "").strip() or None  # clients often send "" for "any"

        def work(answerer) -> SearchResults:
            retriever = answerer.retriever
            # The retriever returns up to `max_per_publication` chunks a release.
            k = limit * retriever.max_per_publication
            result = retriever.search(query, k=k, since=since, until=until, issuer=issuer)
            if result.issuers == []:
                known = ", ".join(retriever.live.get().issuers) or "none"
                raise ToolError(f"issuer {issuer!r} matches no issuer; the issuers are: {known}")
            return SearchResults(query=query, hits=search_hits(result.hits, limit))

        return await self._call(work)

    async def ask(
        self, question: str, since: dt.date | None, until: dt.date | None, request=None
    ) -> Answer:
        """The cited answer `/ask` gives."""
        self._check_length("question", question)
        _check_window(since, until)
        _rate_limit(request)
        return await self._call(lambda answerer: answerer.ask(question, since=since, until=until))

    async def publication(self, id_or_url: str) -> PublicationText:
        """One publication whole, by id or URL."""
        try:
            return await self._call(lambda a: _lookup(a, id_or_url), bounded=False)
        except NoSuchPublication as exc:
            raise ToolError(str(exc)) from None

    async def case_timeline(self, reference: str) -> CaseTimeline:
        """Every release of a case, oldest first, with what each added (no answer slot)."""
        timeline = await self._call(lambda a: CaseBook(a.store).timeline(reference), bounded=False)
        if timeline is None:
            raise ToolError(f"no release mentions {reference}")
        return CaseTimeline.model_validate(timeline.as_json())

    async def publication_text(self, publication_id: str) -> str:
        """The `publication://{id}` resource: metadata header, then the text."""
        try:
            pub = await self._call(
                lambda a: _lookup(a, publication_id), bounded=False, error=ResourceError
            )
        except NoSuchPublication:
            raise ResourceNotFoundError(f"no publication with id {publication_id!r}") from None
        if pub.id != publication_id:  # found by URL: the resource is named by id only
            raise ResourceNotFoundError(f"no publication with id {publication_id!r}")
        return as_text(pub)

    def _check_length(self, name: str, text: str) -> None:
        limit = self.runtime.settings.max_question_chars
        if len(text) > limit:
            raise ToolError(f"{name} is {len(text):,} characters, over the limit of {limit:,}")

    async def _call(
        self, work: Callable[..., T], *, bounded: bool = True, error: type[Exception] = ToolError
    ) -> T:
        """`work(answerer)` on a worker thread; in an answer slot when `bounded`."""
        try:
            if self.runtime.ready:
                answerer = self.runtime.answerer()
            else:
                answerer = await anyio.to_thread.run_sync(self.runtime.answerer)
            async with self._slot(bounded):
                return await anyio.to_thread.run_sync(work, answerer)
        except PolicingQAError as exc:
            raise error(http_error(exc).detail) from exc
        except HTTPException as exc:  # no answer slot free in time
            raise error(exc.detail) from exc

    @asynccontextmanager
    async def _slot(self, bounded: bool):
        if not bounded:
            yield
            return
        slots = await self.runtime.slot()
        try:
            yield
        finally:
            slots.release()
            self.runtime.answered()


def _check_window(since: dt.date | None, until: dt.date | None) -> None:
    if since and until and since > until:
        raise ToolError(f"since ({since}) is after until ({until})")


def _rate_limit(request) -> None:
    if request is None:
        return
    try:
        rate_limit(request)
    except HTTPException as exc:
        raise ToolError(exc.detail) from None


def _lookup(answerer, id_or_url: str) -> PublicationText:
    return find_publication(answerer.retriever.live.get(), id_or_url)
