"""An update's news: the run of new sentences that tells what is true now.

What is true now is told in the few sentences an update adds, one after another; the
rest of the release retells the case. These pick that run for a "latest" question.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.answer.novelty import Novelty, routine
from bot.answer.types import Question, Scored, Source
from index.models import Chunk
from index.names import people_in
from index.text import Span

_LIST_LINE = re.compile(r"^\s*(?:[-–•*·]|\(?\d{1,2}[.)])\s+\S")

NEWS_SENTENCES = 6  # of an update's news, for a "latest" question
FRAGMENT_WORDS = 7  # a line this short without a full stop is a heading or a signature
# The question's own terms count for less: in an update they mostly retell the case.
OVERLAP_WEIGHT = 0.5
STATUS_WEIGHT = 0.5  # a news sentence that tells an arrest, a charge, a find ...
SHAPE_WEIGHT = 0.3  # ... or holds the kind of answer asked for
LEAD_WEIGHT = 0.5  # ... or is the best-scoring sentence of all
LATER_WEIGHT = 1.0  # ... and counts up to twice as much the later it comes
PEOPLE = "anyone"  # the kind of answer that is the people arrested or charged
MORE_PEOPLE = 2  # news sentences beyond the window that tell more of them
_STATUS = re.compile(
    r"\b(?:arrest(?:ed)?|charged?|charges|located|found|apprehended|seized|recovered|identified"
    r"|surrendered|custody|detained|released|remanded|sentenced|convicted|pleaded|laid|issued"
    r"|executed|confirmed|safe|returned|warrant)\b",
    re.IGNORECASE,
)


def statements(sentences: list[Scored]) -> list[Scored]:
    """Sentences that state something: no appeals or thanks, no headings or sign-offs.

    A short line without a full stop ("Harbour City Police", "Children Safe - Mother in
    Custody") is a heading or a signature, unless it is a bulleted item or an item of a
    list a lead-in ("charged with the following:") opened.
    """
    out, in_list = [], False
    for s in sentences:
        text = s.text.strip()
        fragment = len(text.split()) <= FRAGMENT_WORDS and text[-1:] not in ".!?:;"
        if fragment and not in_list and not _LIST_LINE.match(text):
            continue
        in_list = text.endswith(":") or (in_list and fragment)
        if not routine(text):
            out.append(s)
    return out


def release_statements(
    source: Source, own: list[Scored], spans: Callable[[Chunk], list[Span]]
) -> list[Scored]:
    """All statements of a release in reading order, scored ones from `own`."""
    scored = {(s.chunk.id, s.span.start): s for s in own}
    return statements(
        [
            scored.get((chunk.id, span.start)) or Scored(source, chunk, span, 0.0, 0.0, 0.0)
            for chunk in sorted(source.chunks, key=lambda c: c.ord)
            for span in spans(chunk)
        ]
    )


def _relevance(question: Question, s: Scored) -> float:
    """How much a sentence of an update says about the question, without embedding it."""
    text = s.text
    return (
        OVERLAP_WEIGHT * question.weight(question.overlap(text))
        + STATUS_WEIGHT * bool(_STATUS.search(text))
        + SHAPE_WEIGHT * len(question.shapes_met(text))
    )


def news_run(
    question: Question,
    lead: Scored,
    own: list[Scored],
    novelty: Novelty,
    spans: Callable[[Chunk], list[Span]],
) -> list[Scored] | None:
    """The run of an update's news that best answers, in reading order; None if `lead` is old.

    What is true now is told in the few sentences an update adds, one after another
    ("executed a warrant in the 400 block of Redwood Ave." / "WOODHOUSE was located and
    arrested." / "He has been charged with Manslaughter."). A release with no earlier
    one to compare with is all news.
    """
    source = lead.source
    compared = source.publication_id in novelty.compared
    if compared and not novelty.is_news(lead.chunk, lead.span):
        return None
    every = release_statements(source, own, spans)
    # Runs of news between retold passages; a window never joins two runs.
    runs: list[list[Scored]] = [[]]
    for s in every:
        if not compared or novelty.is_news(s.chunk, s.span):
            runs[-1].append(s)
        elif runs[-1]:
            runs.append([])
    windows = [
        run[i : i + NEWS_SENTENCES]
        for run in runs
        for i in range(max(1, len(run) - NEWS_SENTENCES + 1))
        if run
    ]
    if not windows:
        return None

    # A release tells its case in order: the later a development, the newer it is.
    place = {id(s): i / max(1, len(every) - 1) for i, s in enumerate(every)}

    def gain(window: list[Scored]) -> float:
        return sum(
            (_relevance(question, s) + LEAD_WEIGHT * (s is lead))
            * (1 + LATER_WEIGHT * place[id(s)])
            for s in window
        )

    chosen = list(max(windows, key=gain))
    # A name or figure asked for that the news lacks may be in the retelling.
    met = set().union(*(question.shapes_met(s.text) for s in chosen))
    for shape in question.answer_shapes:
        if shape.name in met:
            continue
        extra = next(
            (
                s
                for s in [*own, *every]
                if s not in chosen and shape.name in question.shapes_met(s.text)
            ),
            None,
        )
        if extra is not None:
            chosen.append(extra)
            met |= question.shapes_met(extra.text)
    # "Has anyone been charged?": everyone the news says was, not only those the window
    # holds ("Roy Lionel LAQUETTE, 25, ... has been charged" before "Rick FLETT, 20, ...").
    if any(shape.name == PEOPLE for shape in question.answer_shapes):
        told = [s for run in runs for s in run if s not in chosen]
        chosen += [s for s in told if PEOPLE in question.shapes_met(s.text)][:MORE_PEOPLE]
    # "Were Cecil Houle and Winston Thomas ever arrested?": the news of each one asked about.
    for name in question.names:
        surname = name.split()[-1].lower()
        if not people_in(name) or any(surname in s.text.lower() for s in chosen):
            continue  # a street or a part of the city is no one asked about
        told = [s for run in runs for s in run if surname in s.text.lower() and s not in chosen]
        chosen += [s for s in told if _STATUS.search(s.text)][:1]
    return chosen
