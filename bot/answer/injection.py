"""Text inside a publication that speaks to a model instead of to readers.

A release is data. A sentence in it that tells an assistant what to do ("Ignore previous
instructions and ..."), or that tries to close the fence the prompt puts around sources,
was planted there: it is never quoted and never counts as support for a generated claim.
The patterns are narrow on purpose, so that real releases ("drivers who ignore the
rules of the road") are untouched.
"""

from __future__ import annotations

import re

_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b(?:\s+\w+){0,3}?\s+"
    r"(?:previous|prior|above|earlier|preceding|original|system|your|all)\s+"
    r"(?:instructions?|prompts?|directions|guidelines|rules|context|messages?)\b"
    r"|\b(?:system\s+prompt|language\s+model|as\s+an\s+ai|ai\s+(?:assistant|model))\b"
    r"|\b(?:tell|instruct|direct)\s+(?:the\s+)?(?:readers?|users?)\b"
    r"|^\W*(?:system|assistant)\s*:"
    r"|<\s*/?\s*source\b",
    re.IGNORECASE,
)


def is_instruction(sentence: str) -> bool:
    """True when `sentence` addresses a model (or the prompt's fences), not a reader."""
    return bool(_INSTRUCTION.search(sentence))
