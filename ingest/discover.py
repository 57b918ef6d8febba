"""Expand the SOURCE arguments of an ingest run into individual inputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.readers.urlmap import MAP_NAMES

SUPPORTED_SUFFIXES = {".html", ".htm", ".xhtml", ".txt", ".text", ".md", ".markdown", ".pdf"}


@dataclass(frozen=True)
class Input:
    """One file to read, or a source that failed before it could be read."""

    source: str
    path: Path | None = None
    error: str | None = None
    root: Path | None = None


def is_url(arg: str) -> bool:
    return arg.startswith(("http://", "https://"))


def expand(args: list[str]) -> list[Input]:
    """Files named directly, and supported files found under folders, in a stable order."""
    seen: set[str] = set()
    out: list[Input] = []

    def add(item: Input) -> None:
        if item.source not in seen:
            seen.add(item.source)
            out.append(item)

    for arg in args:
        if is_url(arg):
            add(Input(source=arg))
            continue
        path = Path(arg).expanduser()
        if not path.exists():
            add(Input(source=arg, error="no such file or directory"))
        elif path.is_dir():
            root = path.resolve()
            for child in sorted(root.rglob("*")):
                if child.is_dir() or any(p.startswith(".") for p in child.relative_to(root).parts):
                    continue
                if child.name.lower() in MAP_NAMES:
                    continue
                if child.suffix.lower() in SUPPORTED_SUFFIXES:
                    add(Input(source=str(child), path=child, root=root))
                else:
                    add(Input(source=str(child), error=_unsupported(child)))
        elif path.is_file():
            resolved = path.resolve()
            add(Input(source=str(resolved), path=resolved, root=resolved.parent))
        else:
            add(Input(source=arg, error="not a regular file"))
    return out


def folders_named(args: list[str]) -> list[Path]:
    """The existing folders among `args`, resolved (what a file prune may look in)."""
    folders = []
    for arg in args:
        if not is_url(arg) and (path := Path(arg).expanduser()).is_dir():
            folders.append(path.resolve())
    return folders


def _unsupported(path: Path) -> str:
    kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
    return f"unsupported file type {path.suffix or '(none)'!r}; supported: {kinds}"
