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


def build_ingestor(settings: Settings, issuer: str | None = None, url_map: Path | None = None):
    from index.embed import LocalEmbeddings
    from index.store import open_store
    from ingest.pipeline import Ingestor

    store = open_store(settings)
    embedder = LocalEmbeddings(settings.embedding_model, settings.embedding_batch_size)
    return Ingestor(
        store, embedder, chunk_tokens=settings.chunk_tokens,
        max_file_bytes=settings.max_file_bytes, issuer=issuer, url_map_path=url_map,
    )


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), envvar="POLICING_QA_STORE",
              help="Embedded Chroma directory (default: POLICING_QA_STORE or ~/.local/share).")
@click.option("--prune", is_flag=True, help="Remove publications whose source file is gone.")
@click.option("--issuer", help="Issuer for publications that do not name one.")
@click.option("--url-map", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="CSV mapping file names to canonical URLs (found beside the files if omitted).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary on stdout.")
def ingest(sources, store, prune, issuer, url_map, as_json):
    """Ingest publications from files, folders and URLs into the store.

    Exit status: 0 when everything was stored, 3 when some inputs failed and the
    rest were stored, 2 for usage errors.
    """
    settings = settings_with(store)
    ingestor = build_ingestor(settings, issuer=issuer, url_map=url_map)
    bar = None
    if sys.stderr.isatty() and not as_json:
        from tqdm import tqdm

        bar = tqdm(total=0, unit="file", file=sys.stderr, desc="ingest")

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    report = ingestor.run(list(sources), prune=prune, progress=progress)
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
