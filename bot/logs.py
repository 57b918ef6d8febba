"""How services write their log: one record per line, as text or as JSON for log shippers.

Text keeps the familiar `time LEVEL logger: message` line with the message's control
characters escaped, so nothing a client sends can start a new line that reads as another
record (a traceback, written by us, still follows its record). JSON writes one object a
line: time, level, logger, message, the request fields a record carries (request_id,
method, path, status, latency_ms) and the traceback as a string.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

FORMATS = ("text", "json")
_TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Fields a record may carry through `extra=` that belong in a structured line.
_FIELDS = ("request_id", "method", "path", "status", "latency_ms", "source", "user", "channel")
_CONTROL = {c: f"\\x{c:02x}" for c in range(32) if c not in (9,)} | {0x7F: "\\x7f"}


class TextFormatter(logging.Formatter):
    """The usual text line, its message on one line whatever it holds."""

    def __init__(self):
        super().__init__(_TEXT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return super().formatMessage(record).translate(_CONTROL)


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: getattr(record, k) for k in _FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def use_format(fmt: str) -> None:
    """Make every handler on the root logger write `fmt` ("text" or "json")."""
    formatter = JsonFormatter() if fmt == "json" else TextFormatter()
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig()
    for handler in root.handlers:
        handler.setFormatter(formatter)
