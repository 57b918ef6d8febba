"""The answerer's types: a numbered source, a scored sentence, a question, a draft, evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bot.answer.aliases import said_terms
from bot.answer.figures import (
    FIGURES,
    PERSONS,
    asked_ages,
    figure_years,
    of_another_age,
    of_another_place,
    of_another_year,
)
from bot.answer.phrases import asking_clauses, capitalised_names, key_terms, known_words
from bot.answer.shapes import BONUS as SHAPE_BONUS
from bot.answer.shapes import Shape, blank, shapes_of
from bot.answer.vocab import (
    ASKS_POLICE,
    ASKS_WHO_ARRESTED,
    ASKS_WHO_UNNAMED,
    DESCRIBED,
    OFFICER_NAMED,
    PLACES,
    YOUTH_ARRESTED,
)
from index.models import Chunk, Citation
from index.text import Span, find_references, terms_of


@dataclass
class Source:
    """One release behind a number [n]: its retrieved chunks, best first."""

    n: int
    chunks: list[Chunk] = field(default_factory=list)
    score: float = 0.0
    # How retrieval saw the release: its best chunk's cosine to the question and its best
    # ranks in the vector and BM25 rankings (None: not ranked there).
    dense: float = 0.0
    dense_rank: int | None = None
    lexical_rank: int | None = None

    @property
    def head(self) -> Chunk:
        return self.chunks[0]

    @property
    def publication_id(self) -> str:
        return self.head.publication_id

    @property
    def published(self) -> str | None:
        return self.head.published.isoformat() if self.head.published else None

    def text(self) -> str:
        """The retrieved text of the release, chunks in reading order."""
        return "\n\n".join(c.text for c in sorted(self.chunks, key=lambda c: c.ord))

    def citation(self, n: int, quote: str) -> Citation:
        head = self.head
        return Citation(
            n=n,
            title=head.title,
            published=self.published,
            url=head.url,
            source=head.source,
            issuer=head.issuer,
            references=list(head.references),
            quote=quote,
        )


@dataclass
class Scored:
    """One sentence of a retrieved release with how well it answers the question."""

    source: Source
    chunk: Chunk
    span: Span
    score: float
    cosine: float
    lexical: float

    @property
    def text(self) -> str:
        return self.chunk.text[self.span.start : self.span.end]


class Question:
    """What the scorer needs to know about a question, computed once."""

    def __init__(self, text: str, vector: np.ndarray, rarity: dict[str, float] | None = None):
        self.text = text
        self.vector = vector
        self.cases = find_references(text)
        self.terms = key_terms(text)
        # What kind of answer is wanted is said where the question asks, not in its scene
        # ("... by his two passengers, who then took off with his taxi. Where ...?").
        self.answer_shapes = list(
            {s.name: s for part in asking_clauses(text) for s in shapes_of(part, text)}.values()
        )
        self.known = known_words(text)
        self.years = figure_years(text)
        self.places = frozenset(PLACES.findall(text))
        self.ages = asked_ages(text)
        self.described = any(s.name == "who" for s in self.answer_shapes) and bool(
            ASKS_WHO_UNNAMED.search(text)
        )
        self.asks_who_arrested = bool(ASKS_WHO_ARRESTED.search(text))
        self.asks_police = any(ASKS_POLICE.search(part) for part in asking_clauses(text))
        self.names = [n for n in capitalised_names(text) if n.upper() not in self.cases]
        # Rare terms, names, places and case numbers say which release is meant.
        rarity = rarity or {}
        named = set().union(*(terms_of(n) for n in self.names)) if self.names else set()
        cases = {c.lower() for c in self.cases}
        self.weights = {
            t: rarity.get(t, 1.0) * (3.0 if t in cases else 1.5 if t in named else 1.0)
            for t in self.terms
        }
        self.total = sum(self.weights.values()) or 1.0
        # The clause that asks (the whole question when it tells no scene first), embedded;
        # set by the answerer, read by the sentence ranker.
        self.focus: Ask | None = None
        self.focus_terms: set[str] = set()

    def set_focus(self, focus: Ask) -> None:
        self.focus = focus
        self.focus_terms = self.terms & key_terms(focus.text)

    def weight(self, terms: set[str]) -> float:
        """The share of the question's weighted key terms that `terms` holds."""
        return sum(self.weights.get(t, 0.0) for t in terms) / self.total

    def shapes_met(self, sentence: str) -> set[str]:
        """The kinds of answer the question asks for that `sentence` holds (a figure told
        of another year or place than the one asked is not the figure asked for, nor a
        person of another age than the one asked about)."""
        elsewhen = bool(self.years) and of_another_year(sentence, self.years)
        elsewhen |= bool(self.places) and of_another_place(sentence, self.places)
        someone_else = bool(self.ages) and of_another_age(sentence, self.ages)
        of_people = sentence if self.asks_police else blank(OFFICER_NAMED, sentence)
        met = {
            s.name
            for s in self.answer_shapes
            if not (elsewhen and s.figures_only and s.name in FIGURES)
            and not (someone_else and s.name in PERSONS)
            and s.met_by(of_people if s.name in PERSONS else sentence, self.known)
        }
        if self.asks_who_arrested and "who" not in met and YOUTH_ARRESTED.search(sentence):
            met.add("who")  # a youth arrested is never named
        if self.described and "who" not in met and DESCRIBED.search(sentence):
            # Described, not named, by the sentence that tells what the question asks.
            if self.focus_terms & self.overlap(sentence) and not someone_else:
                met.add("who")
        return met

    def shape_bonus(self, sentence: str) -> float:
        """A bonus when the sentence holds the kind of phrase the question asks for."""
        return SHAPE_BONUS * min(len(self.shapes_met(sentence)), 2)

    def overlap(self, text: str) -> set[str]:
        """The question's terms `text` holds, in its words or in the release's for them."""
        return self.terms & said_terms(text)


