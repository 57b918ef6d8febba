"""`policing-qa digest`: post the releases stored since the last digest to a Slack channel."""

from __future__ import annotations

import datetime as dt
import json

import click

from bot.cli.options import settings_for, store_option


class DateTimeType(click.ParamType):
    """An ISO 8601 date or date and time; without an offset it is UTC."""

    name = "ISO-DATETIME"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.datetime):
            return value
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date and time, e.g. 2019-10-31T07:30", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@click.command()
@click.option("--channel", required=True, help="Slack channel ID to post to, e.g. C0123ABCD.")
@click.option(
    "--since",
    type=DateTimeType(),
    help="List releases stored since this time (UTC unless it has an offset) instead of "
    "since the last digest to the channel.",
)
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option("--dry-run", is_flag=True, help="Print the digest; post and record nothing.")
def digest(channel, since, store, as_json, dry_run):
    """Post to a Slack channel the releases stored since the last digest to it.

    The first digest to a channel lists the last 24 hours (or --since). Releases are
    grouped by issuer, each with its title, date, link and one line of news: what it adds
    to the earlier releases of its case, else its first sentence. Nothing is posted when
    nothing is new. The digest is recorded in the store only once Slack took it, so a
    failed post is sent again, with the same releases, next time. Exit status: 0 (posted,
    or nothing new), 1 when Slack refused the post or is not configured (nothing
    recorded), 2 for usage errors.
    """
    from bot.cases.digest import collect
    from bot.cases.digest_message import plain, releases, when
    from bot.cases.digest_post import deliver, slack_client
    from index.store import open_store

    channel = channel.strip()
    if not channel or " " in channel:
        raise click.BadParameter("give a Slack channel ID, like C0123ABCD", param_hint="--channel")
    settings = settings_for(store)
    client = None if dry_run else slack_client(settings)
    db = open_store(settings)
    found = collect(db, channel, since=since)
    posted = None
    if found.count and not dry_run:
        posted = deliver(db, client, found)
    if as_json:
        out = {**found.as_json(), "posted": posted is not None, "ts": posted, "dry_run": dry_run}
        click.echo(json.dumps(out))
    elif not found.count:
        click.echo(f"nothing new since {when(found.since)} for {channel}")
    elif dry_run:
        click.echo(plain(found))
    else:
        click.echo(f"posted {releases(found.count)} to {channel} (since {when(found.since)})")
