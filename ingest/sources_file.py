"""The sources file (TOML): which feeds, sitemaps and pages to keep the store current with."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from index.errors import ConfigError
from ingest.feeds import KINDS
from ingest.fetch import FetchOptions

_DEFAULT_MAX_ITEMS = 200


@dataclass(frozen=True)
class SourceSpec:
    """One configured URL: a page, feed or sitemap, and how to treat what it yields."""

    url: str
    kind: str = "auto"
    issuer: str | None = None
    max_items: int = _DEFAULT_MAX_ITEMS
    # None: the default for the kind (a sitemap is an inventory, a feed only a window).
    prune: bool | None = None
    # Hosts (or "*.example.org" patterns) its listed pages and redirects may lead to,
    # besides the source's own host.
    allow_hosts: tuple[str, ...] = ()

    def prunes_listing(self, kind: str) -> bool:
        """Whether a page this source stops listing is removed (with --prune)."""
        return self.prune if self.prune is not None else kind == "sitemap"

    def prunes_gone(self) -> bool:
        """Whether its pages that keep answering 404/410 are removed (with --prune)."""
        return self.prune is not False


@dataclass(frozen=True)
class DigestSpec:
    """A daily digest `watch` posts to a Slack channel once its local time of day has passed."""

    channel: str
    time: dt.time
    timezone: str  # an IANA name, "America/Winnipeg"
    issuers: tuple[str, ...] = ()  # only releases of these issuers; () for all

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class SourcesFile:
    path: Path
    sources: list[SourceSpec]
    fetch: dict = field(default_factory=dict)
    digests: list[DigestSpec] = field(default_factory=list)

    def fetch_options(self, max_bytes: int) -> FetchOptions:
        """Fetch limits: the file's `[fetch]` table over the defaults and `max_bytes`."""
        return FetchOptions(**{"max_bytes": max_bytes, **self.fetch})


_SOURCE_KEYS = {f.name: f.type for f in fields(SourceSpec)}
_FETCH_KEYS = {f.name for f in fields(FetchOptions)}
_WHOLE = {"max_bytes", "retries", "max_redirects"}


def load_sources(path: Path) -> SourcesFile:
    """Read and check a sources file; every problem is a ConfigError naming file and entry."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the sources file ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    extra = set(data) - {"source", "fetch", "digest"}
    if extra:
        raise ConfigError(
            f"{path}: unknown table(s) {', '.join(sorted(extra))}; "
            "expected [fetch], [[source]] and [[digest]]"
        )
    entries = data.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: no [[source]] entries")
    specs, seen = [], set()
    for n, entry in enumerate(entries, 1):
        spec = _spec(path, n, entry)
        if spec.url in seen:
            raise ConfigError(f"{path}: source #{n}: {spec.url} is listed twice")
        seen.add(spec.url)
        specs.append(spec)
    fetch = _fetch(path, data.get("fetch", {}))
    return SourcesFile(path, specs, fetch, _digests(path, data.get("digest", [])))


def _spec(path: Path, n: int, entry) -> SourceSpec:
    where = f"{path}: source #{n}"
    if not isinstance(entry, dict):
        raise ConfigError(f'{where}: expected a table with url = "..."')
    url = entry.get("url")
    if not isinstance(url, str):
        raise ConfigError(f'{where}: missing url = "https://..."')
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"{where}: {url!r} is not an http(s) URL")
    where = f"{path}: source #{n} ({url})"
    unknown = set(entry) - set(_SOURCE_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(_SOURCE_KEYS)}"
        )
    kind = entry.get("kind", "auto")
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    issuer = entry.get("issuer")
    if issuer is not None and (not isinstance(issuer, str) or not issuer.strip()):
        raise ConfigError(f"{where}: issuer must be a non-empty string")
    max_items = entry.get("max_items", _DEFAULT_MAX_ITEMS)
    if isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 1:
        raise ConfigError(f"{where}: max_items must be a whole number of at least 1")
    prune = entry.get("prune")
    if prune is not None and not isinstance(prune, bool):
        raise ConfigError(f"{where}: prune must be true or false")
    return SourceSpec(url, kind, issuer and issuer.strip(), max_items, prune, _hosts(where, entry))


def _hosts(where: str, entry: dict) -> tuple[str, ...]:
    hosts = entry.get("allow_hosts", [])
    if not isinstance(hosts, list) or not all(
        isinstance(h, str) and h.strip() and "/" not in h for h in hosts
    ):
        raise ConfigError(
            f'{where}: allow_hosts must be a list of host names, like ["cdn.example.org", '
            '"*.example.org"]'
        )
    return tuple(h.strip().lower() for h in hosts)


def _fetch(path: Path, table) -> dict:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [fetch] must be a table")
    unknown = set(table) - _FETCH_KEYS
    if unknown:
        raise ConfigError(
            f"{path}: [fetch]: unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(_FETCH_KEYS))}"
        )
    for key, value in table.items():
        if key == "contact":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{path}: [fetch]: contact must be a URL or e-mail address")
        elif key in _WHOLE and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"{path}: [fetch]: {key} must be a whole number")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{path}: [fetch]: {key} must be a number of at least 0")
    return dict(table)


_DIGEST_KEYS = ("channel", "time", "timezone", "issuer")
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})")


def _digests(path: Path, entries) -> list[DigestSpec]:
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: digest must be a list of [[digest]] tables")
    digests: list[DigestSpec] = []
    for n, entry in enumerate(entries, 1):
        spec = _digest(f"{path}: digest #{n}", entry)
        if any(d.channel == spec.channel for d in digests):
            raise ConfigError(f"{path}: digest #{n}: channel {spec.channel} is listed twice")
        digests.append(spec)
    return digests


def _digest(where: str, entry) -> DigestSpec:
    if not isinstance(entry, dict):
        raise ConfigError(f'{where}: expected a table with channel = "C0123..."')
    channel = entry.get("channel")
    if not isinstance(channel, str) or not channel.strip() or " " in channel.strip():
        raise ConfigError(f'{where}: channel must be a Slack channel ID, like channel = "C0123"')
    where = f"{where} ({channel.strip()})"
    unknown = set(entry) - set(_DIGEST_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(_DIGEST_KEYS)}"
        )
    issuers = entry.get("issuer", [])
    issuers = [issuers] if isinstance(issuers, str) else issuers
    if not isinstance(issuers, list) or not all(isinstance(i, str) and i.strip() for i in issuers):
        raise ConfigError(f"{where}: issuer must be an issuer's name or a list of names")
    return DigestSpec(
        channel.strip(),
        _time_of_day(where, entry.get("time")),
        _timezone(where, entry.get("timezone")),
        tuple(i.strip() for i in issuers),
    )


def _time_of_day(where: str, value) -> dt.time:
    if isinstance(value, dt.time):  # a TOML local time: time = 07:30:00
        return value
    found = _TIME_OF_DAY.fullmatch(value.strip()) if isinstance(value, str) else None
    if found and int(found[1]) < 24 and int(found[2]) < 60:
        return dt.time(int(found[1]), int(found[2]))
    raise ConfigError(f'{where}: time must be a time of day on a 24-hour clock, like "07:30"')


def _timezone(where: str, value) -> str:
    if not isinstance(value, str):
        raise ConfigError(f'{where}: missing timezone = "America/Winnipeg" (an IANA time zone)')
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f'{where}: timezone {value!r} is not an IANA time zone, like "America/Winnipeg"'
        ) from None
    return value
