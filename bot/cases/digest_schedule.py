"""The daily digests of the sources file, posted by `watch` after its runs.

A `[[digest]]` is due once its time of day has passed in its time zone and no digest to
its channel went out (or was checked and found nothing new) on that local date. The date
comes from the channel's run record in the store, so a restarted `watch`, or a `digest`
run from cron, counts too: at most one a day. A post Slack refuses records nothing, so the
digest is tried again after the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from bot.cases.digest import KIND, collect, utc_now
from bot.cases.digest_message import releases, when
from bot.cases.digest_post import deliver, record
from index.errors import PolicingQAError


def _done_at(previous: dict | None) -> dt.datetime | None:
    """When the channel last had its digest: posted, or checked with nothing new."""
    stamps = [previous.get(k) for k in ("posted_at", "checked_at")] if previous else []
    moments = [dt.datetime.fromisoformat(s) for s in stamps if s]
    return max(moments) if moments else None


def due(spec, previous: dict | None, now: dt.datetime) -> bool:
    """Whether `spec` (a DigestSpec) is due at `now`, given the channel's last record."""
    local = now.astimezone(spec.zone)
    if local.time() < spec.time:
        return False
    done = _done_at(previous)
    return done is None or done.astimezone(spec.zone).date() < local.date()


def post_due(
    store,
    specs: Iterable,
    client_for: Callable[[], object],
    *,
    now: dt.datetime | None = None,
) -> list[str]:
    """Post every due digest in `specs`; one line each on what happened.

    `client_for` makes the Slack client (its ConfigError when Slack is not configured
    is reported like a refused post).
    """
    now = now or utc_now()
    previous = store.get_run_records(KIND)
    return [
        _post_one(store, spec, client_for, now)
        for spec in specs
        if due(spec, previous.get(spec.channel), now)
    ]


def _post_one(store, spec, client_for, now: dt.datetime) -> str:
    try:
        client = client_for()
        found = collect(store, spec.channel, issuers=spec.issuers, now=now)
        if not found.count:
            record(store, found, ts=None, now=now)
            return f"digest to {spec.channel}: nothing new since {when(found.since)}"
        deliver(store, client, found, now=now)
    except PolicingQAError as exc:
        return f"digest to {spec.channel} not posted: {exc}"
    return f"digest to {spec.channel}: posted {releases(found.count)}"
