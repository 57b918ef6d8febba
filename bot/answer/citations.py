"""Check generated citations instead of trusting them.

A generated sentence survives only when it cites at least one source that was given
([n] in range), every number or date in it appears in one of the sources it cites, and
its words and links are told by one of them (`bot.answer.support`): a digit-free claim or
a link planted in a release does not pass on the strength of a real quote. Surviving
markers are renumbered 1..n in order of first use, and each cited source gets a verbatim
quote that supports it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence

from bot.answer.phrases import numbers_in
from bot.answer.redact import shown
from bot.answer.sources import find_quote
from bot.answer.support import Release, unsupported
from bot.answer.types import Source
from index.models import Citation
from index.text import sentence_spans

log = logging.getLogger(__name__)

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# "charged. [1]" -> "charged [1]." so the marker stays with its sentence when split.
_MARKER_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)")


def markers(sentence: str) -> list[int]:
    """Every [n] (and [n, m]) number in `sentence`, in order."""
    return [int(n) for group in MARKER.findall(sentence) for n in re.split(r"\s*,\s*", group)]


def _allowed_numbers(source: Source) -> set[str]:
    head = source.head
    meta = " ".join([head.title, source.published or "", *head.references])
    return numbers_in(source.text()) | numbers_in(meta)


class Checker:
    """Validates generated sentences one at a time and renumbers their citations."""

    def __init__(self, sources: Sequence[Source], *, log_text: bool = False):
        self.sources = {s.n: s for s in sources}
        self.order: dict[int, int] = {}  # source number given -> number shown
        self.support: dict[int, list[str]] = {}
        self._allowed: dict[int, set[str]] = {}
        self._releases: dict[int, Release] = {}
        self.dropped: list[str] = []
        self.log_text = log_text  # POLICING_QA_LOG_QUESTIONS: generated text may be logged

    def check(self, sentence: str) -> str | None:
        """The sentence with valid, renumbered markers, or None when it must go."""
        sentence = sentence.strip()
        cited = [n for n in dict.fromkeys(markers(sentence)) if n in self.sources]
        if not cited:
            return self._drop(sentence, "no valid citation")
        bare = MARKER.sub(" ", sentence)
        allowed = set().union(*(self._numbers(n) for n in cited))
        missing = numbers_in(bare) - allowed
        if missing:
            return self._drop(sentence, f"{len(missing)} numbers not in cited sources")
        why = unsupported(bare, [self._release(n) for n in cited])
        if why:
            return self._drop(sentence, why)
        for n in cited:
            self.order.setdefault(n, len(self.order) + 1)
            self.support.setdefault(n, []).append(bare)

        def renumber(match: re.Match) -> str:
            kept = [
                self.order[int(n)]
                for n in re.split(r"\s*,\s*", match.group(1))
                if int(n) in self.order and int(n) in cited
            ]
            return "".join(f"[{n}]" for n in dict.fromkeys(kept))

        text = re.sub(r" {2,}", " ", MARKER.sub(renumber, sentence))
        return re.sub(r"\s+([.!?,;:])", r"\1", text)

    def _numbers(self, n: int) -> set[str]:
        if n not in self._allowed:
            self._allowed[n] = _allowed_numbers(self.sources[n])
        return self._allowed[n]

    def _release(self, n: int) -> Release:
        if n not in self._releases:
            self._releases[n] = Release(self.sources[n])
        return self._releases[n]

    def _drop(self, sentence: str, why: str) -> None:
        log.info("dropped generated sentence (%s): %s", why, shown(sentence, self.log_text, 120))
        self.dropped.append(sentence)
        return None

    def citations(self) -> list[Citation]:
        """Citations for the sources used, numbered in order of first use."""
        out = []
        for given, n in sorted(self.order.items(), key=lambda kv: kv[1]):
            source = self.sources[given]
            out.append(source.citation(n, find_quote(source, " ".join(self.support[given]))))
        return out


def normalise(text: str) -> str:
    return _MARKER_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", text)


def split_sentences(text: str) -> list[str]:
    text = normalise(text)
    return [text[s.start : s.end] for s in sentence_spans(text)]


class StreamSplitter:
    """Turns streamed text into whole sentences as soon as each is complete."""

    def __init__(self):
        self.buffer = ""

    def feed(self, delta: str) -> Iterator[str]:
        self.buffer += delta
        pieces = split_sentences(self.buffer)
        # The last piece may still grow; a trailing "[1" is not yet a sentence of its own.
        while len(pieces) >= 2 and re.search(r"[A-Za-z]", MARKER.sub("", pieces[-1])):
            done = pieces.pop(0)
            self.buffer = normalise(self.buffer)
            self.buffer = self.buffer[self.buffer.index(done) + len(done) :]
            yield done

    def finish(self) -> Iterator[str]:
        yield from split_sentences(self.buffer)
        self.buffer = ""


def validate(
    text: str, sources: Sequence[Source], *, log_text: bool = False
) -> tuple[str, list[Citation], Checker]:
    """Validate a whole generated answer: (kept text, citations, the checker)."""
    checker = Checker(sources, log_text=log_text)
    kept = [s for s in (checker.check(p) for p in split_sentences(text)) if s]
    return " ".join(kept), checker.citations(), checker
