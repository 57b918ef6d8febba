"""Load prompt files and fill them, failing loudly on a missing or unknown variable."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

from index.errors import ConfigError

PROMPTS = Path(__file__).resolve().parent


@lru_cache
def load(name: str) -> str:
    """The text of prompts/<name>.txt."""
    path = PROMPTS / f"{name}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"prompt {name!r}: cannot read {path}: {exc.strerror or exc}") from exc


def variables(text: str) -> set[str]:
    """The {names} a prompt text expects."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def render(name: str, **values: object) -> str:
    """prompts/<name>.txt with every variable filled; a missing or extra one is an error."""
    text = load(name)
    expected = variables(text)
    missing = expected - values.keys()
    if missing:
        raise ConfigError(f"prompt {name!r} needs {sorted(missing)}, which were not given")
    unknown = values.keys() - expected
    if unknown:
        raise ConfigError(f"prompt {name!r} has no variables {sorted(unknown)}")
    return text.format(**values)
