"""`policing-qa eval`: retrieval and answer quality on a gold set of questions.

A gold line is `{"id", "kind": "fact"|"everyday"|"latest"|"unanswerable", "question",
"sources", "latest_source", "answer_keywords"}`; figures are given overall and per kind.
A cited or retrieved source matches a gold source when they are equal or their file
names are (a Winnipeg bulletin file holds several releases). Retrieval figures are over
answerable questions and distinct sources: recall@k is the share whose gold source (for
"latest" questions, the latest one) is among the first k distinct sources retrieved; MRR
uses the rank of the first match. "Opens with what was asked" is the share of answerable
questions whose reply opens with a direct answer (the line before the quoted evidence)
holding one of the expected figures or names.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.evaluation.gold import GoldItem
from index.models import Answer

_MARKER = re.compile(r"\[(\d+)\]")
_OPENS = re.compile(r" \[1\]\.$")  # the direct answer cites the release it is cut from
OPENING_CHARS = 400


def same_source(a: str, b: str) -> bool:
    return a == b or Path(a).name == Path(b).name


def distinct_sources(hits) -> list[str]:
    return list(dict.fromkeys(h.chunk.source for h in hits))


def opening(text: str) -> str | None:
    """The direct answer a reply opens with ("$13,000 [1]."), before the quoted evidence;
    None when it opens with the evidence itself."""
    first, blank, _ = text.partition("\n\n")
    if not blank or not _OPENS.search(first) or len(first) > OPENING_CHARS:
        return None
    return first


def has_keywords(answer: Answer, keywords: Sequence[str]) -> bool:
    text = answer.answer.lower()
    return all(str(k).lower() in text for k in keywords)


def citations_valid(answer: Answer, chunk_texts: Callable[[str, str], list[str]]) -> bool:
    """Every [n] maps to a returned citation whose quote is verbatim in its release."""
    numbers = {c.n for c in answer.citations}
    if any(int(n) not in numbers for n in _MARKER.findall(answer.answer)):
        return False
    return all(
        c.quote and any(c.quote in t for t in chunk_texts(c.source, c.title))
        for c in answer.citations
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class AnswererSystem:
    """The project's answerer as the evaluator sees a question-answering system."""

    def __init__(self, answerer):
        self.answerer = answerer
        self._texts: dict[tuple[str, str], list[str]] | None = None

    def ranking(self, question: str, depth: int) -> list[str]:
        return distinct_sources(self.answerer.retriever.search(question, k=depth).hits)

    def retrieve(self, question: str):
        return self.answerer.retrieve(question)

    def respond(self, question: str, retrieved) -> Answer:
        events = self.answerer.respond(question, question, retrieved)
        return next(value for kind, value in events if kind == "done")

    def chunk_texts(self, source: str, title: str) -> list[str]:
        if self._texts is None:
            self._texts = {}
            for chunk in self.answerer.store.all_chunks():
                self._texts.setdefault((chunk.source, chunk.title), []).append(chunk.text)
        return self._texts.get((source, title), [])


def run(
    system,
    items: list[GoldItem],
    depth: int = 20,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Ask every gold question and score retrieval, answers, refusals and latency.

    `system` has `ranking(question, depth)` (distinct sources, best first),
    `retrieve(question)`, `respond(question, retrieved) -> Answer` and
    `chunk_texts(source, title)`; see AnswererSystem.
    """
    rows, retrieval_ms, answer_ms = [], [], []
    for done, item in enumerate(items, 1):
        ranking = system.ranking(item.question, depth)
        started = time.perf_counter()
        retrieved = system.retrieve(item.question)
        middle = time.perf_counter()
        answer = system.respond(item.question, retrieved)
        retrieval_ms.append((middle - started) * 1000)
        answer_ms.append((time.perf_counter() - middle) * 1000)
        rank = next(
            (i for i, s in enumerate(ranking, 1) if any(same_source(s, g) for g in item.targets)),
            None,
        )
        cited = [c.source for c in answer.citations]
        rows.append(
            {
                "id": item.id,
                "kind": item.kind,
                "rank": rank,
                "refused": answer.refused,
                "keywords": has_keywords(answer, item.answer_keywords),
                # The reply opens with what was asked: its first line holds an expected
                # figure or name (any one of them; the rest may be in the evidence).
                "direct": any(
                    str(k).lower() in (opening(answer.answer) or "").lower()
                    for k in item.answer_keywords
                ),
                "latest_cited": bool(item.latest_source)
                and any(same_source(s, item.latest_source) for s in cited),
                "first_cited": bool(cited) and any(same_source(cited[0], g) for g in item.targets),
                "valid": citations_valid(answer, system.chunk_texts),
                "answer": answer.answer,
            }
        )
        if progress:
            progress(done, len(items))
    return summarise(rows, retrieval_ms, answer_ms)


def _share(rows: list[dict], test: Callable[[dict], bool]) -> float | None:
    return round(sum(1 for r in rows if test(r)) / len(rows), 3) if rows else None


def figures(rows: list[dict]) -> dict:
    """Quality figures over `rows`; None where a figure has no question to count."""
    answerable = [r for r in rows if r["kind"] != "unanswerable"]
    latest = [r for r in rows if r["kind"] == "latest"]
    unanswerable = [r for r in rows if r["kind"] == "unanswerable"]
    return {
        "questions": len(rows),
        "recall@1": _share(answerable, lambda r: r["rank"] is not None and r["rank"] <= 1),
        "recall@5": _share(answerable, lambda r: r["rank"] is not None and r["rank"] <= 5),
        "mrr": round(statistics.fmean(1 / r["rank"] if r["rank"] else 0 for r in answerable), 3)
        if answerable
        else None,
        "keyword_accuracy": _share(answerable, lambda r: r["keywords"] and not r["refused"]),
        "latest_accuracy": _share(latest, lambda r: r["latest_cited"] and r["keywords"]),
        "refused_unanswerable": _share(unanswerable, lambda r: r["refused"]),
        "refused_answerable": _share(answerable, lambda r: r["refused"]),
        "first_cited": _share(answerable, lambda r: r["first_cited"] and not r["refused"]),
        "direct_answer": _share(answerable, lambda r: r["direct"] and not r["refused"]),
        "citation_validity": _share(rows, lambda r: r["valid"]),
    }


def summarise(rows: list[dict], retrieval_ms: list[float], answer_ms: list[float]) -> dict:
    """Figures overall and per kind, latencies, and the rows."""
    kinds = sorted({r["kind"] for r in rows})
    return {
        **figures(rows),
        "by_kind": {kind: figures([r for r in rows if r["kind"] == kind]) for kind in kinds},
        "retrieval_ms_p50": round(percentile(retrieval_ms, 0.5), 1),
        "retrieval_ms_p95": round(percentile(retrieval_ms, 0.95), 1),
        "answer_ms_p50": round(percentile(answer_ms, 0.5), 1),
        "answer_ms_p95": round(percentile(answer_ms, 0.95), 1),
        "rows": rows,
    }
