"""A small OpenAI-compatible chat server on 127.0.0.1 for tests.

Speaks `POST /v1/chat/completions` (plain JSON and `stream: true` server-sent events,
shaped as the real API returns them) and `GET /v1/models`. Replies are scripted:
`server.script(...)` queues texts (or `Reply` objects with a delay or an HTTP error);
when the queue is empty `server.default` answers. Every request body is recorded in
`server.requests`. `stop()` closes the port and `start()` reopens the same one, so a
client can be shown the server going away and coming back.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from tests.fakes.quiet import QuietServer

_NOT_FOUND = {"error": {"message": "not found", "type": "invalid_request_error"}}


@dataclass
class Reply:
    """One scripted reply: its text (or a function of the request body that makes it),
    a delay before answering, or an error status."""

    text: str | Callable[[dict], str] = ""
    delay: float = 0.0
    status: int = 200


class _Handler(BaseHTTPRequestHandler):
    server: QuietServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def _json(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/models"):
            model = {"id": "fake-model", "object": "model", "created": 0, "owned_by": "tests"}
            return self._json(200, {"object": "list", "data": [model]})
        return self._json(404, _NOT_FOUND)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.rstrip("/").endswith("/chat/completions"):
            return self._json(404, _NOT_FOUND)
        fake = self.server.fake
        fake.requests.append(body)
        reply = fake.next_reply()
        text = reply.text(body) if callable(reply.text) else reply.text
        if reply.delay:
            time.sleep(reply.delay)
        if reply.status != 200:
            error = {"message": text or "scripted failure", "type": "server_error"}
            return self._json(reply.status, {"error": error})
        model = body.get("model", "fake-model")
        if body.get("stream"):
            return self._stream(text, model)
        usage = {
            "prompt_tokens": 10,
            "completion_tokens": len(text.split()),
            "total_tokens": 10 + len(text.split()),
        }
        return self._json(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "system_fingerprint": None,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
            },
        )

    def _stream(self, text: str, model: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())

        def event(delta: dict, finish: str | None) -> None:
            chunk = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": None,
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        event({"role": "assistant", "content": ""}, None)
        words = text.split(" ")
        for i, word in enumerate(words):
            event({"content": word + (" " if i < len(words) - 1 else "")}, None)
        event({}, "stop")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


class FakeLLM:
    """The fake server: `url` is the base URL an OpenAI client takes (ends in /v1)."""

    def __init__(self, port: int = 0):
        self.port = port
        self.requests: list[dict] = []
        self.default = Reply("The publications I have don't say.")
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._httpd: QuietServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: str | Reply | Callable[[dict], str]) -> None:
        with self._lock:
            self._queue.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def last_prompt(self) -> str:
        """The text of every message of the last request, joined."""
        return "\n".join(m.get("content") or "" for m in self.requests[-1]["messages"])

    def next_reply(self) -> Reply:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    def start(self) -> FakeLLM:
        self._httpd = QuietServer(("127.0.0.1", self.port), _Handler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None