@dataclass
class Draft:
    """An answer before the refusal decision: text, citations and what they rest on."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    chosen: list[Scored] = field(default_factory=list)
    primary: Source | None = None
    answer_score: float | None = None  # the sentence ranker's log-odds for its likeliest answer


@dataclass(frozen=True)
class Evidence:
    """What the answer rests on, in numbers (the answerability model reads `features`)."""

    cosine: float  # of the best quoted sentence to the question
    coverage: float  # share of the question's key terms found in the release answered from
    missing_case: bool  # the question names a case number the store does not hold
    case_match: bool = False  # the release answered from carries the question's case number
    sentence_coverage: float = 0.0  # key terms found in the quoted sentences and their title
    missing_names: float = 0.0  # share of the names in the question the release never mentions
    shape_ok: float | None = None  # share of the kinds of answer asked for that the quotes hold
    essential_missing: bool = False  # a name, figure, date or sentence asked for is in no quote
    dense: float = 0.0  # the release's best chunk: cosine to the question
    dense_margin: float = 0.0  # ... minus the best chunk of any other release
    dense_rank: int | None = None  # the release's best rank by vectors
    lexical_rank: int | None = None  # ... and by BM25
    missing_rarest: float = 0.0  # the rarest key term the release lacks, against the rarest
    wants_latest: bool = False
    withheld: bool = False  # a name is asked for and the release says it is not released
    answer_score: float = 0.0  # the sentence ranker's log-odds for the release's likeliest answer
    vague: bool = False  # the question names nothing to look for ("What were they worth?")
    out_of_scope: bool = False  # no release found is of the year or place the question names
    unknown: tuple[str, ...] = ()  # names in the question that no publication mentions
    miscounted: bool = False  # every quoted figure counts another thing than asked
    untold: bool = False  # the outcome asked is not told yet by the case's only release

    def features(self) -> dict[str, float]:
        """The numbers the answerability model weighs, by name."""
        return {
            "cosine": self.cosine,
            "coverage": self.coverage,
            "sentence_coverage": self.sentence_coverage,
            "missing_names": self.missing_names,
            "shape_ok": 1.0 if self.shape_ok is None else self.shape_ok,
            "essential_missing": float(self.essential_missing),
            "case_match": float(self.case_match),
            "dense": self.dense,
            "dense_margin": self.dense_margin,
            "dense_top": 1.0 / self.dense_rank if self.dense_rank else 0.0,
            "lexical_top": 1.0 / self.lexical_rank if self.lexical_rank else 0.0,
            "missing_rarest": self.missing_rarest,
            "wants_latest": float(self.wants_latest),
            "answer_score": self.answer_score,
        }


@dataclass(frozen=True)
class Ask:
    """One part of a question, embedded, with the kinds of answer it wants."""

    text: str
    vector: np.ndarray
    shapes: tuple[Shape, ...]
