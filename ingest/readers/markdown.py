"""Strip Markdown links and emphasis and read ATX headings, in time linear in the line.

Each function returns what the regex in its docstring returned, but a search for a
closing `]`, `)`, `*` or `_` never starts again from an earlier position: as a regex,
a 60 KB line of `[` or `_a ` with no closer was searched to its end once per opener
(12 s). See bench/parse.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_HEADING_OPEN = re.compile(r"#{1,6}\s+")
_EMPHASIS_MARK = re.compile(r"[*_]")
_DELIMITERS = ("**", "__", "*", "_")  # tried in this order at each mark, as the regex did


class _Finder:
    """Find the first `sub` at or after a position that `ok` accepts.

    The positions asked for never go back, so the whole text is searched once in all.
    """

    def __init__(self, text: str, sub: str, ok: Callable[[int], bool] = lambda i: True):
        self.text, self.sub, self.ok = text, sub, ok
        self.found = text.find(sub)

    def __call__(self, start: int) -> int:
        while self.found != -1 and (self.found < start or not self.ok(self.found)):
            self.found = self.text.find(self.sub, max(start, self.found + 1))
        return self.found


def heading(line: str) -> str | None:
    """Return the text of an ATX heading line, None if it is none.

    As `re.match(r"#{1,6}\\s+(.*?)\\s*#*$", line).group(1)` on one line.
    """
    if not (m := _HEADING_OPEN.match(line)):
        return None
    # The lazy group leaves out the longest tail of spaces then closing hashes.
    return line[m.end() :].rstrip("#").rstrip()


def strip_links(text: str) -> str:
    """Replace each link or image by its label.

    As `re.sub(r"!?\\[([^\\]^][^\\]]*)\\]\\([^)]*\\)", r"\\1", text)`: a label starts
    with neither `]` nor `^` (a footnote) and ends at the first `]`, which `(` follows.
    """
    label_end, target_end = _Finder(text, "]"), _Finder(text, ")")
    out, done = [], 0
    opener = text.find("[")
    while opener != -1:
        label = opener + 1
        end = label_end(label + 1) if text[label : label + 1] not in ("", "]", "^") else -1
        close = target_end(end + 2) if end != -1 and text.startswith("(", end + 1) else -1
        if close != -1:
            start = opener - 1 if opener > done and text[opener - 1] == "!" else opener
            out += [text[done:start], text[label:end]]
            done = close + 1
        opener = text.find("[", max(done, opener + 1))
    return "".join(out) + text[done:]


def strip_emphasis(text: str) -> str:
    """Unwrap bold and italic runs.

    As `re.sub(r"(\\*\\*|__|\\*|_)(?=\\S)(.+?)(?<=\\S)\\1", r"\\2", text)`: the run has no
    space just inside either delimiter and ends at the first closer that allows.
    """
    return "\n".join(_strip_emphasis_line(line) for line in text.split("\n"))


def _strip_emphasis_line(line: str) -> str:
    # A closer follows a non-space character; the finders keep one search per delimiter.
    closers = {d: _Finder(line, d, lambda i: not line[i - 1].isspace()) for d in _DELIMITERS}
    out, done = [], 0
    mark = _EMPHASIS_MARK.search(line)
    while mark:
        at = mark.start()
        for d in _DELIMITERS:
            inner = at + len(d)
            if not line.startswith(d, at) or inner >= len(line) or line[inner].isspace():
                continue
            if (close := closers[d](inner + 1)) != -1:
                out += [line[done:at], line[inner:close]]
                done = close + len(d)
                break
        mark = _EMPHASIS_MARK.search(line, max(done, at + 1))
    return "".join(out) + line[done:]
