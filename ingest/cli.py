"""`policing-qa ingest`: read publications into the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from index.settings import Settings, get_settings

EXIT_OK, EXIT_USAGE, EXIT_PARTIAL = 0, 2, 3


def settings_with(store: Path | None) -> Settings:
    """Settings from the environment, with `--store` taking precedence."""
    settings = get_settings()
    if store is not None:
        settings = settings.model_copy(update={"store": store, "chroma_url": None})
    return settings


def build_ingestor(
    settings: Settings, issuer: str | None = None, url_map: Path | None = None, store=None
):
    from index.embed import LocalEmbeddings
    from index.store import open_store
    from ingest.pipeline import Ingestor

    store = store if store is not None else open_store(settings)
    embedder = LocalEmbeddings(settings.embedding_model, settings.embedding_batch_size)
    return Ingestor(
        store,
        embedder,
        chunk_tokens=settings.chunk_tokens,
        max_file_bytes=settings.max_file_bytes,
        issuer=issuer,
        url_map_path=url_map,
        batch_chunks=settings.ingest_batch_chunks,
    )


@click.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--sources",
    "sources_path",
    envvar="POLICING_QA_SOURCES",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="TOML file listing feeds, sitemaps and pages (see docs/sources.example.toml).",
)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="POLICING_QA_STORE",
    help="Embedded Chroma directory (default: POLICING_QA_STORE or ~/.local/share).",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Remove publications whose source file is gone, pages a feed or sitemap no "
    "longer lists, and pages that answer 404/410.",
)
@click.option("--issuer", help="Issuer for publications that do not name one.")
@click.option(
    "--url-map",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="CSV mapping file names to canonical URLs (found beside the files if omitted).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary on stdout.")
@click.option("--wait", is_flag=True, help="If another run holds the store's lock, wait for it.")
def ingest(sources, sources_path, store, prune, issuer, url_map, as_json, wait):
    """Ingest publications from files, folders and URLs (pages, RSS/Atom feeds, sitemaps).

    Exit status: 0 when everything was stored, 3 when some inputs failed and the
    rest were stored, 2 for usage errors, 1 when the store or its lock is unavailable.
    """
    from index.store import open_store
    from ingest.fetch import Fetcher, FetchOptions
    from ingest.lock import holding, lock_for
    from ingest.sources_file import load_sources
    from ingest.watch import run_once

    if not sources and sources_path is None:
        raise click.UsageError("give files, folders or URLs to ingest, or --sources FILE")
    config = load_sources(sources_path) if sources_path else None
    settings = settings_with(store)
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
    with holding(lock_for(settings, db), wait=wait), Fetcher(options) as fetcher:
        ingestor = build_ingestor(settings, issuer=issuer, url_map=url_map, store=db)
        report = run_once(
            ingestor,
            fetcher,
            config.sources if config else [],
            args=list(sources),
            prune=prune,
            progress=progress,
        )
    if bar is not None:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.as_json()))
    else:
        click.echo(
            f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.duplicates} duplicates, {report.removed} removed, "
            f"{len(report.failed)} failed in {report.seconds:.1f}s; "
            f"store holds {report.publications} publications in {report.chunks} chunks"
        )
        for failure in report.failed:
            click.echo(f"failed: {failure['source']}: {failure['error']}", err=True)
    sys.exit(EXIT_PARTIAL if report.failed else EXIT_OK)
