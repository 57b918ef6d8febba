"""`policing-qa ingest`: read publications into the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.cli.options import settings_for, sources_option, store_option
from bot.cli.options import sources_path as sources_path_for

EXIT_OK, EXIT_PARTIAL = 0, 3


def _alerter(settings):
    """The alert step (Slack only: nothing to import or post without a bot token)."""
    if settings.slack_bot_token is None:
        return None
    from bot.cases.alerts import alerter

    return alerter(settings)


def _duration(value: str | None) -> float | None:
    from ingest.watch import parse_every

    if value is None:
        return None
    try:
        return parse_every(value, zero=True)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.argument("sources", nargs=-1)
@sources_option
@store_option
@click.option(
    "--prune",
    is_flag=True,
    help="Remove publications whose file is gone from a folder named in this run, pages "
    "a sitemap (or a source with prune = true) no longer lists, and pages that answered "
    "404/410 on two runs an hour or more apart. Feeds are windows: what scrolls off stays.",
)
@click.option(
    "--budget",
    callback=lambda ctx, param, value: _duration(value),
    help="Stop reading new inputs after this long (30s, 15m, 1h); what is left is "
    "listed and waits for the next run.",
)
@click.option(
    "--replace-changed",
    is_flag=True,
    help="Store changed pages even when they no longer read as the stored release "
    "(redirected, a login or home page, unrelated text): after checking them by hand.",
)
@click.option("--issuer", help="Issuer for publications that do not name one.")
@click.option(
    "--url-map",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="CSV mapping file names to canonical URLs (found beside the files if omitted).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary on stdout.")
@click.option("--wait", is_flag=True, help="If another run holds the store's lock, wait for it.")
def ingest(
    sources, sources_path, store, prune, budget, replace_changed, issuer, url_map, as_json, wait
):
    """Ingest publications from files, folders and URLs (pages, RSS/Atom feeds, sitemaps).

    Exit status: 0 when everything was stored, 3 when some inputs failed and the
    rest were stored, 2 for usage errors, 1 when the store or its lock is unavailable.
    """
    from index.store import open_store
    from ingest.fetch import Fetcher, FetchOptions
    from ingest.lock import holding, lock_for
    from ingest.pipeline import build_ingestor
    from ingest.sources_file import load_sources
    from ingest.watch import run_once

    settings = settings_for(store)
    sources_path = sources_path_for(sources_path, settings, required=False)
    if not sources and sources_path is None:
        raise click.UsageError("give files, folders or URLs to ingest, or --sources FILE")
    config = load_sources(sources_path) if sources_path else None
    db = open_store(settings)
    options = (
        config.fetch_options(settings.max_file_bytes)
        if config
        else FetchOptions(max_bytes=settings.max_file_bytes)
    )
    bar = None
    if sys.stderr.isatty() and not as_json:
        from tqdm import tqdm

        bar = tqdm(total=0, unit="file", file=sys.stderr, desc="ingest")

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    # Lock before loading the model, so a refused run ends at once.
    with holding(lock_for(settings, db), wait=wait) as lock, Fetcher(options) as fetcher:
        ingestor = build_ingestor(settings, issuer=issuer, url_map=url_map, store=db)
        report = run_once(
            ingestor,
            fetcher,
            config.sources if config else [],
            args=list(sources),
            prune=prune,
            progress=progress,
            lock=lock,
            budget=budget,
            replace_changed=replace_changed,
            alert=_alerter(settings),
        )
    if bar is not None:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.as_json()))
    else:
        click.echo(report.summary())
        for failure in report.failed:
            click.echo(f"failed: {failure['source']}: {failure['error']}", err=True)
        for warning in report.warnings:
            click.echo(f"warning: {warning['source']}: {warning['warning']}", err=True)
        for source in report.deferred:
            click.echo(f"left for the next run: {source}", err=True)
        for problem in (report.alerts or {}).get("undelivered", []):
            click.echo(f"alert not delivered: {problem['where']}: {problem['error']}", err=True)
    sys.exit(EXIT_PARTIAL if report.failed else EXIT_OK)
