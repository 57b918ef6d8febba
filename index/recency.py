"""The recency a question asks for: the latest ("latest", "finally", "is he still
missing?") or the outcome now ("has anyone been charged?", "was she found?").

Read only in the sentences that ask: "... ran from police and ended up ditching it in the
river. What kind of truck was it?" tells a scene with "ended up" and asks no status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RECENCY = re.compile(
    r"\b(?:the )?(?P<newest>latest|most recent(?:ly)?|newest|recent(?:ly)?)\b"
    # "Is he still missing?" asks the status now; "with two women still inside" does not.
    r"|\bstill\b(?=(?: be(?:ing)?)? (?:missing|at large|outstanding|wanted|unsolved|open"
    r"|unknown|unidentified|in custody|in jail|sought|looking|searching|investigating|alive"
    r"|on the run)\b)"
    r"|\b(?:final(?:ly)?|ultimately|eventually|in the end|end(?:ed)? up|at last|now"
    r"|right now|currently|current|ever|yet|"
    r"any updates?|updated|as of (?:today|now))\b",
    re.I,
)
# Questions about an outcome ask for the status now, as "finally" does: "Has anyone been
# charged?", "Was she found?", "What came of the raid?".
_STATUS = re.compile(
    # "Has anyone been charged?", "who has been arrested?" ("what might he have been
    # wearing?" asks no outcome).
    r"(?:^|[.!?,;:–—-]\s+|\b(?:who|how many(?: \w+)?|and)\s+)\W*(?:has|have)\b[^?.!]*?\bbeen\b"
    r"|\bupdates?\b|\bwhat (?:came|become|became) of\b"
    r"|\b(?:the )?(?:status|outcome) of\b|\bhow (?:did|has|have)\b[^?.!]*\b(?:turn|make) out\b"
    r"|\bwhere (?:does|do|did) (?:the|this|that) [\w ]{0,30}stand\b"
    r"|\bwhat happened (?:to|with|in the (?:search|hunt|investigation|case) (?:for|into|of))\b"
    # A yes/no question about an outcome, asked first or after a scene ("Police warned of
    # a fraud in July. Was anyone caught?").
    r"|(?:^|[.!?]\s+)\W*(?:was|were|is|are|did|had)\b[^?.!]*?\b(?:found|located|caught|catch"
    r"|arrest(?:ed)?|charged?|laid|identified|apprehended|recovered|convicted|sentenced|in custody"
    r"|survived?)\b",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?]\s+(?=\S)")
_ABBREVIATION_DOT = re.compile(r"\b(St|Ste|Ave|Rd|Blvd|Mr|Mrs|Ms|Dr|Sgt|Cst|Const|Jr|Sr|No)\.")
# Recency words that are also search terms ("Update" is in release headlines): kept.
_KEEP_IN_TEXT = {"current", "updated", "any update", "any updates", "end up", "ended up"}


@dataclass(frozen=True)
class Recency:
    """What a question says about recency."""

    latest: bool = False  # prefer the newest releases
    status: bool = False  # an outcome asked: the status now, not only the newest release
    phrases: tuple[str, ...] = ()  # the recency words found
    stripped: tuple[tuple[int, int], ...] = ()  # where those that are no search terms stand


def _asking_spans(text: str) -> list[tuple[int, int]]:
    """The sentences that ask: those ending in a question mark, and the last one."""
    plain = _ABBREVIATION_DOT.sub(lambda m: f"{m[1]} ", text)  # "St. Paul": no sentence end
    starts = [0, *(m.end() for m in _SENTENCE_END.finditer(plain.rstrip()))]
    spans = list(zip(starts, [*starts[1:], len(text)], strict=True))
    return [(a, b) for a, b in spans if "?" in text[a:b]] + [spans[-1]]


def read_recency(text: str) -> Recency:
    """The recency `text` asks for, from "latest", "finally", "was he found"."""
    latest = status = False
    phrases, stripped = [], []
    asking = _asking_spans(text)
    for m in _RECENCY.finditer(text):
        if not any(a <= m.start() < b for a, b in asking):
            continue
        latest = True
        status = status or not m["newest"]
        phrases.append(m.group(0))
        if m.group(0).lower().removeprefix("the ") not in _KEEP_IN_TEXT:
            stripped.append((m.start(), m.end()))
    # "East St. Paul" must not end the clause the status pattern reads.
    if _STATUS.search(_ABBREVIATION_DOT.sub(r"\1", text)):
        latest = status = True
    return Recency(latest, status, tuple(phrases), tuple(stripped))
