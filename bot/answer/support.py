"""Is a generated sentence told by the release it cites, beyond its figures?

A sentence is supported when most of its content words (stemmed as `index.text` stems
them; figures are checked separately) are found in a few consecutive sentences of a
cited release (one passage from each release it cites), or in that release's title,
issuer and case numbers; and when every link or e-mail address in it appears verbatim
in a cited release. Sentences planted in a release to steer a model
(`bot.answer.injection`) support nothing, so a claim or link copied from one is dropped
even with a real quote behind it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.injection import is_instruction
from bot.answer.phrases import key_terms
from bot.answer.types import Source
from index.text import sentence_spans, terms_of

MIN_SHARE = 0.6  # of a sentence's content words, found in one window of the release
WINDOW = 3  # consecutive release sentences a generated sentence may draw on
# Web addresses (with a scheme, www., or a bare domain) and e-mail addresses.
LINK = re.compile(
    r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?:\bhttps?://|\bwww\.)[^\s<>()\[\]\"']+"
    r"|\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b(?:/[^\s<>()\[\]\"']*)?",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"[\d.:/-]+")


def links_in(text: str) -> list[str]:
    """The web and e-mail addresses in `text`, without trailing punctuation."""
    return [m.group(0).rstrip(".,;:!?") for m in LINK.finditer(text)]


def content_terms(sentence: str) -> set[str]:
    """The words a sentence claims something with: key terms, no figures, no links."""
    return {t for t in key_terms(LINK.sub(" ", sentence)) if not _FIGURE.fullmatch(t)}


class Release:
    """What one cited release can support: term windows over its sentences, its links."""

    def __init__(self, source: Source):
        text = source.text()
        sentences = [text[s.start : s.end] for s in sentence_spans(text)]
        data = [s for s in sentences if not is_instruction(s)]
        head = source.head
        meta = " ".join([head.title, head.issuer or "", *head.references])
        self.meta = set() if is_instruction(head.title) else terms_of(meta)
        terms = [terms_of(s) for s in data]
        self.windows = [
            set().union(*terms[i : i + WINDOW]) for i in range(max(1, len(terms) - WINDOW + 1))
        ]
        self.text = " ".join([*data, head.url or ""]).lower()

    def covered(self, words: set[str]) -> set[str]:
        """The most of `words` one window holds (with the release's metadata)."""
        return max((words & (window | self.meta) for window in self.windows), key=len)

    def has(self, link: str) -> bool:
        return link.lower() in self.text


def unsupported(sentence: str, releases: Sequence[Release]) -> str | None:
    """Why the cited `releases` do not support `sentence` (markers removed), or None."""
    for link in links_in(sentence):
        if not any(r.has(link) for r in releases):
            return "a link or address not in the cited sources"
    words = content_terms(sentence)
    found = set().union(*(r.covered(words) for r in releases))
    share = len(found) / len(words) if words else 1.0
    if share < MIN_SHARE:
        return f"only {share:.0%} of its words in the cited sources"
    return None
