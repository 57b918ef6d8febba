"""Text rules every part shares: case numbers, sentences, and the one tokenizer.

Ingestion reads case numbers and splits sentences to chunk; retrieval indexes terms for
BM25 and reads case numbers in questions; the answerer scores sentences by the same
terms and quotes the same sentences. Each rule lives here once so the three agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# --- case numbers ---------------------------------------------------------------------

# A letter, a two-digit year and a number: "C19-255700", "R17-20087", "c18 – 209330".
# Pages also write the dash as a space or leave it out ("C16206172"); those forms are
# read only for the services' own letters and with digits enough not to catch a word.
CASE_NUMBER = re.compile(
    r"(?<![\w-])([A-Za-z])(\d{2})\s?[-\u2010-\u2015\u2212]\s?(\d{2,10})(?![\w-])"
    r"|(?<![\w-])([CREScres])(\d{2})(?:\s(\d{4,10})|(\d{5,10}))(?![\w-])"
)


def find_references(*texts: str | None) -> list[str]:
    """Case numbers in the order first seen, normalised to `C19-255700`."""
    seen: dict[str, None] = {}
    for text in texts:
        for m in CASE_NUMBER.finditer(text or ""):
            letter, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(5))
            digits = m.group(3) or m.group(6) or m.group(7)
            seen.setdefault(f"{letter.upper()}{year}-{digits}", None)
    return list(seen)


# --- sentences --------------------------------------------------------------------------

# Words that end in a period without ending a sentence (lower-cased, without the period).
_ABBREVIATIONS = frozenset(
    """
mr mrs ms dr st sgt cst const insp supt det no vol ave blvd rd jr sr inc ltd co
approx vs etc a.m p.m i.e e.g u.s mt ft hwy sask man ont gen
""".split()
)
_BOUNDARY = re.compile(r"""[.!?]["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9•\-–])""")
# "- Arson", "-Chris GOOD, 21", "1) Theft"; after a lead-in to charges, a bare short line
# is one too ("charged with:" then "Robbery X2" on its own line).
LIST_ITEM = re.compile(r"^\s*(?:[-–•*·](?:\s+|(?=[A-Za-z]))|\(?\d{1,2}[.)]\s+)")
_BARE_ITEM = re.compile(r"^[A-Z][^.!?:]{0,60}(?:\w|\))$")
_CHARGES_LEAD_IN = re.compile(r"\b(?:charged with|charges?|counts?|offences?)\b[^.]*:\s*$", re.I)


def list_line(line: str, of_charges: bool) -> bool:
    """True when `line`, following a lead-in ending in ':', is one of its list's items: a
    marked line, or, when the lead-in introduces charges, a bare short one."""
    line = line.strip()
    if LIST_ITEM.match(line):
        return True
    return (
        of_charges
        and bool(_BARE_ITEM.match(line))
        and len(line.split()) <= 8
        and not CASE_NUMBER.search(line)
    )


@dataclass(frozen=True)
class Span:
    """A sentence (or a lead-in sentence with its list) as offsets into a text."""

    start: int
    end: int


def _line_spans(line: str, offset: int = 0) -> list[Span]:
    """Sentences of one line; an abbreviation's period does not end one."""
    out, start = [], 0
    for match in _BOUNDARY.finditer(line):
        words = line[start : match.start()].split()
        token = words[-1].lower().lstrip("(\"'“‘") if words else ""
        if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        stop = match.start() + len(match.group(0).rstrip())
        out.append(Span(offset + start, offset + stop))
        start = match.end()
    if line[start:].strip():
        out.append(Span(offset + start, offset + len(line.rstrip())))
    return out


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph as strings; list lines stay whole lines."""
    out: list[str] = []
    for line in paragraph.split("\n"):
        line = line.strip()
        out.extend(s for s in (line[p.start : p.end].strip() for p in _line_spans(line)) if s)
    return out


def sentence_spans(text: str) -> list[Span]:
    """Sentence spans of `text`; a sentence ending in ':' keeps the list lines after it."""
    spans: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped:
            if (
                spans
                and _ends_lead_in(text, spans[-1])
                and list_line(stripped, _introduces_charges(text, spans[-1]))
            ):
                spans[-1] = Span(spans[-1].start, pos + len(line.rstrip()))
            else:
                spans.extend(_line_spans(stripped, pos + len(line) - len(stripped)))
        pos += len(line) + 1
    return spans


def _introduces_charges(text: str, span: Span) -> bool:
    """True when a lead-in span (its first line) introduces a list of charges."""
    return bool(_CHARGES_LEAD_IN.search(text[span.start : span.end].split("\n", 1)[0]))


def _ends_lead_in(text: str, span: Span) -> bool:
    """True when a span ends in ':' or already holds list lines after its lead-in."""
    body = text[span.start : span.end]
    return body.rstrip().endswith(":") or "\n" in body and body.split("\n", 1)[0].endswith(":")


# --- terms ------------------------------------------------------------------------------

STOPWORDS = frozenset(
    """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself tell say said says know
much many please anything something happen happened happening ever yet still anyone
anybody someone somebody everyone everybody information info detail details
""".split()
)
# Spellings that name the same thing; releases use one, people the other.
_SYNONYMS = {
    "ave": "avenue",
    "blvd": "boulevard",
    "cres": "crescent",
    "hwy": "highway",
    "woman": "female",
    "women": "female",
    "man": "male",
    "men": "male",
}
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_TOKEN = re.compile(r"[a-z0-9]+(?:['’\-][a-z0-9]+)*")
_POSSESSIVE = re.compile(r"['’]s$")


def stem(term: str) -> str:
    """A crude stem so 'charged'/'charges'/'charge' and 'raised'/'raise' meet."""
    term = _SYNONYMS.get(term, term)
    for suffix in ("ings", "ing", "ies", "ied", "ed", "es", "s"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            term = term[: -len(suffix)]
            break
    return term[:-1] if term.endswith("e") and len(term) > 4 else term


def _words(text: str) -> Iterator[str]:
    """Lower-cased words that are not stopwords, in order; "C17-49764" and its parts."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _THOUSANDS.sub("", _DASHES.sub("-", text))
    for match in _TOKEN.finditer(text):
        word = _POSSESSIVE.sub("", match.group(0))
        parts = re.split(r"['’\-]", word)
        if len(parts) > 1:
            yield word.replace("'", "").replace("’", "")
        for part in parts:
            if part and part not in STOPWORDS:
                yield part


def tokenize(text: str) -> list[str]:
    """Stemmed terms with repeats, as BM25 counts them; case numbers normalised too."""
    terms = [stem(w) for w in _words(text)]
    seen = set(terms)
    terms += [r for r in (ref.lower() for ref in find_references(text)) if r not in seen]
    return terms


def terms_of(text: str) -> set[str]:
    """The distinct stemmed terms of `text`."""
    return set(tokenize(text))


def words_of(text: str) -> list[str]:
    """The words `tokenize` keeps, unstemmed, in order, once each (to show, not to match)."""
    return list(dict.fromkeys(_words(text)))
