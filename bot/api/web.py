"""The web chat page: `/` and its static files, for people who do not use Slack.

The page is plain HTML, CSS and JS in `bot/api/static/` (no build step, nothing from a CDN)
and talks to the same `/ask/stream` and `/readyz` routes as any other client.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Everything the page needs comes from this server; publication text can never run as code,
# even if a bug put it into the DOM as markup.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Small files that change with each release of the package: always revalidate.
    "Cache-Control": "no-cache",
}


def _file(name: str) -> FileResponse:
    path = STATIC / name
    media = _TYPES.get(path.suffix)
    if media is None or not path.is_file():
        raise HTTPException(404, detail=f"no static file {name!r}")
    return FileResponse(path, media_type=media, headers=_HEADERS)


def build_web_router() -> APIRouter:
    """Routes for the chat page: `GET /` and `GET /static/{name}`."""
    router = APIRouter(include_in_schema=False)
    # Only the files shipped beside this module, by bare name: no paths, no traversal.
    shipped = {p.name for p in STATIC.iterdir() if p.suffix in _TYPES} if STATIC.is_dir() else set()
    if "index.html" not in shipped:
        log.error("the web page is missing from %s; / will answer 404", STATIC)

    @router.get("/")
    async def page() -> FileResponse:
        return _file("index.html")

    @router.get("/static/{name}")
    async def static(name: str) -> FileResponse:
        if name not in shipped:
            raise HTTPException(404, detail=f"no static file {name!r}")
        return _file(name)

    for path, endpoint in (("/", page), ("/static/{name}", static)):
        router.add_api_route(path, endpoint, methods=["HEAD"])
    return router
