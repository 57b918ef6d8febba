"""Digests: the releases stored since a channel's last digest, each with its one-line news.

A digest lists the releases committed to the store since the previous digest to the same
channel (the first, the last 24 hours), grouped by issuer. A release of a case that had
earlier releases is told by the first sentence it adds to them (`CaseBook.adds`), any
other by its first sentence.

Where a digest stopped is kept in the store's run records (kind "digest", one per
channel) and written only once Slack has taken the post, so a post that failed is tried
again with the same releases. The mark is the newest ingest time the digest saw, not the
clock: an ingest run stamps its releases with the time it started, so a release committed
while a digest was being made carries a time at or before the mark. The releases already
at the mark are remembered by id; the next digest takes everything else from the mark on.
Posting and recording: `bot.cases.digest_post`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from bot.cases.timeline import CaseBook
from index.records import StoredPublication

KIND = "digest"  # the run records' kind
FIRST_WINDOW = dt.timedelta(hours=24)
# Releases listed in one message (Slack takes 50 blocks); the rest are counted.
MAX_LISTED = 40
NEWS_CHARS = 280
UNKNOWN_ISSUER = "Other publishers"
_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class DigestItem:
    """One new release and its news."""

    publication_id: str
    title: str
    published: dt.date | None
    url: str | None
    issuer: str | None
    references: list[str]
    news: str | None  # the first sentence it adds; None when it adds nothing
    update_of: list[str]  # its case numbers that had earlier releases

    def as_json(self) -> dict:
        out = asdict(self)
        out["published"] = self.published.isoformat() if self.published else None
        return out


@dataclass(frozen=True)
class Digest:
    """What a digest to `channel` would post: new releases from `since` to `until`."""

    channel: str
    since: dt.datetime
    until: dt.datetime  # the newest ingest time seen
    seen: list[str]  # releases stored at `until`, all taken into account
    items: list[DigestItem]  # newest first, up to MAX_LISTED
    count: int  # new releases, listed or not

    @property
    def unlisted(self) -> int:
        return self.count - len(self.items)

    def groups(self) -> list[tuple[str, list[DigestItem]]]:
        """(issuer, its items), issuers in alphabetical order."""
        out: dict[str, list[DigestItem]] = {}
        for item in self.items:
            out.setdefault(item.issuer or UNKNOWN_ISSUER, []).append(item)
        return sorted(out.items())

    def as_json(self) -> dict:
        return {
            "channel": self.channel,
            "since": iso(self.since),
            "until": iso(self.until),
            "count": self.count,
            "unlisted": self.unlisted,
            "releases": [item.as_json() for item in self.items],
        }


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def last_digest(store, channel: str) -> dict | None:
    """The run record of the last digest to `channel`, or None."""
    return store.get_run_records(KIND).get(channel)


def collect(
    store,
    channel: str,
    *,
    since: dt.datetime | None = None,
    issuers: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> Digest:
    """The releases new to `channel` (or stored since `since`), of `issuers` if named."""
    pubs = list(store.get_publications().values())
    record = None if since else last_digest(store, channel)
    start = _start(record, since, now or utc_now())
    seen = set(record.get("seen", [])) if record else set()
    wanted = {i.casefold() for i in issuers}
    fresh = [p for p in pubs if _is_new(p, start, seen) and _issued_by(p, wanted)]
    fresh.sort(key=lambda p: (p.published or dt.date.min, p.ingested_at, p.title), reverse=True)
    until = max([start, *map(_stamp, pubs)])
    at_until = sorted(p.id for p in pubs if _stamp(p) == until)
    news = _News(CaseBook(store))
    items = [news.item(p) for p in fresh[:MAX_LISTED]]
    return Digest(channel, start, until, at_until, items, len(fresh))


def _start(record: dict | None, since: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if since is not None:
        return since if since.tzinfo else since.replace(tzinfo=dt.UTC)
    if record and record.get("until"):
        return _parse(record["until"])
    return now - FIRST_WINDOW


def _parse(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return _EPOCH
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _stamp(pub: StoredPublication) -> dt.datetime:
    return _parse(pub.ingested_at)


def _is_new(pub: StoredPublication, start: dt.datetime, seen: set[str]) -> bool:
    stamp = _stamp(pub)
    return stamp > start or (stamp == start and pub.id not in seen)


def _issued_by(pub: StoredPublication, wanted: set[str]) -> bool:
    return not wanted or (pub.issuer or "").casefold() in wanted


class _News:
    """Each release's one-line news; each case's releases are read once."""

    def __init__(self, book: CaseBook):
        self.book = book
        self.cases: dict[str, list[str]] = {}

    def item(self, pub: StoredPublication) -> DigestItem:
        earlier, updated = self._earlier(pub)
        added = self.book.adds(pub.id, earlier)
        return DigestItem(
            publication_id=pub.id,
            title=pub.title,
            published=pub.published,
            url=pub.url,
            issuer=pub.issuer,
            references=list(pub.references),
            news=one_line(added[0]) if added else None,
            update_of=updated,
        )

    def _earlier(self, pub: StoredPublication) -> tuple[list[str], list[str]]:
        """Ids of the releases of its cases before it, and the cases that had some."""
        earlier: list[str] = []
        updated: list[str] = []
        for ref in pub.references:
            if ref not in self.cases:
                self.cases[ref] = [p.id for p in self.book.releases_of(ref)]
            case = self.cases[ref]
            before = case[: case.index(pub.id)] if pub.id in case else []
            if before:
                updated.append(ref)
                earlier.extend(i for i in before if i not in earlier)
        return earlier, updated


def one_line(sentence: str, limit: int = NEWS_CHARS) -> str:
    """The sentence on one line, cut at a word before `limit` characters."""
    text = re.sub(r"\s+", " ", sentence).strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
