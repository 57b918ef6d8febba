"""Bodies of the OpenAI-compatible routes (`bot.api.openai_compat`), shaped as OpenAI's.

A chat request is read leniently where OpenAI clients send fields with no meaning here
(temperature, max_tokens, user, metadata: accepted and ignored), and refused with an
`OpenAIError` naming the field where honouring the request is impossible (tools, several
choices, a response format, log probabilities, images). `ChatRequest.conversation()` is
the one place a list of messages becomes a question and its history.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field

from bot.api.schemas import MAX_HISTORY_TURNS
from index.models import Citation, Turn

# A reply's content is the answer then this block; it is cut off history turns again.
SOURCES_HEADING = "\n\nSources:\n"
_IGNORED_ROLES = ("system", "developer")
# OpenAI's error codes and types for the statuses the rest of the API answers with.
_CODES = {
    401: "invalid_api_key",
    413: "request_too_large",
    429: "rate_limit_exceeded",
    503: "service_unavailable",
}
_TYPES = {429: "requests"}


class OpenAIError(Exception):
    """A request this API cannot honour, as OpenAI's error object with an HTTP status."""

    def __init__(self, status: int, message: str, param: str | None = None, code=None):
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code
        self.headers: dict[str, str] | None = None

    @classmethod
    def from_http(cls, exc: HTTPException) -> OpenAIError:
        """An error the rest of the API raises (missing key, full queue), OpenAI-shaped."""
        error = cls(exc.status_code, str(exc.detail), None, _CODES.get(exc.status_code))
        error.headers = exc.headers
        return error

    def body(self) -> dict:
        if self.status >= 500:
            kind = "server_error"
        else:
            kind = _TYPES.get(self.status, "invalid_request_error")
        error = {"message": self.message, "type": kind, "param": self.param, "code": self.code}
        return {"error": error}


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


# The fields below are checked by code that names the problem better than a schema
# error would; their JSON schema still says what is accepted, so the API's contract
# (what /openapi.json promises, and contract fuzzers test) is what the server does.
_TEXT_PART = {
    "type": "object",
    "properties": {"type": {"enum": ["text"]}, "text": {"type": "string"}},
    "required": ["type", "text"],
}


class ChatMessage(_In):
    role: str = Field(json_schema_extra={"enum": ["system", "developer", "user", "assistant"]})
    content: Any = Field(
        None,
        json_schema_extra={
            "anyOf": [{"type": "string"}, {"type": "array", "items": _TEXT_PART}, {"type": "null"}]
        },
    )


class StreamOptions(_In):
    include_usage: bool = False


class ChatRequest(_In):
    """What an OpenAI client sends to `/v1/chat/completions`."""

    model: str
    messages: list[ChatMessage] = Field(
        description="The conversation; the last message is the user's question",
        json_schema_extra={"minItems": 1},
    )
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    n: int | None = Field(None, json_schema_extra={"enum": [1, None]})
    tools: list | None = Field(None, json_schema_extra={"maxItems": 0})
    tool_choice: Any = Field(None, json_schema_extra={"enum": ["none", None]})
    functions: list | None = Field(None, json_schema_extra={"maxItems": 0})
    function_call: Any = Field(None, json_schema_extra={"enum": ["none", None]})
    response_format: dict | None = Field(
        None,
        json_schema_extra={"properties": {"type": {"enum": ["text"]}}},
    )
    logprobs: bool | None = Field(None, json_schema_extra={"enum": [False, None]})
    top_logprobs: int | None = Field(None, json_schema_extra={"enum": [0, None]})

    def check_supported(self) -> None:
        """Refuse what this API cannot do rather than quietly do something else."""
        kind = (self.response_format or {}).get("type", "text")
        refuse = [
            ("tools", bool(self.tools), "tools (function calling) are not supported"),
            ("tool_choice", _set(self.tool_choice), "tool_choice is not supported"),
            ("functions", bool(self.functions), "functions are not supported"),
            ("function_call", _set(self.function_call), "function_call is not supported"),
            ("n", (self.n or 1) != 1, f"n={self.n}: only one choice (n=1) is supported"),
            ("logprobs", bool(self.logprobs or self.top_logprobs), "logprobs are not supported"),
            ("response_format", kind != "text", f"response_format {kind!r} is not supported"),
        ]
        for param, refused, message in refuse:
            if refused:
                raise OpenAIError(400, message, param, "unsupported_parameter")

    def conversation(self) -> tuple[str, list[Turn]]:
        """The last user message as the question; earlier user and assistant turns as history."""
        if not self.messages:
            raise OpenAIError(400, "messages is empty: send at least one user message", "messages")
        texts = [_text(m, i) for i, m in enumerate(self.messages)]
        last = len(self.messages) - 1
        if self.messages[-1].role != "user":
            role = self.messages[-1].role
            raise OpenAIError(
                400,
                f"the last message is from {role!r}: it must be the user's question",
                f"messages[{last}].role",
            )
        if not texts[-1].strip():
            raise OpenAIError(400, "the last user message is empty", f"messages[{last}].content")
        history = [
            Turn(role=m.role, content=_without_sources(t))
            for m, t in zip(self.messages[:-1], texts[:-1], strict=True)
            if m.role not in _IGNORED_ROLES and t.strip()
        ]
        return texts[-1].strip(), history[-MAX_HISTORY_TURNS:]

    def texts(self) -> list[str]:
        """Every message's text (system ones too): what the prompt tokens count."""
        return [_text(m, i) for i, m in enumerate(self.messages)]


def _set(choice: Any) -> bool:
    """A tool or function choice that asks for a call ("none" asks for none)."""
    return choice not in (None, "none")


def _text(message: ChatMessage, i: int) -> str:
    """A message's text: a string, or its text parts joined; anything else is refused."""
    if message.role not in ("user", "assistant", *_IGNORED_ROLES):
        raise OpenAIError(
            400,
            f"messages[{i}] has role {message.role!r}: use system, developer, user or assistant",
            f"messages[{i}].role",
        )
    content = message.content
    if content is None or isinstance(content, str):
        return content or ""
    if not isinstance(content, list):
        raise OpenAIError(
            400,
            f"messages[{i}].content must be a string or a list of parts",
            f"messages[{i}].content",
        )
    for j, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else type(part).__name__
        if kind != "text" or not isinstance(part.get("text"), str):
            raise OpenAIError(
                400,
                f"messages[{i}].content[{j}] is a {kind!r} part: only text parts are supported",
                f"messages[{i}].content[{j}]",
            )
    return "\n".join(part["text"] for part in content)


def _without_sources(text: str) -> str:
    """An earlier reply of ours as /ask's history holds it: the answer, not its sources."""
    return text.split(SOURCES_HEADING, 1)[0]


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    logprobs: None = None
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    """OpenAI's `chat.completion`, plus the answer's citations as /ask returns them."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    citations: list[Citation] = Field(
        default_factory=list, description="The numbered sources of the content, as /ask gives"
    )


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "policing-qa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail
