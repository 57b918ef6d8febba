"""What the HTTP API tests share (TestClient, uvicorn and the browser alike): the
questions, keys and bad requests they send, reading the replies, and the small real
store they ask."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from index.settings import Settings
from index.store import open_store
from ingest.pipeline import Ingestor
from ingest.report import Report
from tests.support import CORPUS, PAGES, clean_settings

# Real releases the questions below are about (from bench/gold.jsonl), plus London.
API_PAGES = [
    "2016_02feb_2016_02_10.html",
    "2018_03mar_2018_03_15.html",
    "2016_09Sep_2016_09_15.html",
]
LONDON = CORPUS / "london" / "000_474315e251677573.txt"
# The newest of them: the London release, "Created on 11 November 2022".
NEWEST_PUBLISHED = "2022-11-11"
QUESTION = "How many cannabis plants did police seize at the Driftwood Bay grow operation?"
KEYS = ["test-key-alpha-0123456789", "test-key-bravo-9876543210"]

# (id, request body or raw bytes, status, text the error detail must contain)
BAD_REQUESTS = [
    ("empty question", {"question": ""}, 422, "question is empty"),
    ("blank question", {"question": " \n\t "}, 422, "question is empty"),
    ("missing question", {}, 422, "question"),
    ("question not text", {"question": 5}, 422, "question"),
    ("unknown field", {"question": "q", "colour": "red"}, 422, "colour"),
    ("malformed JSON", b'{"question": ', 422, "JSON"),
    ("impossible date", {"question": "q", "since": "2020-13-01"}, 422, "not a calendar date"),
    ("date not ISO", {"question": "q", "until": "01/02/2020"}, 422, "YYYY-MM-DD"),
    ("date as number", {"question": "q", "since": 20200101}, 422, "YYYY-MM-DD"),
    (
        "since after until",
        {"question": "q", "since": "2021-01-02", "until": "2021-01-01"},
        422,
        "since (2021-01-02) is after until (2021-01-01)",
    ),
    ("top_k zero", {"question": "q", "top_k": 0}, 422, "top_k"),
    ("top_k too big", {"question": "q", "top_k": 51}, 422, "top_k"),
    ("top_k not a number", {"question": "q", "top_k": "many"}, 422, "top_k"),
    (
        "history bad role",
        {"question": "q", "history": [{"role": "system", "content": "x"}]},
        422,
        "role",
    ),
    (
        "history unknown field",
        {"question": "q", "history": [{"role": "user", "content": "x", "name": "y"}]},
        422,
        "name",
    ),
    ("question too long", {"question": "x" * 2001}, 413, "2,001 characters, over the limit"),
    ("body too big", {"question": "x" * 70_000}, 413, "over the limit of 65,536 bytes"),
]


@dataclass(frozen=True)
class SmallStore:
    """The store's settings, the report of the one run that filled it, and when it ran."""

    settings: Settings
    report: Report
    started: dt.datetime
    finished: dt.datetime


def build_small_store(root: Path, embedder) -> SmallStore:
    """A store holding a few real releases, ingested with the real pipeline."""
    pages = root / "pages"
    pages.mkdir()
    for name in API_PAGES:
        shutil.copy(PAGES / name, pages / name)
    shutil.copy(CORPUS / "winnipeg-police" / "index.csv", root / "index.csv")
    shutil.copy(LONDON, pages / "london.txt")
    settings = clean_settings(store=root / "store")
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    report = Ingestor(open_store(settings), embedder).run([str(pages)])
    finished = dt.datetime.now(dt.UTC)
    assert report.failed == [] and report.publications >= 4
    return SmallStore(settings, report, started, finished)


def sse_events(lines) -> list[tuple[str, str]]:
    """(event, data) pairs from the lines of a text/event-stream body."""
    events, kind, data = [], "message", []
    for line in lines:
        if line == "":
            if data:
                events.append((kind, "\n".join(data)))
            kind, data = "message", []
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return events


def send(client, body, headers=None):
    """POST /ask with a JSON body, or raw bytes as they are."""
    if isinstance(body, bytes):
        return client.post(
            "/ask", content=body, headers={"content-type": "application/json", **(headers or {})}
        )
    return client.post("/ask", json=body, headers=headers)
