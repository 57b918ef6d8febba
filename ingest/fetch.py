"""Fetch one URL politely: bounded size, time, redirects and retries; conditional requests."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from index.errors import SourceError

log = logging.getLogger(__name__)

# Pages (what the readers take), feeds and sitemaps; octet-stream is sniffed for PDF later.
ACCEPTED_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown",
    "application/pdf", "application/rss+xml", "application/atom+xml", "application/rdf+xml",
    "application/xml", "text/xml", "application/x-gzip", "application/gzip",
    "application/octet-stream",
})  # fmt: skip
_RETRY_STATUS = {429, 500, 502, 503, 504}
_GONE_STATUS = {404, 410}


@dataclass(frozen=True)
class FetchOptions:
    """Limits for one fetcher; the sources file's `[fetch]` table overrides them."""

    max_bytes: int = 20 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 60.0
    max_redirects: int = 5
    contact: str | None = None


@dataclass(frozen=True)
class Fetched:
    """One answer: a body (200), not modified (304) or gone (404/410)."""

    url: str
    final_url: str
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def mime(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def gone(self) -> bool:
        return self.status in _GONE_STATUS


def user_agent(contact: str | None) -> str:
    """`policing-qa/<version> (+contact)`, so site operators know who is asking."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("policing-qa")
    except PackageNotFoundError:
        ours = "dev"
    return f"policing-qa/{ours}" + (f" (+{contact})" if contact else "")


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """GETs URLs with one httpx client; every failure is a SourceError naming the URL."""

    def __init__(
        self, options: FetchOptions | None = None, *, sleep: Callable[[float], None] = time.sleep
    ):
        self.options = options or FetchOptions()
        self.sleep = sleep
        o = self.options
        self.client = httpx.Client(
            timeout=httpx.Timeout(o.read_timeout, connect=o.connect_timeout),
            follow_redirects=True,
            max_redirects=o.max_redirects,
            headers={"User-Agent": user_agent(o.contact)},
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """Fetch `url`; with validators, an unchanged page comes back as a bodiless 304."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                return self._once(url, headers)
            except _Retryable as exc:
                failure = exc
            wait = failure.wait if failure.wait is not None else self.options.backoff * 2**attempt
            if attempt >= self.options.retries:
                raise SourceError(url, f"{failure.reason} (gave up after {attempt + 1} tries)")
            if wait > self.options.max_wait:
                raise SourceError(
                    url,
                    f"{failure.reason}; the server asks to wait {wait:.0f}s, "
                    f"over the limit of {self.options.max_wait:.0f}s",
                )
            attempt += 1
            log.info("%s: %s; retry %d in %.1fs", url, failure.reason, attempt, wait)
            self.sleep(wait)

    def _once(self, url: str, headers: dict) -> Fetched:
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                return self._answer(url, response)
        except httpx.TooManyRedirects:
            raise SourceError(url, f"more than {self.options.max_redirects} redirects") from None
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out ({type(exc).__name__})") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retryable(f"connection failed: {exc or type(exc).__name__}") from None
        except httpx.UnsupportedProtocol:
            raise SourceError(url, "not an http(s) URL") from None
        except httpx.HTTPError as exc:
            raise SourceError(url, f"request failed: {exc or type(exc).__name__}") from None

    def _answer(self, url: str, response: httpx.Response) -> Fetched:
        status = response.status_code
        final = str(response.url)
        if status in _RETRY_STATUS:
            wait = retry_after(response.headers.get("Retry-After"))
            raise _Retryable(f"HTTP {status} {response.reason_phrase}", wait)
        if status == 304 or status in _GONE_STATUS:
            return Fetched(url, final, status)
        if not 200 <= status < 300:
            raise SourceError(url, f"HTTP {status} {response.reason_phrase}")
        content_type = response.headers.get("Content-Type", "")
        mime = content_type.split(";")[0].strip().lower()
        if mime and mime not in ACCEPTED_TYPES:
            raise SourceError(
                url,
                f"unsupported content type {mime!r}; expected an HTML, "
                "text, Markdown or PDF page, an RSS/Atom feed or a sitemap",
            )
        return Fetched(
            url,
            final,
            status,
            self._body(url, response),
            content_type,
            response.headers.get("ETag"),
            response.headers.get("Last-Modified"),
        )

    def _body(self, url: str, response: httpx.Response) -> bytes:
        limit = self.options.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise SourceError(
                url, f"response is {int(declared):,} bytes, over the limit of {limit:,}"
            )
        deadline = time.monotonic() + self.options.total_timeout
        parts, size = [], 0
        # Stream and stop early: a 50 MB page must not be held in memory, nor a slow drip
        # of bytes keep the run waiting past its deadline.
        for part in response.iter_bytes(64 * 1024):
            size += len(part)
            if size > limit:
                raise SourceError(url, f"response is over the limit of {limit:,} bytes")
            if time.monotonic() > deadline:
                raise _Retryable(f"download took over {self.options.total_timeout:.0f}s")
            parts.append(part)
        return b"".join(parts)


class _Retryable(Exception):
    """A failure worth another try: throttling, a server error, a dropped connection."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait
