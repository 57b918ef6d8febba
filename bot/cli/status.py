"""`policing-qa status`: each URL source's last run, last success and last error."""

from __future__ import annotations

import json
import sys

import click

from bot.cli.ingest import EXIT_OK, EXIT_PARTIAL
from bot.cli.options import settings_for, store_option


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@store_option
def status(as_json, store):
    """Show each URL source's last run, last success, items seen and last error.

    Exit status: 0 when every source was fine in its last run, 3 when some were not.
    """
    from index.store import open_store
    from ingest.status import run_status, source_status

    db = open_store(settings_for(store))
    sources, last = source_status(db), run_status(db)
    if as_json:
        click.echo(json.dumps({"last_run": last, "sources": sources}))
    else:
        if last is None:
            click.echo("no run recorded yet")
        else:
            click.echo(
                f"last run {last['started']}: {last['added']} added, {last['updated']} updated, "
                f"{last['removed']} removed, {last['failed']} failed"
            )
        for s in sources:
            state = "ok    " if s["ok"] else "FAILED"
            click.echo(
                f"{state} {s['kind']:<7} {s['source']}  last run {s['last_run']}, "
                f"last success {s['last_success'] or 'never'}, {s['items_seen']} items"
            )
            if s["error"]:
                click.echo(f"       error: {s['error']}")
    sys.exit(EXIT_OK if all(s["ok"] for s in sources) else EXIT_PARTIAL)
