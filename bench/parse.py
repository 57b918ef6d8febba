"""Reader timing on pathological lines: each reader, each line shape, 15 to 120 KB.

A line of `[`, `*`, `_`, `](`, backticks or `#` with no closer is where a backtracking
pattern goes quadratic: linear code shows seconds doubling with the size (last column
near 8), quadratic code shows them quadrupling (near 64). A size that takes longer than
--limit seconds skips the larger sizes of that row.

    python bench/parse.py [--limit 20] [--only markdown]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Run as a script, sys.path[0] is bench/, whose http.py would shadow the standard library.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from ingest.readers import read_bytes  # noqa: E402
from tests.test_readers import make_pdf  # noqa: E402

SIZES_KB = (15, 30, 60, 120)


def _repeat(unit: str, tail: str = "") -> Callable[[int], str]:
    return lambda size: (unit * (size // len(unit) + 1))[: size - len(tail)] + tail


# Line shapes: the unit repeated to the size, with an optional tail.
LINES = {
    "[": _repeat("["),
    "[ ... ]": _repeat("[", "]"),
    "[a](": _repeat("[a]("),
    "](": _repeat("]("),
    "*": _repeat("*"),
    "*a ": _repeat("*a "),
    "_a ": _repeat("_a "),
    "**a ": _repeat("**a "),
    "`": _repeat("`"),
    "# ###...x": lambda size: "# " + "#" * (size - 3) + "x",
    "date + ogham spaces": lambda size: "May 1, 2020" + "\u1680" * (size - 12) + "x",
}


def _html(line: str) -> bytes:
    # The Winnipeg template, so the bulletin walk (and its date heading) reads the line.
    return (
        "<html><head><title>Winnipeg Police Service - Media Releases</title></head><body>"
        '<div id="content"><h1>May 1, 2020 Media Release</h1><h3>Pathological release</h3>'
        f"<p>{line}</p><p>Last update</p></div></body></html>"
    ).encode()


def _pdf(line: str) -> bytes | None:
    if not line.isascii():
        return None  # the hand-made PDF has one Latin-1 font
    return make_pdf(["Pathological release", "", line])


READERS: dict[str, tuple[str, Callable[[str], bytes | None]]] = {
    "text": ("line.txt", lambda line: f"Pathological release\n\n{line}\n".encode()),
    "markdown": ("line.md", lambda line: f"# Pathological release\n\n{line}\n".encode()),
    "html": ("line.html", _html),
    "pdf": ("line.pdf", _pdf),
}


def _time(source: str, data: bytes) -> float:
    """Seconds to read `data`: the best of three runs when one is quick, to damp noise."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        read_bytes(data, source=source)
        best = min(best, time.perf_counter() - start)
        if best > 0.5:
            break
    return best


def _row(reader: str, shape: str, limit: float) -> str:
    source, build = READERS[reader]
    cells, times = [], []
    for kb in SIZES_KB:
        data = build(LINES[shape](kb * 1024))
        if data is None or (times and times[-1] > limit):
            cells.append("n/a" if data is None else "skipped")
            continue
        times.append(_time(source, data))
        cells.append(f"{times[-1]:.3f}")
    ratio = f"{times[-1] / times[0]:.0f}x" if len(times) == len(SIZES_KB) and times[0] else "-"
    return f"{reader:<9}{shape:<22}" + "".join(f"{c:>10}" for c in cells) + f"{ratio:>10}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=20.0, help="seconds before skipping")
    parser.add_argument("--only", choices=sorted(READERS), help="time one reader only")
    args = parser.parse_args()
    sizes = "".join(f"{kb:>8} KB" for kb in SIZES_KB)
    print(f"{'reader':<9}{'line':<22}{sizes}{'120/15':>10}   (seconds)")
    for reader in [args.only] if args.only else list(READERS):
        for shape in LINES:
            print(_row(reader, shape, args.limit), flush=True)


if __name__ == "__main__":
    main()
