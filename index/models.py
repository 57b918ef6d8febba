"""Typed domain models shared by ingestion, retrieval and the answerer."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Publication(_Model):
    """One release as read from a source: the unit that is cited."""

    source: str = Field(description="Path or URL the publication was ingested from")
    part: int = Field(0, description="Position of the release within a multi-release page")
    title: str
    text: str
    published: dt.date | None = None
    url: str | None = None
    issuer: str | None = None
    references: list[str] = Field(default_factory=list)
    # Footnote number -> note text ("Notes to editors"), kept beside the body.
    notes: dict[str, str] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        """Identity that survives edits: where it was read from, not what it says.

        Never the URL a page declares (canonical link, og:url): two pages declaring one
        URL must stay two releases, and a page must not take over another's identity.
        """
        return f"{self.source}#{self.part}"

    @property
    def id(self) -> str:
        return hashlib.sha256(self.key.encode()).hexdigest()[:24]

    @property
    def content_hash(self) -> str:
        """Hash of everything that reaches the store, so any change is re-embedded."""
        payload = self.model_dump(mode="json", exclude={"source"})
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class Chunk(_Model):
    """A piece of a publication sized for the embedding model."""

    id: str
    publication_id: str
    ord: int
    text: str
    title: str
    published: dt.date | None = None
    url: str | None = None
    source: str
    issuer: str | None = None
    references: list[str] = Field(default_factory=list)
    content_hash: str


class Hit(_Model):
    """A retrieved chunk with its fused score."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = Field(None, description="Cosine similarity to the question")


class Citation(_Model):
    n: int
    title: str
    published: str | None = Field(None, description="YYYY-MM-DD or null")
    url: str | None = None
    source: str
    issuer: str | None = None
    references: list[str] = Field(default_factory=list)
    quote: str


class Answer(_Model):
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    as_of: str | None = Field(None, description="Publication date of the newest cited release")


class Turn(_Model):
    """One turn of a conversation, for follow-up questions."""

    role: str = Field(pattern="^(user|assistant)$")
    content: str
