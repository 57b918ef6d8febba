"""What several test modules share that is neither a fake nor a fixture: where the
corpus and samples are, a free port, and settings that ignore the environment."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from index.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = REPO / "docs" / "samples"
PAGES = CORPUS / "winnipeg-police" / "pages"


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now (a connection to it is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_settings(**values) -> Settings:
    """Settings from explicit values only, whatever POLICING_QA_* the shell has."""
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("POLICING_QA_")]:
            mp.delenv(key)
        return Settings(_env_file=None, **values)


def one_chunk_release(pid: str, text: str, title: str, published, n: int = 1):
    """A retrieved release of one chunk, as the answerer's scorers see it (a `Source`)."""
    from bot.answer.types import Source
    from index.models import Chunk

    chunk = Chunk(
        id=f"{pid}-0000",
        publication_id=pid,
        ord=0,
        text=text,
        title=title,
        published=published,
        source=f"{pid}.html",
        content_hash=pid,
    )
    return Source(n=n, chunks=[chunk])


def shapes_met(question: str, sentence: str) -> set[str]:
    """The kinds of answer `question` asks for that `sentence` gives."""
    from bot.answer.phrases import known_words
    from bot.answer.shapes import shapes_of

    known = known_words(question)
    return {s.name for s in shapes_of(question) if s.met_by(sentence, known)}


def scored_sentence(text: str):
    """`text` as the one scored sentence of a one-chunk release (a `Scored`)."""
    from bot.answer.types import Scored
    from index.text import Span

    source = one_chunk_release("p", text, "t", None)
    return Scored(source, source.chunks[0], Span(0, len(text)), 1.0, 0.5, 0.5)
