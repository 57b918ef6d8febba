"""Decide whether a URL a document declares for itself may be the link it is cited by.

Pages declare their own URL in og:url, a canonical link, JSON-LD or front matter, and
often wrongly: a relative `/news/item`, the site's home page that a CMS puts in every
og:url, or another site's URL on a syndicated copy. Trusting those would cite two
releases at one URL, or at a page that is not the one read.
"""

from __future__ import annotations

from collections.abc import Iterable

from ingest.urls import is_home, site_of, split_http


def other_site(declared: str, page_url: str | None) -> bool:
    """Tell whether `declared` is an absolute http(s) URL on a site other than the page's."""
    found, page = split_http(declared), split_http(page_url)
    return found is not None and page is not None and site_of(declared) != site_of(page_url)


def citable(declared: str, page_url: str | None) -> bool:
    """Tell whether a declared URL may stand for the page read from `page_url`.

    It must be absolute http(s), not the site's home page, and on the page's site
    (hostname without a leading "www.", any scheme); with no page URL known, any site.
    """
    if split_http(declared) is None or is_home(declared):
        return False
    return page_url is None or not other_site(declared, page_url)


def declared_url(declared: Iterable[str], page_url: str | None) -> str | None:
    """Return the first declared URL that is citable for the page, if any."""
    return next((url for url in declared if citable(url, page_url)), None)
