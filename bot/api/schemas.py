"""Request and response bodies of the HTTP API (the answer itself is `index.models.Answer`),
and the case number a `/cases/{reference}` path names."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from bot.cases.timeline import CASE_NUMBER_SHAPE, case_key
from index.models import Turn

MAX_TOP_K = 50
MAX_HISTORY_TURNS = 20
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """Accept only YYYY-MM-DD strings: pydantic alone would also take timestamps."""
    if value is None or isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"must be a date as YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a calendar date ({exc})") from None


IsoDate = Annotated[dt.date | None, BeforeValidator(_iso_date)]

# A case number as a URL path segment names it: `C19-255700` (any letter case).
CASE_PATH_PATTERN = r"^[A-Za-z][0-9]{2}-[0-9]{2,10}$"


def _case_path(value: str) -> str:
    """The case number the path names, normalised; the schema's pattern is the rule.

    Checked with Python's `re.search`, as readers of the schema (jsonschema) check a
    pattern, so the server accepts exactly what the document says it does.
    """
    key = case_key(value) if re.search(CASE_PATH_PATTERN, value) else None
    if key is None:
        raise ValueError(f"{value!r} is not a case number; {CASE_NUMBER_SHAPE}")
    return key


CasePath = Annotated[
    str,
    Path(
        description="A case number, e.g. C19-255700 (a citation's `references`)",
        examples=["C19-255700"],
        json_schema_extra={"pattern": CASE_PATH_PATTERN},
    ),
    AfterValidator(_case_path),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AskRequest(_Body):
    """A question, optionally with the conversation so far and a date window."""

    question: str = Field(
        min_length=1,
        pattern=r"\S",  # not only spaces: the schema says what the check below enforces
        description="The question; its length limit is `max_question_chars`",
    )
    history: list[Turn] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_TURNS,
        description="Earlier turns, oldest first, for follow-up questions",
    )
    since: IsoDate = Field(None, description="Only publications on or after this date")
    until: IsoDate = Field(None, description="Only publications on or before this date")
    top_k: int | None = Field(
        None, ge=1, le=MAX_TOP_K, description="Passages to retrieve (server default when null)"
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "Who was arrested for the robbery on Main Street?",
                    "since": "2019-01-01",
                    "until": "2019-12-31",
                }
            ]
        },
    )

    @field_validator("question", mode="before")
    @classmethod
    def _not_blank(cls, value: object) -> object:
        if not isinstance(value, str):
            return value  # pydantic names the wrong type
        if not value.strip():
            raise ValueError("question is empty")
        return value.strip()

    @model_validator(mode="after")
    def _window_in_order(self) -> AskRequest:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        return self


class Health(_Body):
    status: str = "ok"


class SourceStatus(_Body):
    """How the last ingestion runs went for one URL source (feed, sitemap or page)."""

    source: str
    kind: str | None = None
    issuer: str | None = None
    last_run: str | None = None
    last_success: str | None = None
    ok: bool = True
    items_seen: int = 0
    items_failed: int = 0
    error: str | None = None


class Readiness(_Body):
    """What an operator needs to see that the service is up and its data is fresh."""

    status: str = Field(description="'ready', or 'unavailable' with a 503")
    publications: int
    chunks: int
    last_ingest: str | None = Field(None, description="UTC time of the last ingestion run")
    newest_published: str | None = Field(None, description="Date of the newest publication")
    detail: str | None = Field(None, description="Why the service is not ready")
    sources: list[SourceStatus] = Field(
        default_factory=list, description="Per URL source: last run, last success, errors"
    )


class ErrorBody(_Body):
    detail: str


class CaseRelease(_Body):
    """One release of a case and what it added to the releases before it."""

    publication_id: str
    title: str
    published: dt.date | None = Field(description="Publication date, or null when undated")
    url: str | None = Field(description="The link cited for the release")
    source: str = Field(description="Path or URL the release was read from")
    issuer: str | None
    references: list[str] = Field(description="Case numbers the release carries")
    added: list[str] = Field(
        description="Its sentences no earlier release said, verbatim (the first release: "
        "its opening sentences); empty when it adds nothing new"
    )


class CaseTimeline(_Body):
    """A case's releases, oldest first (`bot.cases.timeline.Timeline`)."""

    key: str = Field(description="The case number, normalised (C19-255700)")
    label: str = Field(description="The case number and its first release's title")
    entries: list[CaseRelease] = Field(description="Oldest first")
