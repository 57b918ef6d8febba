"""The gold set: questions with the sources that answer them, read and checked line by line.

A line is `{"id", "kind": "fact"|"everyday"|"latest"|"unanswerable", "question", "sources",
"latest_source", "answer_keywords", "split"?}`; other keys (such as "note") are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import SourceError

# "everyday": a fact asked in everyday words, without the release's names, figures or phrases.
KINDS = ("fact", "everyday", "latest", "unanswerable")


@dataclass(frozen=True)
class GoldItem:
    id: str
    kind: str
    question: str
    sources: list[str] = field(default_factory=list)
    latest_source: str | None = None
    answer_keywords: list[str] = field(default_factory=list)
    split: str | None = None

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


def load_gold(path: Path, split: str | None = None) -> list[GoldItem]:
    """Gold items from a JSONL file (only `split`'s, if given); a bad line is named."""
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
            split=_field(line, "split", str, where, required=False),
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
        if split is None or item.split == split:
            items.append(item)
    if not items:
        wanted = f" of split {split!r}" if split else ""
        raise SourceError(str(path), f"holds no gold questions{wanted}")
    return items
