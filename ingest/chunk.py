"""Split publications into chunks the embedding model sees whole.

all-MiniLM-L6-v2 truncates at 256 word pieces, and a chunk it cannot see whole is a
chunk that cannot be found. Chunks are packed from whole paragraphs, then whole
sentences; only a single sentence longer than the budget (a run-on list of charges)
is split, at clause breaks and then at words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.models import Chunk, Publication
from index.text import split_sentences

_CLAUSE_BREAK = re.compile(r"(?<=[;:,])\s+|\n")


def _split_long(sentence: str, fits: Callable[[str], bool]) -> list[str]:
    """Split one over-long sentence at clause breaks, then at words."""
    pieces, current = [], ""
    parts = _CLAUSE_BREAK.split(sentence)
    if len(parts) == 1:
        parts = sentence.split(" ")
    for part in parts:
        candidate = f"{current} {part}".strip()
        if current and not fits(candidate):
            pieces.append(current)
            current = part
        else:
            current = candidate
    if current:
        pieces.append(current)
    if len(pieces) == 1 and not fits(pieces[0]) and " " in pieces[0]:
        words = pieces[0].split(" ")
        half = len(words) // 2
        return _split_long(" ".join(words[:half]), fits) + _split_long(" ".join(words[half:]), fits)
    return pieces


def pack(paragraphs: list[str], fits: Callable[[str], bool]) -> list[str]:
    """Greedily pack paragraphs (or their sentences) into texts that fit the budget."""
    chunks: list[str] = []
    current: list[str] = []

    def flush():
        if current:
            chunks.append("\n\n".join(current))
            current.clear()

    for para in paragraphs:
        if fits("\n\n".join([*current, para])):
            current.append(para)
            continue
        flush()
        if fits(para):
            current.append(para)
            continue
        # Paragraph too long: pack its sentences into one or more chunks of their own.
        line: list[str] = []
        for sentence in split_sentences(para):
            pieces = [sentence] if fits(sentence) else _split_long(sentence, fits)
            for piece in pieces:
                if line and not fits(" ".join([*line, piece])):
                    chunks.append(" ".join(line))
                    line = []
                line.append(piece)
        if line:
            chunks.append(" ".join(line))
    flush()
    return chunks


def embedding_text(chunk: Chunk) -> str:
    """What the model embeds: the headline gives every chunk of a release its subject."""
    return f"{chunk.title}\n{chunk.text}"


def chunk_publication(
    pub: Publication, count_tokens: Callable[[str], int], budget: int = 200
) -> list[Chunk]:
    """Chunks of a publication's body, then one or more per footnote.

    Body chunks keep their `[^N]` markers; each note becomes chunks that start with
    `[^N]:` and repeat the sentence that cites it, so either side finds the other.
    """
    title_cost = count_tokens(pub.title) + 1
    room = max(32, budget - title_cost)

    def fits(text: str) -> bool:
        return count_tokens(text) <= room

    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", pub.text) if p.strip()]
    texts = pack(paragraphs, fits)
    for number, note in pub.notes.items():
        citing = [s for p in paragraphs for s in split_sentences(p) if f"[^{number}]" in s]
        prefix = f"[^{number}]:"
        context = f" (cited by: {citing[0]})" if citing and fits(citing[0]) else ""
        note_paras = [p.strip() for p in re.split(r"\n\s*\n", note) if p.strip()]

        def note_fits(text: str, prefix=prefix, context=context) -> bool:
            return fits(f"{prefix} {text}{context}")

        for piece in pack(note_paras, note_fits):
            texts.append(f"{prefix} {piece}{context}")

    digest = pub.content_hash
    return [
        Chunk(
            id=f"{pub.id}-{digest[:12]}-{i:04d}",
            publication_id=pub.id,
            ord=i,
            text=text,
            title=pub.title,
            published=pub.published,
            url=pub.url,
            source=pub.source,
            issuer=pub.issuer,
            references=pub.references,
            content_hash=digest,
        )
        for i, text in enumerate(texts)
    ]
