"""Soft failures: answers that look like success (200) but are not the release any more.

A site that redirects a withdrawn page to its home page, puts a login or maintenance page
in its place, or serves an error page with status 200 must not replace the release stored
from that URL. A changed page replaces its release only when it still reads as one:
- it was not redirected to another page (the home page, or another path than before);
- its title is not a login, error or maintenance page's, nor its text the home page's;
- its text shares a fair part of its wording, or its title, with the stored release.
"""

from __future__ import annotations

import logging
import re

from index.text import terms_of, tokenize
from ingest.urls import home_of, is_home, page_key

log = logging.getLogger(__name__)

# Titles of the pages a site answers with when the release is not there.
_GENERIC_TITLE = re.compile(
    r"^\W*(?:log\s?in|sign\s?in|sign\s?on|access\s+denied|forbidden|unauthori[sz]ed|"
    r"page\s+not\s+found|not\s+found|(?:404|403|500)\s*(?:$|[-:|]|not\s+found|forbidden|error)|"
    r"(?:an?\s+)?error\s*(?:$|[-:|!]|occurred|page)|oops\b|"
    r"(?:site|scheduled|under|down\s+for)\s+maintenance|maintenance\s*(?:$|[-|:!]|mode\b)|"
    r"(?:service|site|page)\s+(?:temporarily\s+)?unavailable|temporarily\s+unavailable|"
    r"session\s+(?:expired|timed\s+out)|home\s*(?:page)?\s*(?:$|[-|–—:])|welcome\s+to\b)",
    re.I,
)
# A new text sharing under this share of its three-word runs with the stored one, under a
# title with under half its words in common, is another page, not an update. (Two random
# releases of the shared corpus share 0.9% of their runs at the median, 6.7% at the 90th
# percentile; a rule on both text and title refuses 93% of swapped releases, and passes
# an update that rewrites the body under the same title.)
MIN_SHARED = 0.1
MIN_SHARED_TITLE = 0.5
# Jaccard similarity of three-word runs above which a page is the home page itself.
MAX_HOME_SIMILAR = 0.8


def redirect_problem(url: str, final: str, before: str | None) -> str | None:
    """Why a redirect from `url` to `final` is not the release; `before`: last run's final."""
    if page_key(final) == page_key(url):
        return None
    if is_home(final):
        return f"redirected to the site's home page ({final})"
    if before is not None and page_key(final) != page_key(before):
        return f"redirected to another page ({final})"
    return None


def generic_title(title: str) -> bool:
    """Whether a title is a login, error, maintenance or home page's."""
    return bool(_GENERIC_TITLE.match(title.strip()))


def shared(new: str, old: str) -> float:
    """Share of the smaller text's three-word runs that the other text also has."""
    a, b = _runs(new), _runs(old)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def similar(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' three-word runs."""
    x, y = _runs(a), _runs(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def unrelated(new_title: str, new_text: str, old_title: str, old_text: str) -> float | None:
    """The share of runs when the new page is plainly not the stored release, else None."""
    share = shared(new_text, old_text)
    if share >= MIN_SHARED:
        return None
    a, b = terms_of(new_title) - _UPDATE, terms_of(old_title) - _UPDATE
    if a and b and len(a & b) / min(len(a), len(b)) >= MIN_SHARED_TITLE:
        return None
    return share


_UPDATE = frozenset({"updat", "update"})


def _runs(text: str) -> set[tuple[str, ...]]:
    words = tokenize(text)
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)} or {tuple(words)} - {()}


class SoftFailures:
    """Tells, for a fetched page, why it is not the release; reads home pages once a run."""

    def __init__(self, fetcher):
        self.fetcher = fetcher
        self._homes: dict[str, str] = {}

    def problem(self, url, fetched, pubs, known, ingestor, allow) -> str | None:
        """Why a page that answered 200 is not a release (a soft failure); None if it is.

        `known` is its ledger record (None for a new page), `ingestor` reads the stored
        release, `allow` is the host policy for the home page fetch.
        """
        before = _final_url(known.digest) if known else None
        if problem := redirect_problem(url, fetched.final_url, before):
            return problem
        if title := next((p.title for p in pubs if generic_title(p.title)), None):
            return f"reads as a login, error or maintenance page ({title!r}), not a release"
        if not known:
            return None
        text = "\n".join(f"{p.title}\n{p.text}" for p in pubs)
        if similar(text, self._home_text(url, allow)) >= MAX_HOME_SIMILAR:
            return "reads as the site's home page, not a release"
        old_title, old_text = ingestor.stored_release(known.publication_ids)
        title = "\n".join(p.title for p in pubs)
        share = unrelated(title, text, old_title, old_text) if old_text else None
        if share is not None:
            return (
                f"shares only {share:.0%} of its wording and little of its title with the "
                "stored release: another page, not an update"
            )
        return None

    def _home_text(self, url: str, allow) -> str:
        """The text of `url`'s site home page, read once a run ("" when it cannot be read)."""
        from ingest.readers import read_bytes

        home = home_of(url)
        if home not in self._homes:
            self._homes[home] = ""
            try:
                fetched = self.fetcher.get(home, allow=allow)
                if fetched.status == 200:
                    pubs = read_bytes(fetched.content, source=home, url=fetched.final_url)
                    self._homes[home] = "\n".join(f"{p.title}\n{p.text}" for p in pubs)
            except Exception as exc:  # the home page is a hint, never a failure
                log.info("could not read %s to compare: %s", home, exc)
        return self._homes[home]


def _final_url(digest: str) -> str | None:
    """The URL a page's last stored answer came from (the end of its digest)."""
    at = digest.find(":http")
    return digest[at + 1 :] if at >= 0 else None
