"""What the ledger remembers of a page between runs: its validators, and when it went.

A stored page that answers 404/410 is not removed at once: a CMS hiccup or a moved
server answers so for a while. The first such answer is written in the page's source
record; only a run at least GONE_AFTER later, with --prune, removes it, and a page that
answers again is no longer gone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from index.records import StoredSource
from ingest.fetch import Fetched

# A page must answer 404/410 on runs this far apart before --prune removes it.
GONE_AFTER = dt.timedelta(hours=1)


def keep_page(url, known: StoredSource, ingestor, report, fetched: Fetched | None = None):
    """An unchanged page: counted as seen; a page that answers again is no longer gone."""
    ingestor.keep(url, report)
    updated = replace(known, gone=None)
    if fetched is not None:
        updated = replace(updated, etag=fetched.etag, last_modified=fetched.last_modified)
    if updated != known:
        ingestor.before_write()
        ingestor.store.put_source(updated)


def page_gone(url, fetched: Fetched, known, ingestor, report, prune: bool, now) -> None:
    """A stored page answering 404/410: removed once it has said so twice, far apart."""
    first = dt.datetime.fromisoformat(known.gone) if known.gone else None
    if prune and first is not None and now - first >= GONE_AFTER:
        ingestor.forget(url, report)
        return
    if first is None:
        ingestor.before_write()
        ingestor.store.put_source(replace(known, gone=now.isoformat(timespec="seconds")))
    ingestor.keep(url, report)
    since = (first or now).isoformat(timespec="minutes")
    then = "--prune removes it if it still is" if prune else "run with --prune to remove it"
    report.fail(
        url,
        f"HTTP {fetched.status}: the page is gone (since {since}); what was stored is kept; "
        f"{then} on a run {_hours(GONE_AFTER)} or more after that",
    )


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")
