"""Text helpers the answerer shares: sentence spans, key terms, numbers, case numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end in a period without ending a sentence (lower-cased, without the period).
_ABBREVIATIONS = frozenset(
    """
mr mrs ms dr st sgt cst const insp supt det no vol ave blvd rd jr sr inc ltd co
approx vs etc a.m p.m i.e e.g u.s mt ft hwy sask man ont gen
""".split()
)
_BOUNDARY = re.compile(r"""[.!?]["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9•\-–])""")
_LIST_ITEM = re.compile(r"^\s*(?:[-–•*·]|\(?\d{1,2}[.)])\s+")
CASE_NUMBER = re.compile(r"\b([A-Z]\d{2})\s?[-\u2010-\u2015]\s?(\d{3,7})\b", re.IGNORECASE)
NUMBER = re.compile(r"\d[\d,]*(?:[.:]\d+)*")
NOTE_MARKER = re.compile(r"\[\^\w+\]")
# A line that opens the news of an update release: "Update:", "UPDATE - Arrest:".
UPDATE_LINE = re.compile(r"(?im)^\s*(?:update|updated)\b[^\n]{0,40}?[:–-]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+|\d[\d,]*(?:[.:]\d+)*")

STOPWORDS = frozenset(
    """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself tell say said says know
much many did does please anything something happen happened happening latest last recent
recently new newest current status update updates finally eventually police winnipeg
release releases publication publications press statement according give find show
ever yet still anyone anybody someone somebody everyone everybody
""".split()
)


@dataclass(frozen=True)
class Span:
    """A sentence (or a lead-in sentence with its list) as offsets into a text."""

    start: int
    end: int


def _sentences_of_line(line: str, offset: int) -> list[Span]:
    out, start = [], 0
    for match in _BOUNDARY.finditer(line):
        head = line[start : match.start()]
        words = head.split()
        token = words[-1].lower().lstrip("(\"'“‘") if words else ""
        if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        stop = match.start() + len(match.group(0).rstrip())
        out.append(Span(offset + start, offset + stop))
        start = match.end()
    if line[start:].strip():
        out.append(Span(offset + start, offset + len(line.rstrip())))
    return out


def sentence_spans(text: str) -> list[Span]:
    """Sentence spans of `text`; a sentence ending in ':' keeps the list lines after it."""
    spans: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.lstrip()
        lead = len(line) - len(stripped)
        if stripped:
            is_item = bool(_LIST_ITEM.match(stripped))
            if is_item and spans and _ends_lead_in(text, spans[-1]):
                spans[-1] = Span(spans[-1].start, pos + len(line.rstrip()))
            else:
                spans.extend(_sentences_of_line(stripped, pos + lead))
        pos += len(line) + 1
    return spans


def _ends_lead_in(text: str, span: Span) -> bool:
    """True when a span ends in ':' or already holds list lines after its lead-in."""
    body = text[span.start : span.end]
    return body.rstrip().endswith(":") or "\n" in body and body.split("\n", 1)[0].endswith(":")


def content_terms(text: str) -> list[str]:
    """Lower-cased words that carry meaning (no stopwords), in order, without repeats."""
    seen: dict[str, None] = {c.lower(): None for c in case_numbers(text)}
    for word in _WORD.findall(CASE_NUMBER.sub(" ", NOTE_MARKER.sub(" ", text))):
        term = word.lower().replace("’", "'").removesuffix("'s").replace(",", "")
        if term in STOPWORDS or (len(term) < 3 and not term.isdigit()):
            continue
        seen.setdefault(term, None)
    return list(seen)


# Releases say "female" and "male" where people ask about a woman or a man.
_REGISTER = {"woman": "female", "women": "female", "man": "male", "men": "male"}


def stem(term: str) -> str:
    """A crude stem so 'charged'/'charges'/'charge' and 'raised'/'raise' meet."""
    term = _REGISTER.get(term, term)
    for suffix in ("ings", "ing", "ies", "ied", "ed", "es", "s"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            term = term[: -len(suffix)]
            break
    return term[:-1] if term.endswith("e") and len(term) > 4 else term


def numbers_in(text: str) -> set[str]:
    """Numbers in `text`, normalised (no thousands commas, no trailing punctuation)."""
    out = set()
    for raw in NUMBER.findall(text):
        value = raw.replace(",", "").rstrip(".:")
        if value:
            out.add(value)
            out.add(value.lstrip("0") or "0")
    return out


def case_numbers(text: str) -> list[str]:
    """Case numbers such as C19-255700, upper-cased, in order."""
    return list(dict.fromkeys(f"{a.upper()}-{b}" for a, b in CASE_NUMBER.findall(text)))


_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)


def capitalised_names(text: str) -> list[str]:
    """Runs of capitalised words after the first word (people, places, programmes)."""
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    names, run = [], []
    for i, word in enumerate(words):
        lower = word.lower()
        if word[0].isupper() and i > 0 and lower not in STOPWORDS and lower not in _MONTHS:
            run.append(word)
            continue
        if run:
            names.append(" ".join(run))
        run = []
    if run:
        names.append(" ".join(run))
    return names
