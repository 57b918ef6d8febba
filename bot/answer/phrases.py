"""What the answerer reads in questions and sentences beyond terms: numbers, names, updates.

Terms, sentences and case numbers come from `index.text`, shared with retrieval.
"""

from __future__ import annotations

import re

from index.text import STOPWORDS, find_references, stem, words_of

NUMBER = re.compile(r"\d[\d,]*(?:[.:]\d+)*")
NOTE_MARKER = re.compile(r"\[\^\w+\]")
# A line that opens the news of an update release: "Update:", "UPDATE - Arrest:".
UPDATE_LINE = re.compile(r"(?im)^\s*(?:update|updated)\b[^\n]{0,40}?[:–-]")
# Words about asking rather than about the event: they say which release is meant no more
# than "the" does, so they are not key terms of a question.
ASKING_WORDS = frozenset(
    """
latest last recent recently new newest current status update updates finally eventually
police winnipeg release releases publication publications press statement according give
find show
""".split()
)
# A stop ends a sentence unless it ends a title, a street ("St. John Street") or an
# initial ("Jeffrey G. DUMBA").
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z]\.)(?<!\bSt\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bMt\.)(?<!\bSgt\.)(?<!\bCst\.)"
    r"(?<=[.!?])\s+(?=[A-Z])"
)
_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)


def key_words(text: str) -> list[str]:
    """The words of `text` that say what it is about, unstemmed, in order, once each."""
    words = words_of(NOTE_MARKER.sub(" ", text))
    return [w for w in words if w not in ASKING_WORDS and (len(w) >= 3 or w.isdigit())]


def key_terms(text: str) -> set[str]:
    """The stemmed key words of `text`, with its case numbers (as `tokenize` gives them)."""
    return {stem(w) for w in key_words(text)} | {r.lower() for r in find_references(text)}


def question_sentences(question: str) -> list[str]:
    """The sentences of a question: a scene told first, then the one that asks."""
    return [s for s in _SENTENCE_END.split(question.strip()) if s.strip()]


# Where a question's asking clause gives way to context: "... did he teach at | when he was
# charged in September 2021?"
_CONTEXT_CLAUSE = re.compile(
    r"\s(?:when|after|before|while|during|since|in which|whose|that)\s|,\s*who\s", re.IGNORECASE
)
ASKING_WORDS_MIN = 4  # a clause word this early is part of the asking ("When was ...")


# A scene told in a clause before the one that asks: "When police raided a cocaine ring
# ..., | how many officers took part?", "When ... statistics came out, | by how much ...?"
_LEADING_CLAUSE = re.compile(
    r"^(?:when|after|before|while|during|since|in|on|at|following|once|as|over|of)\b[^?]*?,\s*"
    r"(?=(?:(?:by|for|to|from|with|in|at|on) (?=how|what|which|whom))?"
    r"(?:how|what|who|whom|whose|where|which|why|when|did|was|were|has|have|had|is|are|do"
    r"|does|can|could|would)\b)",
    re.IGNORECASE,
)


# "Was he fired after his arrest, and what sentence did he get?" asks twice.
_SECOND_ASK = re.compile(
    r",?\s+and\s+(?=(?:what|who|whom|how|where|when|which|why|did|was|were|has|have|is|are)\b)",
    re.IGNORECASE,
)


def asking_clauses(question: str) -> list[str]:
    """The clauses that ask: one per part of a question that asks two things."""
    last = (question_sentences(question) or [question])[-1]
    return [asking_clause(part) for part in _SECOND_ASK.split(last) if part.strip()]


def asking_clause(question: str) -> str:
    """The sentence that asks, without the context clauses before and after it."""
    last = (question_sentences(question) or [question])[-1]
    last = _LEADING_CLAUSE.sub("", last, count=1)
    for found in _CONTEXT_CLAUSE.finditer(last):
        if len(last[: found.start()].split()) >= ASKING_WORDS_MIN:
            return last[: found.start()]
    return last


def numbers_in(text: str) -> set[str]:
    """Numbers in `text`, normalised (no thousands commas, no trailing punctuation)."""
    out = set()
    for raw in NUMBER.findall(text):
        value = raw.replace(",", "").rstrip(".:")
        if value:
            out.add(value)
            out.add(value.lstrip("0") or "0")
    return out


def capitalised_names(text: str) -> list[str]:
    """Runs of capitalised words after the first word (people, places, programmes)."""
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    names, run = [], []
    for i, word in enumerate(words):
        lower = word.lower()
        skip = lower in STOPWORDS or lower in ASKING_WORDS or lower in _MONTHS
        if word[0].isupper() and i > 0 and not skip:
            run.append(word)
            continue
        if run:
            names.append(" ".join(run))
        run = []
    if run:
        names.append(" ".join(run))
    return names


def _alternatives(items) -> re.Pattern | None:
    items = sorted(set(items), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, items)) + r")\b", re.I) if items else None


def known_words(question: str) -> dict[str, re.Pattern | None]:
    """The question's own capitalised words and full names, to blank out of answers.

    A full name with middle names goes too: "Jonathon Edward Kakewash" in a release is
    the "Jonathon Kakewash" a question names, not the victim it asks about (but "Joseph
    George Thauberger" is not "Patrick Cyril Thauberger").
    """
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", question) if w[0].isupper()]
    names = re.findall(r"[A-Z][A-Za-z'’-]+(?: [A-Z][A-Za-z'’-]+)+", question)
    names = sorted(set(names), key=len, reverse=True)
    full = [
        rf"{re.escape(n.split()[0])}(?: [A-Z][A-Za-z'’-]+)* {re.escape(n.split()[-1])}"
        for n in names
    ]
    pattern = re.compile(r"\b(?:" + "|".join(full) + r")\b", re.I) if full else None
    return {"words": _alternatives(words), "names": pattern}
