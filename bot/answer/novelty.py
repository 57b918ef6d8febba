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

from bot.answer.phrases import UPDATE_LINE
from bot.answer.types import Source
from index.models import Chunk
from index.text import Span

STALE_OVERLAP = 0.75  # share of a sentence's word pairs found in one earlier sentence
SUBSTANTIAL_PAIRS = 8  # a retold sentence this long ties a release to an earlier one
STORY_SENTENCES = 2  # retold sentences that make two releases one story
_TOKEN = re.compile(r"[a-z0-9]+")
# Appeals, thanks and contact lines: new in a release or not, never its news.
_ROUTINE = re.compile(
    r"\b(?:anyone|those|people|public)\b[^.]{0,80}\b(?:information|asked|encouraged|urged)\b"
    r"|\b(?:contact|call)\b[^.]{0,80}(?:\d{3}[-.]\d{3,4}|Crime Stoppers|911|tip)"
    r"|\bcrimestoppers|\b\d{3}[-.]\d{3}[-.](?:\d{4}|[A-Z]{4})\b|\bthank\w*\b"
    r"|\bcautioned not to approach\b|\binvestigation (?:is )?(?:ongoing|continuing|continues)\.?$",
    re.IGNORECASE,
)


# Public-safety advice two releases share ("Park users are advised to keep dogs on a
# leash") retells no event: two coyote sightings two years apart are not one story.
_ADVICE = re.compile(
    r"\b(?:are|is) (?:advised|reminded|encouraged|urged|cautioned|known|aware)\b", re.I
)
# "As previously released in January 2019:" - what follows retells the case.
_RETOLD_FROM_HERE = re.compile(
    r"^\W*(?:as )?previously (?:released|reported|stated)\b[^.:]{0,60}:?\s*$", re.IGNORECASE
)
_RETOLD = re.compile(r"^\W*(?:as )?previously (?:released|reported|stated)\b", re.IGNORECASE)


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
    # publication id -> earlier release -> how many substantial sentences it retells
    retells: dict[str, Counter] = field(default_factory=dict)

    def story(self, publication_ids: list[str]) -> list[str]:
        """`publication_ids` and every release tied to them by retold sentences."""
        ties: dict[str, set[str]] = {}
        for newer, older in self.retells.items():
            for pid, count in older.items():
                if count < STORY_SENTENCES:
                    continue
                ties.setdefault(newer, set()).add(pid)
                ties.setdefault(pid, set()).add(newer)
        found, queue = list(dict.fromkeys(publication_ids)), list(publication_ids)
        while queue:
            for pid in sorted(ties.get(queue.pop(), ())):
                if pid not in found:
                    found.append(pid)
                    queue.append(pid)
        return found

    def is_news(self, chunk: Chunk, span: Span) -> bool:
        """A sentence of a compared release that no earlier release said."""
        return chunk.publication_id in self.compared and (chunk.id, span.start) not in self.stale


def find_news(
    sources: list[Source], case_ids: list[str], spans: Callable[[Chunk], list[Span]]
) -> Novelty:
    """Compare each dated release with the releases before its day.

    A release is compared (its untold sentences are news) when it belongs to a case
    history with an earlier release, when it retells a substantial sentence of one, or
    when it says so ("As previously released in January 2019:" and what follows).
    """
    dated = sorted((s for s in sources if s.published), key=lambda s: s.published)
    out = Novelty()
    index: dict[tuple[str, str], list[int]] = {}  # word pair -> earlier sentence numbers
    owners: list[str] = []  # earlier sentence number -> publication id
    day, pending = None, []
    for source in dated:
        pid = source.publication_id
        if source.published != day:
            for pairs, owner in pending:
                for pair in pairs:
                    index.setdefault(pair, []).append(len(owners))
                owners.append(owner)
            day, pending = source.published, []
        related = pid in case_ids and any(p in case_ids for p in owners)
        retelling = told = False  # told: a sentence of news came before
        for chunk in sorted(source.chunks, key=lambda c: c.ord):
            end = 0
            for span in spans(chunk):
                text = chunk.text[span.start : span.end]
                pairs = word_pairs(text)
                pending.append((pairs, pid))
                # A bare lead-in line ("As previously released:", "Update:") is no sentence
                # to quote, so it lies between the spans.
                gap, end = chunk.text[end : span.start], span.end
                # Such a line starts a retelling only after some news: at the top of a
                # release the news may follow the retold part with no line to say so.
                for line in gap.splitlines():
                    if told and _RETOLD_FROM_HERE.match(line):
                        retelling = related = True
                    elif UPDATE_LINE.match(line):
                        retelling = False
                if _RETOLD_FROM_HERE.match(text):
                    retelling = related = True
                elif UPDATE_LINE.match(text):
                    retelling = False
                hits = Counter(i for pair in pairs for i in index.get(pair, ()))
                at, best = max(hits.items(), key=lambda kv: kv[1], default=(0, 0))
                if retelling or _RETOLD.match(text):
                    out.stale.add((chunk.id, span.start))
                    related = True
                elif pairs and best >= STALE_OVERLAP * len(pairs):
                    out.stale.add((chunk.id, span.start))
                    if len(pairs) >= SUBSTANTIAL_PAIRS and not routine(text):
                        related = True
                        if not _ADVICE.search(text):
                            out.retells.setdefault(pid, Counter())[owners[at]] += 1
                elif not routine(text):
                    told = True
        if related:
            out.compared.add(pid)
    return out
