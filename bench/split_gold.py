"""Merge blind gold questions and split them into dev and test by release.

A question belongs to the releases it names (its `sources`, or for an unanswerable one
the `near_source` it is close to). Questions that share a page fall in one group, and a
whole group goes to one side, so no release answers a dev question and a test question.
The side is a hash of the group's first page name: the split is the same on every run.

    python bench/split_gold.py PART.jsonl ... > bench/gold_blind.jsonl
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter


def pages(item: dict) -> list[str]:
    return list(item.get("sources") or []) + (
        [item["near_source"]] if item.get("near_source") else []
    )


def groups(items: list[dict]) -> dict[str, str]:
    """Question id -> the name of its group (the smallest page name in it)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for item in items:
        names = pages(item) or [f"question:{item['id']}"]
        for name in names[1:]:
            a, b = find(names[0]), find(name)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {item["id"]: find((pages(item) or [f"question:{item['id']}"])[0]) for item in items}


def side(group: str) -> str:
    return "dev" if hashlib.sha256(group.encode()).digest()[0] % 2 == 0 else "test"


def main(paths: list[str]) -> int:
    items = [json.loads(line) for p in paths for line in open(p) if line.strip()]
    of = groups(items)
    counts: Counter = Counter()
    for item in items:
        item["split"] = side(of[item["id"]])
        counts[(item["split"], item["kind"])] += 1
        print(json.dumps(item, ensure_ascii=False))
    print(
        f"{len(items)} questions, {len(set(of.values()))} groups: {dict(counts)}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
