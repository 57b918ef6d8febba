"""Keep the store current: one run over the configured sources, and a loop repeating it."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable

from index.errors import PolicingQAError
from ingest.status import now_iso, record_run

log = logging.getLogger(__name__)

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)", re.I)
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str, *, zero: bool = False) -> float:
    """Seconds in '90', '30s', '15m', '1h30m' or '1d'; ValueError for anything else.

    Zero is refused unless `zero` (a budget of nothing is a way to list what would run).
    """
    text = text.strip().lower()
    parts = list(_DURATION.finditer(text))
    if not parts or "".join(p.group(0) for p in parts).replace(" ", "") != text.replace(" ", ""):
        raise ValueError(f"{text!r} is not a duration like 30s, 15m, 1h or 1h30m")
    seconds = sum(float(p.group(1)) * _UNIT[p.group(2)] for p in parts)
    if seconds < 0 or (seconds == 0 and not zero):
        raise ValueError(f"{text!r} must be longer than zero")
    return seconds


def run_once(
    ingestor,
    fetcher,
    sources: Iterable,
    *,
    args: Iterable[str] = (),
    prune: bool = False,
    progress=None,
    stop: threading.Event | None = None,
    lock=None,
    budget: float | None = None,
    clock=None,
    replace_changed: bool = False,
    alert: Callable | None = None,
):
    """Ingest `args` (files, folders, URLs) and the configured sources; record their status.

    `lock` is the run's lock (checked before every write), `budget` the seconds after
    which what is left waits for the next run. Then `alert(store, report, started)`
    tells the people following a case what the run brought (the bot passes
    `bot.cases.alerts.alerter(settings)`; ingestion alone never posts).
    """
    from ingest.web import WebIngest

    sources = list(sources)
    started = now_iso()
    web = WebIngest(fetcher, sources, stop=stop, clock=clock, replace_changed=replace_changed)
    report = ingestor.run(
        [*args, *(s.url for s in sources)],
        prune=prune,
        progress=progress,
        web=web,
        lock=lock,
        budget=budget,
    )
    record_run(ingestor.store, web.outcomes, report, started=started)
    if alert is not None:
        alert(ingestor.store, report, started)
    return report


def watch(
    run: Callable[[], object],
    *,
    every: float,
    stop: threading.Event,
    max_runs: int | None = None,
    echo: Callable[[str], None] = print,
):
    """Call `run` every `every` seconds until `stop` is set or `max_runs` are done.

    A run that cannot start (the lock is held, the store is down) is reported and the
    loop goes on; the last completed run's report is returned.
    """
    runs, last = 0, None
    while not stop.is_set():
        try:
            last = run()
        except PolicingQAError as exc:
            echo(f"{now_iso()} run skipped: {exc}")
        else:
            echo(f"{now_iso()} {last.summary()}")
            for failure in last.failed:
                echo(f"{now_iso()} failed: {failure['source']}: {failure['error']}")
            for warning in last.warnings:
                echo(f"{now_iso()} warning: {warning['source']}: {warning['warning']}")
            if last.deferred:
                echo(f"{now_iso()} left for the next run: {', '.join(last.deferred)}")
            for problem in (last.alerts or {}).get("undelivered", []):
                echo(f"{now_iso()} alert not delivered: {problem['where']}: {problem['error']}")
        runs += 1
        if max_runs is not None and runs >= max_runs:
            break
        stop.wait(every)
    return last
