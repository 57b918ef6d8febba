"""The extractive generator: answer with the retrieved releases' own sentences.

No language model: the best sentences are quoted verbatim (figures untouched), each
with its [n]. For case histories and "latest" questions the newest release that still
answers is preferred, and a newer release than the one quoted is always pointed out,
so an old and an amended release are never blended into one statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from bot.answer.clauses import best_for
from bot.answer.direct import direct_answer
from bot.answer.headline import told_by_title
from bot.answer.news import news_run, release_statements
from bot.answer.novelty import Novelty
from bot.answer.sources import trim_quote
from bot.answer.types import Ask, Draft, Question, Scored, Source
from index.models import Chunk
from index.text import Span

_NOTE = re.compile(r"\[\^\w+\]:?")  # footnote markers: kept in quotes, not in answers
_LIST_LINE = re.compile(r"^\s*(?:[-–•*·]|\(?\d{1,2}[.)])\s+\S")

MAX_SENTENCES = 4
KEEP_MARGIN = 0.12  # how far below the release's best sentence another may be and still go
NEAR_MARGIN = 0.3  # ... when it adds one key term of the question
WIDE_MARGIN = 0.8  # ... when it adds what the question asks for (a figure, a name, a charge)
# The likeliest answer is said first when the ranker gives it even odds or better (on the
# tuning sets, open questions: 79 more replies open with an answer, 46 of them with the
# expected words; at odds of 1 to e, 15 more, 8 of them; questions asking a place or an
# outcome no phrase was cut for: 26 more, 20 of them; "latest" questions, of the update's
# sentences: 25 more, 15 of them) and it is no longer than this.
OPENING_ODDS = 0.0
OPENING_CHARS = 300
LATEST_MARGIN = 0.2  # how much weaker a newer release of the case may answer and still lead
# The sentence ranker's likeliest answers always go, up to TOP_ANSWERS of them within
# ANSWER_MARGIN (log-odds) of the likeliest: out of fold, its first sentence is the
# answering one 61% of the time, one of its first three 85%.
TOP_ANSWERS = 3
ANSWER_MARGIN = 2.0
# A "latest" question about a known case wants its newest release unless that one is off topic.
CASE_LATEST_MARGIN = 0.5


def _date(source: Source) -> str:
    return source.published or "0000-00-00"


def _with_marker(sentence: str, n: int) -> str:
    """Put [n] before the final stop so it reads as part of the sentence."""
    body = _NOTE.sub("", sentence).strip()
    if body[-1:] in ".!?" and "\n" not in body[-3:]:
        return f"{body[:-1]} [{n}]{body[-1]}"
    return f"{body} [{n}]"


def primary_lead(ranked: list[Scored], history: list[str], wants_latest: bool) -> Scored:
    """The best sentence of the release to answer from: of a case told in several
    releases (`history`), the newest that answers nearly as well. A newer release of
    another case is no update, however close it answers ("latest" questions about a case
    with no update found took a newer, unrelated release; preferring only the case's own
    releases lost no question on the tuning sets and won one)."""
    best: dict[int, Scored] = {}
    for s in ranked:
        best.setdefault(s.source.n, s)
    top = ranked[0]
    if len(history) < 2:
        return top
    margin = CASE_LATEST_MARGIN if wants_latest else LATEST_MARGIN
    close = [
        b
        for b in best.values()
        if b.score >= top.score - margin and b.source.publication_id in history
    ]
    return max(close or [top], key=lambda b: (_date(b.source), b.score))


def _newer(primary: Source, ranked: list[Scored], history: list[str]) -> Scored | None:
    """The best sentence of the newest release on the same case, if newer than `primary`."""
    cases = set(primary.head.references)
    related = [
        s
        for s in ranked
        if s.source is not primary
        and (s.source.publication_id in history or cases & set(s.source.head.references))
        and _date(s.source) > _date(primary)
    ]
    if not related:
        return None
    newest = max(_date(s.source) for s in related)
    return next(s for s in related if _date(s.source) == newest)


def _news_of(by_answer: list[Scored], novelty: Novelty | None) -> Scored | None:
    """The newer release's likeliest answer that it does not merely retell ("As
    previously released, on August 16 ...")."""
    for s in by_answer:
        if novelty is None or s.chunk.publication_id not in novelty.compared:
            return s
        if novelty.is_news(s.chunk, s.span):
            return s
    return None


