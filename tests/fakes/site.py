"""A small publisher's website on 127.0.0.1: pages, RSS/Atom feeds, sitemaps, and misbehaviour.

A real threaded `http.server` speaking HTTP/1.0: ETag and Last-Modified validators with
304 answers, and per-path faults (a status, throttling with Retry-After, a slow answer,
a huge body streamed lazily, a redirect, a body sent with a Content-Encoding as given,
an answer dripped one byte at a time from the status line or after the headers). It
counts requests, 304s and bytes per path, and keeps each request's headers. `tls()`
turns it into an HTTPS site.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from xml.sax.saxutils import escape

from tests.fakes.quiet import QuietServer


@dataclass
class _Fault:
    status: int = 500
    times: int | None = None  # None: every time
    retry_after: str | None = None
    delay: float = 0.0
    huge: int = 0
    declare_length: bool = True
    location: str | None = None
    encoding: str | None = None  # serve `body` as is, with this Content-Encoding
    body: bytes = b""
    content_type: str = "text/html"
    drip: float = 0.0  # seconds between bytes
    drip_head: bool = False  # drip from the status line on, not only the body


class FakeSite:
    """Serves what the test puts on it; start with `with FakeSite() as site:`."""

    def __init__(self):
        self.pages: dict[str, tuple[bytes, str, float]] = {}
        self.faults: dict[str, _Fault] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self.user_agents: list[str] = []
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers), in order
        self._lock = threading.Lock()
        self._clock = 1_600_000_000.0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                site._serve(self)

            def log_message(self, *args):
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeSite:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def tls(self, certfile: str, keyfile: str) -> None:
        """Serve HTTPS with this certificate from now on; call before `with`."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.base = self.base.replace("http://", "https://", 1)

    def url(self, path: str) -> str:
        return self.base + path

    # --- content -------------------------------------------------------------------------

    def put(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8"):
        """Publish or replace a document; each change gets a later Last-Modified."""
        with self._lock:
            self._clock += 60
            self.pages[path] = (body, content_type, self._clock)

    def remove(self, path: str) -> None:
        with self._lock:
            self.pages.pop(path, None)

    def put_rss(self, path: str, items: list[tuple[str, dt.date | None]]) -> None:
        entries = "".join(
            f"<item><title>Release {n}</title><link>{escape(self.url(p))}</link>"
            + (f"<pubDate>{_rfc822(d)}</pubDate>" if d else "")
            + f"<guid>{escape(self.url(p))}</guid></item>"
            for n, (p, d) in enumerate(items)
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Media releases</title><link>{self.base}/</link>"
            f"<description>Releases</description>{entries}</channel></rss>"
        )
        self.put(path, body.encode(), "application/rss+xml; charset=utf-8")

    def put_sitemap(self, path: str, paths: list[str], index: bool = False) -> None:
        tag, child = ("sitemapindex", "sitemap") if index else ("urlset", "url")
        locs = "".join(f"<{child}><loc>{escape(self.url(p))}</loc></{child}>" for p in paths)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</{tag}>'
        )
        self.put(path, body.encode(), "application/xml")

    # --- faults ----------------------------------------------------------------------------

    def fail(
        self, path: str, status: int = 500, times: int | None = None, retry_after: str | None = None
    ) -> None:
        self.faults[path] = _Fault(status, times, retry_after)

    def slow(self, path: str, seconds: float) -> None:
        self.faults[path] = _Fault(200, delay=seconds)

    def huge(self, path: str, size: int, declare_length: bool = True) -> None:
        self.faults[path] = _Fault(200, huge=size, declare_length=declare_length)

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        self.faults[path] = _Fault(status, location=to)

    def encoded(
        self, path: str, body: bytes, encoding: str, content_type: str = "text/html"
    ) -> None:
        """Serve `body`, already encoded by the test, as `Content-Encoding: encoding`."""
        self.faults[path] = _Fault(200, encoding=encoding, body=body, content_type=content_type)

    def drip_head(self, path: str, every: float) -> None:
        """Answer one byte every `every` seconds, from the status line on."""
        self.faults[path] = _Fault(200, drip=every, drip_head=True)

    def drip_body(self, path: str, every: float) -> None:
        """Send the status line and headers at once, then the body one byte every `every` s."""
        self.faults[path] = _Fault(200, drip=every)

    def heal(self, path: str) -> None:
        self.faults.pop(path, None)

    # --- serving -------------------------------------------------------------------------

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path.split("?", 1)[0]
        with self._lock:
            self.hits[path] += 1
            self.user_agents.append(req.headers.get("User-Agent", ""))
            self.requests.append((path, dict(req.headers.items())))
            fault = self.faults.get(path)
            if fault and fault.times is not None:
                fault.times -= 1
                if fault.times < 0:
                    fault = None
            page = self.pages.get(path)
        try:
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault and fault.huge:
                return self._huge(req, path, fault)
            if fault and fault.drip:
                return self._drip(req, path, fault)
            if fault and fault.encoding is not None:
                headers = {"Content-Type": fault.content_type, "Content-Encoding": fault.encoding}
                return self._answer(req, 200, fault.body, headers)
            if fault and fault.location:
                return self._answer(req, fault.status, b"", {"Location": fault.location})
            if fault and fault.status != 200:
                extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return self._answer(req, fault.status, b"failure", extra)
            if page is None:
                return self._answer(req, 404, b"not found")
            body, content_type, modified = page
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            last_modified = email.utils.formatdate(modified, usegmt=True)
            if self._unchanged(req, etag, modified):
                with self._lock:
                    self.not_modified[path] += 1
                return self._answer(req, 304, b"", {"ETag": etag})
            headers = {"Content-Type": content_type, "ETag": etag, "Last-Modified": last_modified}
            self._answer(req, 200, body, headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on purpose (size limit, timeout)

    @staticmethod
    def _unchanged(req, etag: str, modified: float) -> bool:
        if match := req.headers.get("If-None-Match"):
            return etag in [m.strip() for m in match.split(",")]
        if since := req.headers.get("If-Modified-Since"):
            return email.utils.parsedate_to_datetime(since).timestamp() >= int(modified)
        return False

    def _answer(self, req, status: int, body: bytes, headers: dict | None = None) -> None:
        req.send_response(status)
        headers = {"Content-Type": "text/plain", **(headers or {})}
        for key, value in headers.items():
            req.send_header(key, value)
        if status != 304:
            req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        if status != 304:
            req.wfile.write(body)
            self.sent[req.path.split("?", 1)[0]] += len(body)

    def _huge(self, req, path: str, fault: _Fault) -> None:
        """Stream `fault.huge` bytes of HTML without ever holding them."""
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        if fault.declare_length:
            req.send_header("Content-Length", str(fault.huge))
        req.end_headers()
        block = b"<p>" + b"x" * 65_529 + b"</p>"
        left = fault.huge
        while left > 0:
            part = block[: min(left, len(block))]
            req.wfile.write(part)
            left -= len(part)
            with self._lock:
                self.sent[path] += len(part)

    def _drip(self, req, path: str, fault: _Fault) -> None:
        """Write a 4 KiB page a byte at a time, until it is done or the client leaves."""
        body = b"<html><p>" + b"." * 4096 + b"</p></html>"
        head = (
            "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n"
            f"Content-Length: {len(body)}\r\nX-Padding: {'x' * 200}\r\n\r\n"
        ).encode()
        if not fault.drip_head:
            req.wfile.write(head)
            head = b""
        data = head + body
        for i in range(len(data)):
            time.sleep(fault.drip)
            req.wfile.write(data[i : i + 1])
            with self._lock:
                self.sent[path] += 1


def _rfc822(day: dt.date) -> str:
    return email.utils.format_datetime(
        dt.datetime(
            day.year, day.month, day.day, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))
        )
    )
