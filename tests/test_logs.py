"""Service logs: one record per line whatever a message holds; JSON for log shippers."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import JsonFormatter, TextFormatter


def _emit(formatter, message: str, *args, exc: bool = False, **extra) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("test.logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        if exc:
            try:
                raise ValueError("boom")
            except ValueError:
                logger.exception(message, *args, extra=extra)
        else:
            logger.warning(message, *args, extra=extra)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return stream.getvalue()


FORGED = "Was he charged?\n2026-12-02 05:00:00,000 INFO bot.api.middleware: method=POST"


def test_a_text_record_is_one_line_whatever_its_message_holds():
    out = _emit(TextFormatter(), "question %r then %s", "x", FORGED)
    assert out.count("\n") == 1 and "\\x0a2026-12-02" in out


def test_a_json_record_is_one_object_with_its_request_fields():
    out = _emit(JsonFormatter(), "%s", FORGED, request_id="r1", status=200, path="/ask")
    (line,) = out.splitlines()
    record = json.loads(line)
    assert record["message"] == FORGED and record["level"] == "WARNING"
    assert (record["request_id"], record["status"], record["path"]) == ("r1", 200, "/ask")


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()])
def test_a_traceback_stays_with_its_record(formatter):
    out = _emit(formatter, "failed", exc=True)
    assert "ValueError: boom" in out
    if isinstance(formatter, JsonFormatter):
        assert len(out.splitlines()) == 1 and "boom" in json.loads(out)["traceback"]
