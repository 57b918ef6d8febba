"""What the MCP tools take and give: argument types (they become the JSON schemas clients
see) and result models. `ask` gives `index.models.Answer`, the shape `/ask` gives, and
`case_timeline` gives `bot.api.schemas.CaseTimeline`, the shape `/cases/{reference}` gives."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bot.api.schemas import IsoDate
from bot.cases.timeline import CASE_NUMBER_SHAPE, case_key

MAX_LIMIT = 50
DEFAULT_LIMIT = 10


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty")
    return value.strip()


Query = Annotated[
    str,
    Field(min_length=1, description="What to look for: words, names, streets, case numbers"),
    AfterValidator(_not_blank),
]
Question = Annotated[
    str,
    Field(min_length=1, description="A question about the publications, in plain words"),
    AfterValidator(_not_blank),
]
Since = Annotated[IsoDate, Field(description="Only publications on or after this date")]
Until = Annotated[IsoDate, Field(description="Only publications on or before this date")]
Issuer = Annotated[
    str | None,
    Field(description="Only this issuer's publications (a name or part of one)"),
]
Limit = Annotated[
    int, Field(ge=1, le=MAX_LIMIT, description=f"Most publications to return (1-{MAX_LIMIT})")
]


def _case_number(value: str) -> str:
    key = case_key(value)
    if key is None:
        raise ValueError(f"{value!r} is not a case number; {CASE_NUMBER_SHAPE}")
    return key


CaseNumber = Annotated[
    str,
    Field(
        min_length=1,
        description="A case number, e.g. C19-255700 (search_publications gives each "
        "release's in `references`)",
    ),
    AfterValidator(_case_number),
]
IdOrUrl = Annotated[
    str,
    Field(min_length=1, description="A publication id (from search_publications) or its URL"),
    AfterValidator(_not_blank),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PublicationHit(_Model):
    """One publication that matched a search, with the passage that matched best."""

    id: str = Field(description="Publication id, for get_publication and publication://{id}")
    title: str
    published: str | None = Field(None, description="YYYY-MM-DD or null")
    url: str | None = None
    source: str = Field(description="Path or URL the publication was read from")
    issuer: str | None = None
    references: list[str] = Field(default_factory=list, description="Case numbers")
    snippet: str = Field(description="The passage that matched best, shortened")


class SearchResults(_Model):
    query: str
    hits: list[PublicationHit] = Field(description="Best match first, one per publication")


class PublicationText(_Model):
    """One publication whole: its metadata and its text as stored."""

    id: str
    title: str
    published: str | None = Field(None, description="YYYY-MM-DD or null")
    url: str | None = None
    source: str
    issuer: str | None = None
    references: list[str] = Field(default_factory=list, description="Case numbers")
    text: str
