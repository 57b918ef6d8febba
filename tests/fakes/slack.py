"""A fake Slack Web API on 127.0.0.1 for the real `WebClient` and Bolt's `respond()`.

Speaks the wire protocol (form, JSON or query parameters in; `{"ok": ...}` JSON out;
`Authorization: Bearer` checked), keeps channel threads so `conversations.replies`
returns what was posted (message `metadata` only with `include_all_metadata`, a page
of `limit` messages at a time with a cursor), and records every call for assertions.
`rate_limit()` makes a method answer HTTP 429 with Retry-After, as Slack does under load.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlparse

from tests.fakes.quiet import QuietServer

TOKEN = "xoxb-fake-0000-token"
BOT_USER_ID, BOT_ID, TEAM_ID = "UQABOT01", "BQABOT01", "TQATEAM1"


@dataclass
class RateLimit:
    """`status` (429 with Retry-After, or a 5xx) for `method` calls that `when` accepts,
    `times` times (None: every time)."""

    method: str
    times: int | None
    retry_after: int | None
    when: Callable[[dict], bool]
    status: int = 429


class FakeSlack:
    """Start with `with FakeSlack() as slack:`; point WebClient at `slack.api_url`."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.limits: list[RateLimit] = []
        self.messages: dict[str, list[dict]] = {}  # channel -> messages, oldest first
        self._lock = threading.Lock()
        self._ts = itertools.count(int(time.time()) * 1000)
        self._server = QuietServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_ts(self) -> str:
        n = next(self._ts)
        return f"{n // 1000}.{n % 1000:06d}"

    def add_message(self, channel: str, **message) -> dict:
        """Put a message in a channel as if a person had posted it; returns it."""
        message.setdefault("ts", self.next_ts())
        message.setdefault("type", "message")
        with self._lock:
            self.messages.setdefault(channel, []).append(message)
        return message

    def rate_limit(
        self,
        method: str,
        times: int | None = None,
        *,
        retry_after: int = 1,
        when: Callable[[dict], bool] = lambda params: True,
    ) -> None:
        """Answer `method` with 429 and `Retry-After: retry_after`, `times` times or always."""
        with self._lock:
            self.limits.append(RateLimit(method, times, retry_after, when))

    def fail(self, method: str, times: int | None = None, *, status: int = 503) -> None:
        """Answer `method` with a server error, `times` times or always."""
        with self._lock:
            self.limits.append(RateLimit(method, times, None, lambda params: True, status))

    def limited(self, method: str, params: dict) -> RateLimit | None:
        """The failure this call is to get, if any."""
        with self._lock:
            for limit in self.limits:
                if limit.method == method and limit.times != 0 and limit.when(params):
                    limit.times = None if limit.times is None else limit.times - 1
                    return limit
        return None

    def called(self, method: str) -> list[dict]:
        with self._lock:
            return [params for name, params in self.calls if name == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0) -> list[dict]:
        """Poll until `method` was called `count` times; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.called(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{method} called {len(self.called(method))} times, wanted {count}")

    # Web API methods: each takes the parameters and returns the JSON reply.
    def auth_test(self, params: dict) -> dict:
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "user": "qa",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }

    def chat_postMessage(self, params: dict) -> dict:  # noqa: N802 - Slack's method name
        if not params.get("channel") or not (params.get("text") or params.get("blocks")):
            return {
                "ok": False,
                "error": "no_text" if params.get("channel") else "channel_not_found",
            }
        message = self.add_message(
            params["channel"],
            user=BOT_USER_ID,
            bot_id=BOT_ID,
            text=params.get("text", ""),
            thread_ts=params.get("thread_ts"),
            blocks=params.get("blocks"),
            metadata=params.get("metadata"),
        )
        return {"ok": True, "channel": params["channel"], "ts": message["ts"], "message": message}

    def chat_postEphemeral(self, params: dict) -> dict:  # noqa: N802
        return {"ok": True, "message_ts": self.next_ts()}

    def chat_update(self, params: dict) -> dict:
        return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}

    def conversations_replies(self, params: dict) -> dict:
        with self._lock:
            thread = [
                m
                for m in self.messages.get(params.get("channel", ""), [])
                if m["ts"] == params.get("ts") or m.get("thread_ts") == params.get("ts")
            ]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        if str(params.get("include_all_metadata")).lower() not in ("1", "true"):
            thread = [{k: v for k, v in m.items() if k != "metadata"} for m in thread]
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 1000)
        page, more = thread[start : start + limit], start + limit < len(thread)
        reply = {"ok": True, "messages": page, "has_more": more}
        if more:
            reply["response_metadata"] = {"next_cursor": str(start + limit)}
        return reply


def _handler(slack: FakeSlack):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def _params(self) -> dict:
            params = dict(parse_qsl(urlparse(self.path).query))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            if raw and "json" in (self.headers.get("Content-Type") or ""):
                params.update(json.loads(raw))
            elif raw:
                params.update(parse_qsl(raw))
            for key in ("blocks", "attachments", "metadata"):  # form posts: JSON strings
                if isinstance(params.get(key), str):
                    params[key] = json.loads(params[key])
            return params

        def _reply(self, status: int, body: dict, headers: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            path = urlparse(self.path).path
            params = self._params()
            if not path.startswith("/api/"):  # a response_url
                limit = slack.limited("response_url", params)
                if limit is not None and limit.status == 429:
                    return self._reply(429, {"ok": False}, {"Retry-After": str(limit.retry_after)})
                with slack._lock:
                    slack.calls.append(("response_url", {**params, "path": path}))
                return self._reply(200, {"ok": True})
            method = path.removeprefix("/api/")
            with slack._lock:
                slack.calls.append((method, params))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._reply(200, {"ok": False, "error": "invalid_auth"})
            api = getattr(slack, method.replace(".", "_"), None)
            if api is None:
                return self._reply(200, {"ok": False, "error": "unknown_method"})
            limit = slack.limited(method, params)
            if limit is not None and limit.status == 429:
                limited = {"ok": False, "error": "ratelimited"}
                return self._reply(429, limited, {"Retry-After": str(limit.retry_after)})
            if limit is not None:
                return self._reply(limit.status, {"ok": False, "error": "fatal_error"})
            return self._reply(200, api(params))

        do_GET = do_POST = _handle

    return Handler