def _continued(s: Scored, follow: Callable[[Chunk], Chunk | None] | None) -> str:
    """A lead-in ("charged with:") that ends its chunk, with the list the next chunk opens."""
    text = s.text
    if follow is None or not text.rstrip().endswith(":") or s.chunk.text[s.span.end :].strip():
        return text
    after = follow(s.chunk)
    if after is None:
        return text
    items = []
    for line in after.text.split("\n"):
        if _LIST_LINE.match(line):
            items.append(line.strip())
        elif line.strip() or items:
            break
    return "\n".join([text, *items]) if items else text


def _unrepeated(quoted: list[tuple[Scored, str]]) -> list[tuple[Scored, str]]:
    """`quoted` (sentences and the text each quotes) without one another already quotes
    whole: a list item ("- Robbery") after the lead-in that lists it, or an overlap of two
    chunks."""
    texts = [" ".join(text.split()) for _, text in quoted]
    keep = []
    for i, pair in enumerate(quoted):
        inside = [j for j, t in enumerate(texts) if j != i and texts[i] in t]
        # Of two identical quotes the first stays; a part of a longer one goes.
        if not any(len(texts[j]) > len(texts[i]) or j < i for j in inside):
            keep.append(pair)
    return keep


def _select(question: Question, lead: Scored, own: list[Scored], limit: int) -> list[Scored]:
    """The lead sentence, then what the question asks for that it lacks, then close seconds.

    The best-scoring sentence often restates the question's context (date, place, unit);
    the figure, name or charge asked for sits in another sentence of the same release.
    """
    chosen, met = [lead], question.shapes_met(lead.text)
    in_reach = [s for s in own if s is not lead and s.score >= lead.score - WIDE_MARGIN]
    for shape in question.answer_shapes:
        if shape.name in met or len(chosen) >= limit:
            continue
        best = next(
            (s for s in in_reach if shape.name in question.shapes_met(s.text) and s not in chosen),
            None,
        )
        if best is not None:
            chosen.append(best)
            met |= question.shapes_met(best.text)
    for s in in_reach:
        # A second figure (or name) close behind the first may be the one meant.
        if len(chosen) >= limit:
            break
        if s not in chosen and s.score >= lead.score - NEAR_MARGIN and question.shapes_met(s.text):
            chosen.append(s)
    covered = set().union(*(question.overlap(s.text) for s in chosen))
    for s in in_reach:
        if len(chosen) >= limit:
            break
        gain = question.overlap(s.text) - covered
        gained = question.weight(gain) * question.total
        close = s.score >= lead.score - KEEP_MARGIN
        if s not in chosen and (
            close or gained >= 2 or (gained >= 1 and s.score >= lead.score - 0.3)
        ):
            chosen.append(s)
            covered |= gain
    return chosen


def _with_answers(chosen: list[Scored], by_answer: list[Scored], limit: int) -> list[Scored]:
    """`chosen` with the ranker's likeliest answers added; one more sentence than `limit`
    may go, and `chosen`'s last picks give way to the rest."""
    have = {(s.chunk.id, s.span.start) for s in chosen}
    best = by_answer[0]
    add = [s for s in by_answer[:TOP_ANSWERS] if s.score >= best.score - ANSWER_MARGIN]
    add = [s for s in add if (s.chunk.id, s.span.start) not in have]
    return add + chosen[: max(1, limit + 1 - len(add))]


def _cover(
    question: Question,
    asks: list[Ask],
    lead: Scored,
    own: list[Scored],
    chosen: list[Scored],
    spans: Callable[[Chunk], list[Span]],
    vectors: Callable[[list[tuple[Chunk, Span]]], np.ndarray],
    novelty: Novelty | None = None,
) -> list[Scored]:
    """Add, for each part of a two-part question, its best sentence of the release (of an
    update's news when it has any: "they were charged with murder" retold of two earlier
    arrests does not answer what the man arrested now is charged with)."""
    every = release_statements(lead.source, own, spans)
    if novelty is not None and lead.source.publication_id in novelty.compared:
        every = [s for s in every if novelty.is_news(s.chunk, s.span)] or every
    if not every:
        return chosen
    texts = [s.text for s in every]
    found = vectors([(s.chunk, s.span) for s in every])
    out = list(chosen)
    for ask in asks:
        best = every[best_for(ask, texts, found, question.known)]
        if best not in out:
            out.append(best)
    return out


