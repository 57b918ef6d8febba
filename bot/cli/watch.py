"""`policing-qa watch`: keep the store current on a schedule."""

from __future__ import annotations

import signal
import sys
import threading

import click

from bot.cli.ingest import EXIT_OK, EXIT_PARTIAL
from bot.cli.options import settings_for, sources_option, store_option
from bot.cli.options import sources_path as sources_path_for
from bot.logs import use_format
from index.errors import ConfigError


def _every(ctx, param, value: str) -> float:
    from ingest.watch import parse_every

    try:
        return parse_every(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _stop_on_signals(stop: threading.Event) -> None:
    """First SIGINT/SIGTERM: finish the current run and stop; a second SIGINT interrupts."""

    def handler(signum, frame):
        click.echo(f"{signal.Signals(signum).name}: stopping after the current run", err=True)
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


@click.command()
@sources_option
@click.option(
    "--every",
    default="15m",
    show_default=True,
    callback=_every,
    help="Time between the starts of runs: 30s, 15m, 1h, 1h30m.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Remove pages a sitemap (or a source with prune = true) no longer lists, and pages "
    "that answered 404/410 on two runs an hour or more apart. Feeds are windows: what "
    "scrolls off them stays.",
)
@click.option("--max-runs", type=click.IntRange(min=1), help="Stop after this many runs.")
@click.option(
    "--wait",
    is_flag=True,
    help="When another run holds the lock, wait for it instead of skipping a run.",
)
@store_option
def watch(sources_path, every, prune, max_runs, wait, store):
    """Re-ingest the sources in a sources file every --every until stopped (Ctrl-C, SIGTERM).

    Prints one summary line per run; a run stops reading new pages after --every, and
    the next run picks up what it left. The sources file is re-read before each run; if an
    edit broke it, the previous version is used and the error printed. After each run, the
    file's [[digest]]s whose time of day has passed are posted, once a day. Exit status: 0,
    or 3 when the last run had failures.
    """
    from bot.cases.alerts import alerter
    from bot.cases.digest_post import slack_client
    from bot.cases.digest_schedule import post_due
    from index.store import open_store
    from ingest.fetch import Fetcher
    from ingest.lock import holding, lock_for
    from ingest.pipeline import build_ingestor
    from ingest.sources_file import load_sources
    from ingest.status import now_iso
    from ingest.watch import run_once
    from ingest.watch import watch as loop

    settings = settings_for(store)
    use_format(settings.log_format)
    sources_path = sources_path_for(sources_path, settings, required=True)
    config = load_sources(sources_path)
    db = open_store(settings)
    ingestor = build_ingestor(settings, store=db)
    stop = threading.Event()
    _stop_on_signals(stop)

    def one_run():
        nonlocal config
        try:
            config = load_sources(sources_path)
        except ConfigError as exc:
            click.echo(f"keeping the previous sources: {exc}", err=True)
        with holding(lock_for(settings, db), wait=wait, stop=stop) as lock:
            with Fetcher(config.fetch_options(settings.max_file_bytes)) as fetcher:
                # A run may take up to its slot; what is left waits for the next one.
                report = run_once(
                    ingestor,
                    fetcher,
                    config.sources,
                    prune=prune,
                    stop=stop,
                    lock=lock,
                    budget=every,
                    alert=alerter(settings),
                )
            # Still under the lock, so two watchers never post one digest twice.
            for line in post_due(db, config.digests, lambda: slack_client(settings)):
                click.echo(f"{now_iso()} {line}")
            return report

    last = loop(one_run, every=every, stop=stop, max_runs=max_runs, echo=click.echo)
    sys.exit(EXIT_PARTIAL if last is not None and last.failed else EXIT_OK)
