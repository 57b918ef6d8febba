"""Fetch one URL politely and safely; what `Fetcher.get` guarantees whatever a server does.

- Time: `total_timeout` bounds the whole call: name lookup, connect, request, status
  line and headers, every redirect hop, every retry and the body. Each socket wait is cut
  to the time left, so a server dripping one byte at a time cannot hold a run.
- Size: at most `max_bytes` come off the wire and at most `max_bytes` are decoded. gzip
  and deflate layers are inflated here in bounded steps, so a decompression bomb is
  refused after `max_bytes` of output, not held in memory.
- Redirects: followed one hop at a time, at most `max_redirects`, each target passed to
  the caller's `allow` check before it is requested.
- Addresses: a host nobody trusted is resolved once and refused if any address is
  loopback, private, link-local, reserved, multicast or unspecified; the connection goes
  to the checked address, while TLS still verifies the hostname.
- Failures: each is a SourceError naming the URL and the reason in plain words;
  throttling, server errors and dropped connections are retried with backoff.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx

from index.errors import SourceError
from ingest.encoding import STEP, capped, decoded, encoding_layers
from ingest.net import DEADLINE, Backend, Deadline, Refused, Transport, host_key, late, proxy_mounts
from ingest.polite import retry_after, user_agent

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
_REDIRECT_STATUS = {301, 302, 303, 307, 308}


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
    redirects: tuple[str, ...] = ()

    @property
    def mime(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def gone(self) -> bool:
        return self.status in _GONE_STATUS


class Fetcher:
    """GETs URLs with one httpx client; every failure is a SourceError naming the URL."""

    def __init__(
        self,
        options: FetchOptions | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        trusted_hosts: Iterable[str] = (),
    ):
        self.options = options or FetchOptions()
        self.sleep = sleep
        self.trusted: set[str] = set()
        self.trust(*trusted_hosts)
        o = self.options
        self.client = httpx.Client(
            timeout=httpx.Timeout(o.read_timeout, connect=o.connect_timeout),
            follow_redirects=False,  # followed in `_follow`, so each hop is checked
            # Only what `ingest.encoding` decodes, in bounded steps.
            headers={"User-Agent": user_agent(o.contact), "Accept-Encoding": "gzip, deflate"},
            transport=Transport(Backend(self.trusted)),
            mounts=proxy_mounts(),
        )

    def trust(self, *hosts: str) -> None:
        """Let these hosts be reached whatever they resolve to: someone named them."""
        self.trusted.update(key for key in map(host_key, hosts) if key)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow: Callable[[str], str | None] | None = None,
    ) -> Fetched:
        """Fetch `url`; with validators, an unchanged page comes back as a bodiless 304.

        `allow(target)` is asked before each redirect is followed: None lets it through,
        a string is the reason it may not be.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        token = DEADLINE.set(Deadline(self.options.total_timeout))
        try:
            return self._retrying(url, headers, allow)
        finally:
            DEADLINE.reset(token)

    def _retrying(self, url: str, headers: dict, allow) -> Fetched:
        attempt, total = 0, self.options.total_timeout
        while True:
            try:
                return self._follow(url, headers, allow)
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
            if wait >= DEADLINE.get().left():
                raise SourceError(
                    url,
                    f"{failure.reason}; a retry in {wait:g}s would pass the {total:g}s deadline",
                )
            attempt += 1
            log.info("%s: %s; retry %d in %.1fs", url, failure.reason, attempt, wait)
            self.sleep(wait)

    def _follow(self, url: str, headers: dict, allow) -> Fetched:
        """One attempt: the request, then each redirect hop once `allow` has passed it."""
        target, hops = url, ()
        while True:
            # Validators belong to the URL they were stored for, not to where it now leads.
            answer = self._once(url, target, headers if not hops else {}, hops)
            if isinstance(answer, Fetched):
                return answer
            if len(hops) >= self.options.max_redirects:
                raise SourceError(url, f"more than {self.options.max_redirects} redirects")
            if allow is not None and (reason := allow(answer)):
                raise SourceError(url, f"redirected to {answer}, refused: {reason}")
            target, hops = answer, (*hops, answer)

    def _once(self, url: str, target: str, headers: dict, hops: tuple) -> Fetched | str:
        """GET `target`: the answer, or the absolute URL it redirects to."""
        where = f"redirected to {target}, " if hops else ""
        try:
            with self.client.stream("GET", target, headers=headers) as response:
                if (location := self._redirect(url, response)) is not None:
                    return location
                return self._answer(url, response, hops)
        except Refused as exc:
            raise SourceError(url, f"{where}refused: {exc}") from None
        except httpx.TimeoutException as exc:
            if DEADLINE.get().passed():
                raise late(url) from None
            raise _Retryable(f"{where}timed out ({type(exc).__name__})") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retryable(f"{where}connection failed: {exc or type(exc).__name__}") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL):
            raise SourceError(url, f"{where}not an http(s) URL") from None
        except httpx.HTTPError as exc:
            raise SourceError(url, f"{where}request failed: {exc or type(exc).__name__}") from None

    @staticmethod
    def _redirect(url: str, response: httpx.Response) -> str | None:
        location = response.headers.get("Location")
        if response.status_code not in _REDIRECT_STATUS or not location:
            return None
        try:
            return str(response.url.join(location))
        except httpx.InvalidURL:
            raise SourceError(url, f"redirected to an invalid address {location!r}") from None

    def _answer(self, url: str, response: httpx.Response, hops: tuple) -> Fetched:
        status = response.status_code
        final = str(response.url)
        if status in _RETRY_STATUS:
            wait = retry_after(response.headers.get("Retry-After"))
            raise _Retryable(f"HTTP {status} {response.reason_phrase}", wait)
        if status == 304 or status in _GONE_STATUS:
            return Fetched(url, final, status, redirects=hops)
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
            hops,
        )

    def _body(self, url: str, response: httpx.Response) -> bytes:
        limit = self.options.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise SourceError(
                url, f"response is {int(declared):,} bytes, over the limit of {limit:,}"
            )
        encoding = response.headers.get("Content-Encoding", "")
        layers = encoding_layers(url, encoding)
        deadline = DEADLINE.get()
        parts, size = [], 0
        # Raw bytes, decoded here: httpx's own decoding inflates a whole chunk at once.
        chunks = decoded(capped(url, response.iter_raw(STEP), limit), layers)
        try:
            for part in chunks:
                size += len(part)
                if size > limit:
                    raise SourceError(url, f"response decodes to over the limit of {limit:,} bytes")
                if deadline.passed():
                    raise late(url)
                parts.append(part)
        except zlib.error as exc:
            raise SourceError(url, f"could not decode its {encoding} body ({exc})") from None
        return b"".join(parts)


class _Retryable(Exception):
    """A failure worth another try: throttling, a server error, a dropped connection."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait
