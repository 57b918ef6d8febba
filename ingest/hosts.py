"""Where discovered URLs may lead: the host policy for pages a source lists or redirects to.

A URL named on the command line or in the sources file is trusted as named. What is
discovered from it — the items of a feed, the pages and child sitemaps of a sitemap,
every redirect — must stay on the source's own host (with or without "www."), or on a
host the sources file allows for that source (`allow_hosts`). The fetcher adds the
address check: a host nobody named never reaches a loopback, link-local or private
address.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from ingest.urls import host_of, site_of, split_http


def refusal(url: str, source: str, allow_hosts: tuple[str, ...] = ()) -> str | None:
    """Why `url`, discovered from `source`, may not be fetched; None when it may."""
    if split_http(url) is None:
        return f"{url!r} is not an http(s) URL"
    host, home = host_of(url), host_of(source)
    # The same site with or without "www." is the source's own host.
    if site_of(url) == site_of(source) or any(fnmatchcase(host, p) for p in allow_hosts):
        return None
    return (
        f"{host} is not the source's host ({home}); list it in the source's allow_hosts to fetch it"
    )