def _likeliest(question: Question, best: Scored, chosen: list[Scored]) -> str | None:
    """The sentence the ranker finds likeliest to answer, said first when no phrase could be
    cut for the question ("What was he doing?", "Where did he get off the bus?"): when it
    is likely enough, quoted, short enough to read as one, and holds the kind of answer
    asked, if any."""
    quoted = any(s.chunk.id == best.chunk.id and s.span.start == best.span.start for s in chosen)
    text = " ".join(best.text.split())
    if not quoted or best.score < OPENING_ODDS or len(text) > OPENING_CHARS:
        return None
    if question.answer_shapes and not question.shapes_met(text):
        return None  # "Where ...?" is not answered by a sentence that names no place
    return text.rstrip(".")


def compose(
    question: Question,
    ranked: list[Scored],
    history: list[str],
    wants_latest: bool,
    follow: Callable[[Chunk], Chunk | None] | None = None,
    novelty: Novelty | None = None,
    spans: Callable[[Chunk], list[Span]] | None = None,
    asks: list[Ask] | None = None,
    vectors: Callable[[list[tuple[Chunk, Span]]], np.ndarray] | None = None,
    refocus: Callable[[Source], list[Scored]] | None = None,
) -> Draft:
    """Pick 1-6 sentences and cite them; an empty Draft when nothing was retrieved."""
    if not ranked:
        return Draft(text="")
    lead = primary_lead(ranked, history, wants_latest)
    primary = lead.source
    own = [s for s in ranked if s.source is primary]
    newer = _newer(primary, ranked, history)
    if newer is not None and refocus is not None:
        newer = _news_of(refocus(newer.source), novelty) or newer
    limit = MAX_SENTENCES + (len(question.answer_shapes) >= 2 and newer is None)
    chosen = None
    if wants_latest and novelty is not None and spans is not None and newer is None:
        chosen = news_run(question, lead, own, novelty, spans)
    # The release's sentences ranked by the sentence ranker, likeliest answer first.
    by_answer = refocus(primary) if refocus is not None else []
    if chosen is None:
        chosen = _select(question, lead, own, limit)
        if by_answer:
            chosen = _with_answers(chosen, by_answer, limit)
    if asks and spans is not None and vectors is not None:
        chosen = _cover(question, asks, lead, own, chosen, spans, vectors, novelty)
    chosen = sorted(chosen, key=lambda s: (s.chunk.ord, s.span.start))
    quoted = _unrepeated([(s, _continued(s, follow)) for s in chosen])
    chosen = [s for s, _ in quoted]
    parts = [_with_marker(text, 1) for _, text in quoted]
    citations = [primary.citation(1, trim_quote(lead.text))]
    if len(history) >= 2 and newer is None and primary.publication_id in history:
        parts.insert(0, f"Latest release on this case ({primary.published}):")
    if newer is not None:
        title = newer.source.head.title
        parts.append(f"A newer release, “{title}” ({newer.source.published}), says:")
        parts.append(_with_marker(_continued(newer, follow), 2))
        citations.append(newer.source.citation(2, trim_quote(newer.text)))
        chosen.append(newer)
    text = " ".join(parts)
    # The answer first: what was asked, cut from the quoted sentences, then the quotes.
    direct = direct_answer(question, [s for s in chosen if s.source is primary])
    if titled := told_by_title(question, primary, chosen):  # "- Located" added to the title
        direct = f"{titled}; {direct}" if direct else titled
    if direct is None and by_answer:
        direct = _likeliest(question, by_answer[0], chosen)  # "How did he get in?": the sentence
    if direct:
        text = f"{direct} [1].\n\n{text}"
    answer_score = by_answer[0].score if by_answer else None
    return Draft(text, citations, chosen, primary, answer_score)
