"""`policing-qa eval`: retrieval and answer quality on a gold set of questions.

A gold line is `{"id", "kind": "fact"|"latest"|"unanswerable", "question", "sources",
"latest_source", "answer_keywords"}`. A cited or retrieved source matches a gold source
when they are equal or their file names are (a Winnipeg bulletin file holds several
releases). Retrieval figures are over answerable questions and distinct sources:
recall@k is the share whose gold source (for "latest" questions, the latest one) is
among the first k distinct sources retrieved; MRR uses the rank of the first match.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import SourceError
from index.models import Answer

KINDS = ("fact", "latest", "unanswerable")
_MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class GoldItem:
    id: str
    kind: str
    question: str
    sources: list[str] = field(default_factory=list)
    latest_source: str | None = None
    answer_keywords: list[str] = field(default_factory=list)

    @property
    def targets(self) -> list[str]:
        return (
            [self.latest_source] if self.kind == "latest" and self.latest_source else self.sources
        )


def _field(line: dict, key: str, kind, where: str, required: bool = True):
    if key not in line:
        if required:
            raise SourceError(where, f"missing key {key!r}")
        return None
    value = line[key]
    if value is not None and not isinstance(value, kind):
        wanted = "string" if kind is str else "list"
        raise SourceError(where, f"{key!r} should be a {wanted}, not {type(value).__name__}")
    return value


def load_gold(path: Path) -> list[GoldItem]:
    """Gold items from a JSONL file; a malformed line is an error naming that line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    items, seen = [], set()
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise SourceError(where, f"not valid JSON ({exc.msg})") from exc
        if not isinstance(line, dict):
            raise SourceError(where, "should be a JSON object")
        item = GoldItem(
            id=str(_field(line, "id", str, where)),
            kind=_field(line, "kind", str, where),
            question=_field(line, "question", str, where),
            sources=_field(line, "sources", list, where, required=False) or [],
            latest_source=_field(line, "latest_source", str, where, required=False),
            answer_keywords=_field(line, "answer_keywords", list, where, required=False) or [],
        )
        if item.kind not in KINDS:
            raise SourceError(where, f"kind {item.kind!r} is not one of {', '.join(KINDS)}")
        if not item.question.strip():
            raise SourceError(where, "question is empty")
        if item.kind != "unanswerable" and not item.sources:
            raise SourceError(where, f"a {item.kind!r} question needs at least one source")
        if item.kind == "latest" and not item.latest_source:
            raise SourceError(where, "a 'latest' question needs latest_source")
        if item.id in seen:
            raise SourceError(where, f"id {item.id!r} is used twice")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise SourceError(str(path), "holds no gold questions")
    return items


def same_source(a: str, b: str) -> bool:
    return a == b or Path(a).name == Path(b).name


def distinct_sources(hits) -> list[str]:
    return list(dict.fromkeys(h.chunk.source for h in hits))


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


def run(
    answerer,
    items: list[GoldItem],
    depth: int = 20,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Ask every gold question and score retrieval, answers, refusals and latency."""
    texts: dict[tuple[str, str], list[str]] = {}
    for chunk in answerer.store.all_chunks():
        texts.setdefault((chunk.source, chunk.title), []).append(chunk.text)
    rows, retrieval_ms, answer_ms = [], [], []
    for done, item in enumerate(items, 1):
        ranking = distinct_sources(answerer.retriever.search(item.question, k=depth).hits)
        started = time.perf_counter()
        result = answerer.retrieve(item.question)
        middle = time.perf_counter()
        answer = next(
            v
            for kind, v in answerer.respond(item.question, item.question, result)
            if kind == "done"
        )
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
                "latest_cited": bool(item.latest_source)
                and any(same_source(s, item.latest_source) for s in cited),
                "valid": citations_valid(answer, lambda s, t: texts.get((s, t), [])),
                "answer": answer.answer,
            }
        )
        if progress:
            progress(done, len(items))
    return summarise(rows, retrieval_ms, answer_ms)


def _share(rows: list[dict], test: Callable[[dict], bool]) -> float | None:
    return round(sum(1 for r in rows if test(r)) / len(rows), 3) if rows else None


def summarise(rows: list[dict], retrieval_ms: list[float], answer_ms: list[float]) -> dict:
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
        "citation_validity": _share(rows, lambda r: r["valid"]),
        "retrieval_ms_p50": round(percentile(retrieval_ms, 0.5), 1),
        "retrieval_ms_p95": round(percentile(retrieval_ms, 0.95), 1),
        "answer_ms_p50": round(percentile(answer_ms, 0.5), 1),
        "answer_ms_p95": round(percentile(answer_ms, 0.95), 1),
        "rows": rows,
    }
