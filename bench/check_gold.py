"""Validate a gold set (bench/gold*.jsonl) against the real corpus and print any problems."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import lxml.html

KINDS = {"fact", "everyday", "latest", "unanswerable"}
SPLITS = {"dev", "test", "fresh", "train", "holdout", "tune", "check"}
KEYS = {"id", "kind", "question", "sources", "latest_source", "answer_keywords"}
WINNIPEG_DATE = re.compile(r"^(\d{4})_\d{2}[A-Za-z]+_(\d{4})_(\d{2})_(\d{2})\.html$")
REGINA_DATE = re.compile(r'article:published_time"\s+content="([0-9T:+-]+)"')


def corpus_files(corpus: Path) -> dict[str, Path]:
    """Map each corpus file name to its path."""
    return {p.name: p for p in corpus.rglob("*") if p.is_file()}


@cache
def page_text(path: Path) -> str:
    """Lower-cased, whitespace-collapsed text of a page, as a reader would see it."""
    raw = path.read_bytes()
    if path.suffix == ".html" and raw.strip():
        doc = lxml.html.fromstring(raw)
        for bad in doc.xpath("//script|//style"):
            bad.drop_tree()
        text = doc.text_content()
    else:
        text = raw.decode("utf-8", errors="replace")
    return " ".join(text.split()).lower()


def published(path: Path) -> str:
    """Sortable publication date of a page (ISO prefix), from its name or its meta tag."""
    m = WINNIPEG_DATE.match(path.name)
    if m:
        return f"{m[2]}-{m[3]}-{m[4]}"
    m = REGINA_DATE.search(path.read_text(errors="replace"))
    if m:
        return m[1]
    return "2022-11-11"  # the London release, the only other dated file


def has(path: Path, keyword: str) -> bool:
    return " ".join(keyword.split()).lower() in page_text(path)


def check_line(item: dict, files: dict[str, Path]) -> list[str]:
    """Problems with one gold item (empty when it is sound)."""
    errs = [f"missing key {k}" for k in sorted(KEYS - item.keys())]
    if errs:
        return errs
    kind, sources, last, kws = (
        item[k] for k in ("kind", "sources", "latest_source", "answer_keywords")
    )
    if kind not in KINDS:
        return [f"kind {kind!r} not in {sorted(KINDS)}"]
    if item.get("split", "test") not in SPLITS:
        errs.append(f"split {item.get('split')!r} not in {sorted(SPLITS)}")
    if kind == "unanswerable":
        if sources or kws or last is not None:
            errs.append("unanswerable must have no sources, keywords or latest_source")
        return errs
    if not sources or not 1 <= len(kws) <= 3:
        errs.append("needs sources and 1-3 answer_keywords")
    errs += [f"source not in corpus: {s}" for s in sources if s not in files]
    if errs:
        return errs
    if kind in ("fact", "everyday"):
        if last is not None:
            errs.append(f"{kind} must have latest_source null")
        errs += [
            f"keyword {k!r} in no source" for k in kws if not any(has(files[s], k) for s in sources)
        ]
        return errs
    if last not in sources:
        return [f"latest_source {last!r} not among sources"]
    newest = max(sources, key=lambda s: published(files[s]))
    if published(files[newest]) > published(files[last]):
        errs.append(f"latest_source is not the newest source ({newest} is newer)")
    errs += [f"keyword {k!r} not in latest_source" for k in kws if not has(files[last], k)]
    return errs


def other_pages(item: dict, files: dict[str, Path]) -> list[str]:
    """Pages outside `sources` holding every keyword: candidates for a missed source."""
    kws = item["answer_keywords"]
    return sorted(
        n
        for n, p in files.items()
        if n not in item["sources"]
        and p.suffix in {".html", ".txt"}
        and all(has(p, k) for k in kws)
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--gold", type=Path, default=Path(__file__).with_name("gold.jsonl"))
    ap.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    ap.add_argument(
        "--others",
        action="store_true",
        help="also list non-source pages that contain all keywords of a fact",
    )
    args = ap.parse_args()
    files = corpus_files(args.corpus)
    bad, ids, kinds, splits = 0, Counter(), Counter(), Counter()
    for n, line in enumerate(args.gold.read_text().splitlines(), 1):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"line {n}: not JSON: {exc}")
            bad += 1
            continue
        ids[item.get("id")] += 1
        kinds[item.get("kind")] += 1
        splits[(item.get("split", "test"), item.get("kind"))] += 1
        for err in check_line(item, files):
            print(f"line {n} ({item.get('id')}): {err}")
            bad += 1
        if args.others and item.get("kind") == "fact" and not bad:
            extra = other_pages(item, files)
            if extra:
                print(f"note {item['id']}: keywords also on {extra}")
    for dup in [i for i, c in ids.items() if c > 1]:
        print(f"duplicate id {dup}")
        bad += 1
    print(f"{sum(kinds.values())} items {dict(kinds)}; by split {dict(splits)}; {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
