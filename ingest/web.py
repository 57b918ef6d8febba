"""Ingest URL sources: a page, or the pages a feed or sitemap lists; conditional and prunable.

A source that fails (unreachable, a server error, malformed XML, the wrong kind of
document) changes nothing in the store: its listing record is written, and what it no
longer lists pruned, only once the listing itself was read. An item that fails is
reported by its own URL and keeps whatever was stored from it.

What re-ingestion never does (each a rule below):
- A feed is a window, not an inventory: a release that scrolls off it stays stored. Only
  a sitemap (or a source with `prune = true`) prunes what it stops listing, and never
  when its listing came back empty or under half as long as the last one.
- A page answering 404/410 is removed (with --prune) only once it has answered so on two
  runs at least an hour apart (`ingest.page_state`).
- A changed page replaces its release only when it still reads as one (`ingest.checks`).
- Pages a source lists and redirects stay on its host (`ingest.hosts`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading

from index.errors import PolicingQAError, SourceError
from index.records import StoredSource
from ingest import checks
from ingest.feeds import Item, gunzip, kind_of, newest_first, parse_feed, parse_sitemap
from ingest.fetch import Fetched, Fetcher
from ingest.hosts import refusal
from ingest.page_state import keep_page, page_gone
from ingest.sources_file import SourceSpec
from ingest.urls import host_of

log = logging.getLogger(__name__)

_MAX_SITEMAP_DEPTH = 2
# A listing shorter than this share of the last one prunes nothing.
MIN_LISTING_SHARE = 0.5
_KEPT = "; the stored release is kept (--replace-changed stores it anyway)"


class WebIngest:
    """Fetches the URL sources of one Ingestor run; `outcomes` says how each one went."""

    def __init__(
        self,
        fetcher: Fetcher,
        sources=(),
        *,
        stop: threading.Event | None = None,
        clock=None,
        replace_changed: bool = False,
    ):
        from ingest.readers import READER_VERSION

        self.fetcher = fetcher
        self.specs = {s.url: s for s in sources}
        self.stop = stop
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        # The operator has looked: a changed page replaces its release whatever it reads as.
        self.replace_changed = replace_changed
        self.outcomes: dict[str, dict] = {}
        self._reader = READER_VERSION
        self._ledger: dict[str, StoredSource] | None = None
        self._done: set[str] = set()
        self.soft = checks.SoftFailures(fetcher)
        # What is named (here or on the command line) is trusted as named.
        fetcher.trust(*(host_of(u) for u in self.specs))

    def ingest(self, url: str, ingestor, report, *, prune: bool = False) -> None:
        """Ingest one configured URL (called by `Ingestor.run` for each URL argument)."""
        if self._ledger is None:
            self._ledger = ingestor.store.get_sources()
        self.fetcher.trust(host_of(url))
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
            raise  # the store, settings or lock, not this source: the run cannot go on
        except Exception as exc:  # a bug met on one source must not cost the others
            log.exception("ingesting %s failed", url)
            outcome["error"] = f"failed unexpectedly ({type(exc).__name__}: {exc})"
            report.fail(url, outcome["error"])
        outcome["failed_items"] = [f for f in report.failed[before:] if f["source"] != url]
        self.outcomes[url] = outcome

    # --- one configured source ---------------------------------------------------------

    def _source(self, spec: SourceSpec, ingestor, report, prune: bool) -> dict:
        url = spec.url
        self._done.add(url)
        known = ingestor.stored_source(url)
        fetched = self._get(url, known, spec)
        if fetched.gone:
            if known and not known.items:
                page_gone(
                    url,
                    fetched,
                    known,
                    ingestor,
                    report,
                    prune and spec.prunes_gone(),
                    self.clock(),
                )
                return {"kind": "page", "items_seen": 0}
            raise SourceError(url, f"HTTP {fetched.status}: the page is gone")
        if fetched.not_modified:
            if known.items:
                items = [Item(u, _day(d)) for u, d in known.items.items() if d is not None]
                kind = known.digest.split(":", 1)[0]
                return self._items(
                    spec, kind, known.digest, items, fetched, known, ingestor, report, prune
                )
            keep_page(url, known, ingestor, report)
            return {"kind": "page", "items_seen": 1}
        data = gunzip(fetched.content, url, self.fetcher.options.max_bytes)
        kind = kind_of(url, fetched.content_type, data, spec.kind)
        if kind == "page":
            self._page(url, fetched, data, spec, None, known, ingestor, report)
            return {"kind": "page", "items_seen": 1}
        if kind == "feed":
            items = parse_feed(data, url).items
        else:
            items = newest_first(self._sitemap(spec, url, data, 0))
        digest = f"{kind}:{hashlib.sha256(data).hexdigest()}"
        result = self._items(spec, kind, digest, items, fetched, known, ingestor, report, prune)
        return {**result, "kind": kind}

    def _sitemap(self, spec: SourceSpec, url: str, data: bytes, depth: int) -> list[Item]:
        listing = parse_sitemap(data, url)
        items = list(listing.items)
        for child in listing.sitemaps:
            if depth >= _MAX_SITEMAP_DEPTH:
                raise SourceError(url, f"sitemap indexes nested deeper than {depth + 1} levels")
            if reason := refusal(child, spec.url, spec.allow_hosts):
                raise SourceError(child, f"refused: {reason}")
            fetched = self.fetcher.get(child, allow=self._policy(spec))
            if fetched.status != 200:
                raise SourceError(child, f"HTTP {fetched.status} for a sitemap the index lists")
            items += self._sitemap(
                spec,
                child,
                gunzip(fetched.content, child, self.fetcher.options.max_bytes),
                depth + 1,
            )
        return items

    def _items(
        self, spec, kind, digest, items, fetched: Fetched, known, ingestor, report, prune
    ) -> dict:
        """Ingest the listed pages, record the listing, then prune what it dropped."""
        listed = {i.url: i.published.isoformat() if i.published else "" for i in items}
        complete = self._fetch_items(spec, items[: spec.max_items], ingestor, report, prune)
        previous = self._ledger.get(spec.url)
        before = {u: d for u, d in (previous.items if previous else {}).items()}
        dropped = [u for u in before if u not in listed]
        prunes = spec.prunes_listing(kind)
        if prunes and dropped and len(listed) < MIN_LISTING_SHARE * len(before):
            report.fail(
                spec.url,
                f"lists {len(listed)} pages where the last run saw {len(before)}; "
                "nothing pruned, every stored release kept",
            )
            listed, dropped = {**before, **listed}, []  # the longer listing stays the baseline
        # Remember what was dropped until a run prunes it, or a later run would not know.
        waiting = {u: None for u in dropped} if prunes and not (prune and complete) else {}
        self._record_listing(spec, digest, fetched, known, {**listed, **waiting}, ingestor)
        if prune and prunes and complete:
            for url in dropped:
                if not self._listed_elsewhere(url, spec.url):
                    ingestor.forget(url, report)
        return {"items_seen": len(items)}

    def _fetch_items(self, spec, items, ingestor, report, prune: bool) -> bool:
        """Ingest each listed page once; False when the run's budget left some for later."""
        complete = True
        for item in items:
            if self.stop is not None and self.stop.is_set():
                raise SourceError(spec.url, "stopped before all listed pages were fetched")
            if item.url in self._done:
                continue
            if ingestor.out_of_time():
                report.defer(item.url)
                complete = False
                continue
            self._done.add(item.url)
            try:
                self._item(item, spec, ingestor, report, prune)
            except SourceError as exc:
                report.fail(item.url, exc.reason)
            except PolicingQAError:
                raise
            except Exception as exc:  # a reader bug fails this page, not the run
                log.exception("reading %s failed", item.url)
                report.fail(item.url, f"could not be read ({type(exc).__name__}: {exc})")
        return complete

    def _record_listing(self, spec, digest, fetched: Fetched, known, items, ingestor) -> None:
        etag = fetched.etag or (known.etag if known and fetched.not_modified else None)
        modified = fetched.last_modified or (
            known.last_modified if known and fetched.not_modified else None
        )
        record = StoredSource(spec.url, digest, [], self._reader, etag, modified, items)
        ingestor.before_write()
        ingestor.store.put_source(record)
        self._ledger[spec.url] = record

    # --- one page ------------------------------------------------------------------------

    def _item(self, item: Item, spec: SourceSpec, ingestor, report, prune: bool) -> None:
        if reason := refusal(item.url, spec.url, spec.allow_hosts):
            raise SourceError(item.url, f"refused: {reason}")
        known = ingestor.stored_source(item.url)
        fetched = self._get(item.url, known, spec)
        if fetched.gone:
            if known:
                page_gone(
                    item.url,
                    fetched,
                    known,
                    ingestor,
                    report,
                    prune and spec.prunes_gone(),
                    self.clock(),
                )
                return
            raise SourceError(item.url, f"HTTP {fetched.status}: the page is gone")
        if fetched.not_modified:
            keep_page(item.url, known, ingestor, report)
            return
        kind_of(item.url, fetched.content_type, fetched.content, "page")
        self._page(
            item.url, fetched, fetched.content, spec, item.published, known, ingestor, report
        )

    def _page(
        self, url, fetched: Fetched, data: bytes, spec, hint, known, ingestor, report
    ) -> None:
        from ingest.readers import read_bytes

        digest = hashlib.sha256(data).hexdigest()
        digest = f"{digest}:{self._reader}:{spec.issuer or ''}:{hint or ''}:{fetched.final_url}"
        if known and known.digest == digest:
            # Same bytes though the server did not say 304: keep, but learn new validators.
            keep_page(url, known, ingestor, report, fetched)
            return
        pubs = read_bytes(
            data,
            source=url,
            content_type=fetched.content_type or None,
            url=fetched.final_url,
            issuer=spec.issuer,
            published_hint=hint,
        )
        problem = self.soft.problem(url, fetched, pubs, known, ingestor, self._policy(spec))
        if problem and known and self.replace_changed:
            log.warning("%s: %s; replaced as asked (--replace-changed)", url, problem)
            problem = None
        if problem:
            raise SourceError(url, problem + (_KEPT if known else ""))
        ingestor.accept(
            url, digest, pubs, report, etag=fetched.etag, last_modified=fetched.last_modified
        )

    def _get(self, url: str, known: StoredSource | None, spec: SourceSpec) -> Fetched:
        fetched = self.fetcher.get(
            url,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
            allow=self._policy(spec),
        )
        if fetched.not_modified and known is None:
            raise SourceError(url, "HTTP 304 Not Modified to a request that was not conditional")
        return fetched

    @staticmethod
    def _policy(spec: SourceSpec):
        return lambda target: refusal(target, spec.url, spec.allow_hosts)

    def _listed_elsewhere(self, url: str, source: str) -> bool:
        if url in self.specs:
            return True
        return any(rec.items.get(url) is not None for s, rec in self._ledger.items() if s != source)


def _day(value: str):
    return dt.date.fromisoformat(value) if value else None
