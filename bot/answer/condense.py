"""Turn a follow-up ("and was he charged?") into a question that stands alone.

The openai backend asks the model (prompts/condense.txt, see bot.answer.llm); the extractive
backend uses the rules here: when the follow-up leans on the conversation (pronouns,
or no subject of its own), carry the case numbers, names or subject of the last
question that had them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.phrases import capitalised_names, key_words
from index.models import Turn
from index.text import find_references

_LEANS_BACK = re.compile(
    r"\b(he|she|they|him|her|them|his|hers|their|theirs|it|its|this|that|these|those|"
    r"the (?:suspect|suspects|victim|victims|case|man|woman|accused|driver|boy|girl|youth|"
    r"same|investigation|incident|person|people|officer|officers))\b",
    re.IGNORECASE,
)
_OPENER = re.compile(
    r"^\s*(and|also|so|but|then|ok(?:ay)?|what about|how about)\b[\s,]*", re.IGNORECASE
)
_LOOK_BACK = 6  # turns


def needs_context(question: str) -> bool:
    """True when the question leans on earlier turns to make sense."""
    if find_references(question):
        return False
    own = [t for t in key_words(question) if not t.isdigit()]
    names = capitalised_names(question)
    return bool(_LEANS_BACK.search(question) or _OPENER.match(question)) or (
        len(own) <= 1 and not names
    )


def _subject(text: str) -> list[str]:
    """What a earlier question was about: its case numbers, else names, else key terms."""
    cases = find_references(text)
    if cases:
        return cases
    names = capitalised_names(text)
    if names:
        return names
    return key_words(text)[:4]


def condense_rules(question: str, history: Sequence[Turn]) -> str:
    """A standalone question built from `question` and the subject of earlier turns."""
    if not history or not needs_context(question):
        return question
    recent = list(history)[-_LOOK_BACK:]
    carried: list[str] = []
    for turn in reversed(recent):
        if turn.role == "user":
            carried = _subject(turn.content)
        elif find_references(turn.content):
            carried = find_references(turn.content)
        if carried:
            break
    if not carried:
        return question
    core = _OPENER.sub("", question).strip()
    core = core[:1].upper() + core[1:]
    return f"{core} (regarding {', '.join(carried)})"
