"""What a release adds to the earlier releases on its case: its news.

An update release retells the case ("On July 21, 2017, emergency personnel responded
...") before or after its news ("WOODHOUSE was located and arrested in the 400 block of
Redwood Ave."). The retelling is near-verbatim, so a sentence whose word pairs mostly
occur in one sentence of an earlier release is old news, and the rest is what the
update says. This needs neither an "Update:" line nor a case number (Regina's releases
have none): a release that retells a substantial sentence of an earlier one is taken to
be its update.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.sources import Source
from bot.text import Span
from index.models import Chunk

STALE_OVERLAP = 0.75  # share of a sentence's word pairs found in one earlier sentence
SUBSTANTIAL_PAIRS = 8  # a retold sentence this long ties a release to an earlier one
_TOKEN = re.compile(r"[a-z0-9]+")
# Appeals, thanks and contact lines: new in a release or not, never its news.
_ROUTINE = re.compile(
    r"\b(?:anyone|those|people|public)\b[^.]{0,80}\b(?:information|asked|encouraged|urged)\b"
    r"|\b(?:contact|call)\b[^.]{0,80}(?:\d{3}[-.]\d{3,4}|Crime Stoppers|911|tip)"
    r"|\bcrimestoppers|\b\d{3}[-.]\d{3}[-.](?:\d{4}|[A-Z]{4})\b|\bthank\w*\b"
    r"|\bcautioned not to approach\b|\binvestigation (?:is )?(?:ongoing|continuing|continues)\.?$",
    re.IGNORECASE,
)


def word_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Adjacent lower-cased word pairs, punctuation ignored."""
    words = _TOKEN.findall(text.lower())
    return frozenset(zip(words, words[1:], strict=False))


def routine(sentence: str) -> bool:
    """True for an appeal for information, a thank-you or a contact line."""
    return bool(_ROUTINE.search(sentence))


@dataclass
class Novelty:
    """Which sentences are retold, and which releases were compared with earlier ones."""

    stale: set[tuple[str, int]] = field(default_factory=set)  # (chunk id, span start)
    compared: set[str] = field(default_factory=set)  # publication ids

    def is_news(self, chunk: Chunk, span: Span) -> bool:
        """A sentence of a compared release that no earlier release said."""
        return chunk.publication_id in self.compared and (chunk.id, span.start) not in self.stale


def find_news(
    sources: list[Source], case_ids: list[str], spans: Callable[[Chunk], list[Span]]
) -> Novelty:
    """Compare each dated release with the releases before its day.

    A release is compared (its untold sentences are news) when it belongs to a case
    history with an earlier release, or when it retells a substantial sentence of one.
    """
    dated = sorted((s for s in sources if s.published), key=lambda s: s.published)
    out = Novelty()
    index: dict[tuple[str, str], list[int]] = {}  # word pair -> earlier sentence numbers
    owners: list[str] = []  # earlier sentence number -> publication id
    day, pending = None, []
    for source in dated:
        if source.published != day:
            for pairs, pid in pending:
                for pair in pairs:
                    index.setdefault(pair, []).append(len(owners))
                owners.append(pid)
            day, pending = source.published, []
        related = source.publication_id in case_ids and any(p in case_ids for p in owners)
        for chunk in source.chunks:
            for span in spans(chunk):
                text = chunk.text[span.start : span.end]
                pairs = word_pairs(text)
                pending.append((pairs, source.publication_id))
                hits = Counter(i for pair in pairs for i in index.get(pair, ()))
                best = max(hits.values(), default=0)
                if pairs and best >= STALE_OVERLAP * len(pairs):
                    out.stale.add((chunk.id, span.start))
                    substantial = len(pairs) >= SUBSTANTIAL_PAIRS and not routine(text)
                    related = related or substantial
        if related:
            out.compared.add(source.publication_id)
    return out
