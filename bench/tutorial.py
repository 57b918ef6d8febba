"""The pipeline a LangChain RAG tutorial builds, as a baseline for bench/answer.py."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import lxml.html
import numpy as np

from bot.answer.sources import trim_quote
from index.models import Answer, Citation
from index.text import sentence_spans

_WINNIPEG_DATE = re.compile(r"(\d{4})_(\d{2})_(\d{2})\.html$")
_META_DATE = re.compile(r'article:published_time"\s+content="(\d{4}-\d{2}-\d{2})')


def page_document(path: Path):
    """Whole-page text by a plain HTML-to-text, with the page's title, date and path."""
    from langchain_core.documents import Document

    raw = path.read_bytes()
    if not raw.strip():
        return None
    title, published = path.stem, None
    if path.suffix == ".html":
        doc = lxml.html.fromstring(raw)
        for bad in doc.xpath("//script|//style"):
            bad.drop_tree()
        title = (doc.findtext(".//title") or path.stem).strip() or path.stem
        text = doc.text_content()
    else:
        text = raw.decode("utf-8", errors="replace")
    lines = [line.strip() for line in text.splitlines()]
    text = "\n".join(line for line in lines if line)
    if m := _WINNIPEG_DATE.search(path.name):
        published = f"{m[1]}-{m[2]}-{m[3]}"
    elif m := _META_DATE.search(raw.decode("utf-8", errors="replace")):
        published = m[1]
    meta = {"source": str(path), "title": title, "published": published or ""}
    return Document(page_content=text, metadata=meta)


class TutorialRAG:
    """Chroma top-4 over 1000-character splits of whole pages; top sentences as the answer."""

    def __init__(self, directory: Path, embedder, k: int = 4):
        from langchain_chroma import Chroma

        self.embedder = embedder
        self.k = k
        self.db = Chroma(
            collection_name="tutorial",
            embedding_function=embedder,
            persist_directory=str(directory),
        )
        self._texts: dict[tuple[str, str], list[str]] | None = None

    def ensure_index(self, corpus: Path) -> None:
        """Split and embed every page unless the collection already holds them."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        if self.db._collection.count():
            return
        started = time.perf_counter()
        files = sorted((corpus / "winnipeg-police" / "pages").glob("*.html"))
        files += sorted((corpus / "london").glob("*.txt"))
        docs = [d for d in (page_document(f) for f in files) if d is not None]
        splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        chunks = splits.split_documents(docs)
        for start in range(0, len(chunks), 512):
            self.db.add_documents(chunks[start : start + 512])
        print(
            f"tutorial index: {len(docs)} pages, {len(chunks)} chunks in "
            f"{time.perf_counter() - started:.0f}s",
            file=sys.stderr,
        )

    def ranking(self, question: str, depth: int) -> list[str]:
        hits = self.db.similarity_search(question, k=depth * 4)
        return list(dict.fromkeys(d.metadata["source"] for d in hits))[:depth]

    def retrieve(self, question: str):
        return self.db.similarity_search(question, k=self.k)

    def respond(self, question: str, docs) -> Answer:
        pieces = [
            (n, d, d.page_content[s.start : s.end])
            for n, d in enumerate(docs, 1)
            for s in sentence_spans(d.page_content)
        ]
        pieces = [p for p in pieces if len(p[2].split()) >= 3]
        if not pieces:
            return Answer(question=question, answer="", refused=True)
        vectors = np.asarray(self.embedder.embed_documents([p[2] for p in pieces]))
        scores = vectors @ np.asarray(self.embedder.embed_query(question))
        best = [pieces[i] for i in np.argsort(-scores)[:3]]
        order: dict[int, int] = {}
        parts, citations = [], []
        for n, doc, sentence in best:
            if n not in order:
                order[n] = len(order) + 1
                meta = doc.metadata
                citations.append(
                    Citation(
                        n=order[n],
                        title=meta["title"],
                        published=meta["published"] or None,
                        source=meta["source"],
                        quote=trim_quote(sentence),
                    )
                )
            parts.append(f"{sentence} [{order[n]}]")
        as_of = max((c.published for c in citations if c.published), default=None)
        return Answer(
            question=question,
            answer=" ".join(parts),
            refused=False,
            citations=citations,
            as_of=as_of,
        )

    def chunk_texts(self, source: str, title: str) -> list[str]:
        if self._texts is None:
            got = self.db.get(include=["documents", "metadatas"])
            self._texts = {}
            for text, meta in zip(got["documents"], got["metadatas"], strict=True):
                self._texts.setdefault((meta["source"], meta["title"]), []).append(text)
        return self._texts.get((source, title), [])
