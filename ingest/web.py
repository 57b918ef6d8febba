"""Ingest URL sources: a page, or the pages a feed or sitemap lists; conditional and prunable.

A source that fails (unreachable, a server error, malformed XML, the wrong kind of
document) changes nothing in the store: its listing record is written, and what it no
longer lists pruned, only once the listing itself was read. An item that fails is
reported by its own URL and keeps whatever was stored from it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import replace

from index.errors import PolicingQAError, SourceError
from index.records import StoredSource
from ingest.feeds import Item, gunzip, kind_of, newest_first, parse_feed, parse_sitemap
from ingest.fetch import Fetched, Fetcher
from ingest.sources_file import SourceSpec

log = logging.getLogger(__name__)

_MAX_SITEMAP_DEPTH = 2


class WebIngest:
    """Fetches the URL sources of one Ingestor run; `outcomes` says how each one went."""

    def __init__(self, fetcher: Fetcher, sources=(), *, stop: threading.Event | None = None):
        from ingest.readers import READER_VERSION

        self.fetcher = fetcher
        self.specs = {s.url: s for s in sources}
        self.stop = stop
        self.outcomes: dict[str, dict] = {}
        self._reader = READER_VERSION
        self._ledger: dict[str, StoredSource] | None = None
        self._done: set[str] = set()

    def ingest(self, url: str, ingestor, report, *, prune: bool = False) -> None:
        """Ingest one configured URL (called by `Ingestor.run` for each URL argument)."""
        if self._ledger is None:
            self._ledger = ingestor.store.get_sources()
        spec = self.specs.get(url) or SourceSpec(url, issuer=ingestor.issuer)
        before = len(report.failed)
        outcome = {"kind": spec.kind, "issuer": spec.issuer, "items_seen": 0, "error": None}
        try:
            outcome.update(self._source(spec, ingestor, report, prune))
        except SourceError as exc:
            reason = exc.reason if exc.source == url else f"{exc.source}: {exc.reason}"
            report.fail(url, reason)
            outcome["error"] = reason
        except PolicingQAError:
            raise  # the store or settings, not this source: the run cannot go on
        except Exception as exc:  # a bug met on one source must not cost the others
            log.exception("ingesting %s failed", url)
            outcome["error"] = f"failed unexpectedly ({type(exc).__name__}: {exc})"
            report.fail(url, outcome["error"])
        outcome["failed_items"] = [f for f in report.failed[before:] if f["source"] != url]
        self.outcomes[url] = outcome

    # --- one configured source ---------------------------------------------------------

    def _source(self, spec: SourceSpec, ingestor, report, prune: bool) -> dict:
        url = spec.url
        known = ingestor.stored_source(url)
        fetched = self._get(url, known)
        if fetched.gone:
            if prune and spec.prune and spec.kind in ("auto", "page") and known and not known.items:
                ingestor.forget(url, report)
                return {"kind": "page", "removed": True}
            raise SourceError(url, _gone(fetched, known is not None))
        if fetched.not_modified:
            if known.items:
                items = [Item(u, _day(d)) for u, d in known.items.items() if d is not None]
                return self._items(
                    spec, known.digest, items, fetched, known, ingestor, report, prune
                )
            ingestor.keep(url, report)
            return {"kind": "page", "items_seen": 1}
        data = gunzip(fetched.content, url, self.fetcher.options.max_bytes)
        kind = kind_of(url, fetched.content_type, data, spec.kind)
        if kind == "page":
            self._page(url, fetched, data, spec.issuer, None, known, ingestor, report)
            return {"kind": "page", "items_seen": 1}
        if kind == "feed":
            items = parse_feed(data, url).items
        else:
            items = newest_first(self._sitemap(url, data, 0))
        digest = hashlib.sha256(data).hexdigest()
        result = self._items(spec, digest, items, fetched, known, ingestor, report, prune)
        return {**result, "kind": kind}

    def _sitemap(self, url: str, data: bytes, depth: int) -> list[Item]:
        listing = parse_sitemap(data, url)
        items = list(listing.items)
        for child in listing.sitemaps:
            if depth >= _MAX_SITEMAP_DEPTH:
                raise SourceError(url, f"sitemap indexes nested deeper than {depth + 1} levels")
            fetched = self.fetcher.get(child)
            if fetched.status != 200:
                raise SourceError(child, f"HTTP {fetched.status} for a sitemap the index lists")
            items += self._sitemap(
                child, gunzip(fetched.content, child, self.fetcher.options.max_bytes), depth + 1
            )
        return items

    def _items(
        self, spec, digest, items, fetched: Fetched, known, ingestor, report, prune: bool
    ) -> dict:
        """Ingest the listed pages, record the listing, then prune what it dropped."""
        listed = {i.url: i.published.isoformat() if i.published else "" for i in items}
        for item in items[: spec.max_items]:
            if self.stop is not None and self.stop.is_set():
                raise SourceError(spec.url, "stopped before all listed pages were fetched")
            if item.url in self._done:
                continue
            self._done.add(item.url)
            try:
                self._item(item, spec, ingestor, report, prune)
            except SourceError as exc:
                report.fail(item.url, exc.reason)
            except Exception as exc:  # a reader bug fails this page, not the run
                log.exception("reading %s failed", item.url)
                report.fail(item.url, f"could not be read ({type(exc).__name__}: {exc})")
        etag = fetched.etag or (known.etag if known and fetched.not_modified else None)
        modified = fetched.last_modified or (
            known.last_modified if known and fetched.not_modified else None
        )
        previous = self._ledger.get(spec.url)
        dropped = [u for u in (previous.items if previous else {}) if u not in listed]
        # Remember what was dropped until a run prunes it, or a later run would not know.
        waiting = {u: None for u in dropped} if spec.prune and not prune else {}
        record = StoredSource(
            spec.url, digest, [], self._reader, etag, modified, {**listed, **waiting}
        )
        ingestor.store.put_source(record)
        self._ledger[spec.url] = record
        if prune and spec.prune:
            for url in dropped:
                if not self._listed_elsewhere(url, spec.url):
                    ingestor.forget(url, report)
        return {"items_seen": len(listed)}

    # --- one page ------------------------------------------------------------------------

    def _item(self, item: Item, spec: SourceSpec, ingestor, report, prune: bool) -> None:
        known = ingestor.stored_source(item.url)
        fetched = self._get(item.url, known)
        if fetched.gone:
            if prune and spec.prune and known:
                ingestor.forget(item.url, report)
                return
            raise SourceError(item.url, _gone(fetched, known is not None))
        if fetched.not_modified:
            ingestor.keep(item.url, report)
            return
        kind_of(item.url, fetched.content_type, fetched.content, "page")
        self._page(
            item.url, fetched, fetched.content, spec.issuer, item.published, known, ingestor, report
        )

    def _page(
        self, url, fetched: Fetched, data: bytes, issuer, hint, known, ingestor, report
    ) -> None:
        from ingest.readers import read_bytes

        digest = hashlib.sha256(data).hexdigest()
        digest = f"{digest}:{self._reader}:{issuer or ''}:{hint or ''}:{fetched.final_url}"
        if known and known.digest == digest:
            # Same bytes though the server did not say 304: keep, but learn new validators.
            ingestor.keep(url, report)
            if (known.etag, known.last_modified) != (fetched.etag, fetched.last_modified):
                ingestor.store.put_source(
                    replace(known, etag=fetched.etag, last_modified=fetched.last_modified)
                )
            return
        pubs = read_bytes(
            data,
            source=url,
            content_type=fetched.content_type or None,
            url=fetched.final_url,
            issuer=issuer,
            published_hint=hint,
        )
        ingestor.accept(
            url, digest, pubs, report, etag=fetched.etag, last_modified=fetched.last_modified
        )

    def _get(self, url: str, known: StoredSource | None) -> Fetched:
        fetched = self.fetcher.get(
            url,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
        )
        if fetched.not_modified and known is None:
            raise SourceError(url, "HTTP 304 Not Modified to a request that was not conditional")
        return fetched

    def _listed_elsewhere(self, url: str, source: str) -> bool:
        if url in self.specs:
            return True
        return any(rec.items.get(url) is not None for s, rec in self._ledger.items() if s != source)


def _gone(fetched: Fetched, stored: bool) -> str:
    note = "; what was stored from it stays until a run with --prune" if stored else ""
    return f"HTTP {fetched.status}: the page is gone{note}"


def _day(value: str):
    import datetime as dt

    return dt.date.fromisoformat(value) if value else None
