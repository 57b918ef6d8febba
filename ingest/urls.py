"""What names a site and a page, for every rule that compares URLs (one place)."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit


def split_http(url: str | None) -> SplitResult | None:
    """Split an absolute http(s) URL with a host; None for anything else."""
    try:
        parts = urlsplit(url or "")
    except ValueError:  # a malformed IPv6 host or port
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts


def host_of(url: str) -> str:
    """The lower-case host name of `url` ("" when it has none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def site_of(url: str) -> str:
    """The site a URL is on: its host without a leading "www." (any scheme or port)."""
    return host_of(url).removeprefix("www.")


def page_key(url: str) -> tuple[str, str, str]:
    """What names one page: its site, its path without a trailing slash, its query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ("", url, "")
    return site_of(url), parts.path.rstrip("/"), parts.query


def is_home(url: str) -> bool:
    """Whether `url` is a site's home page ("/" and no query)."""
    _, path, query = page_key(url)
    return not path and not query


def home_of(url: str) -> str:
    """The home page of `url`'s site."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"
