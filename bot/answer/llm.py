"""The `openai` generator: any OpenAI-compatible chat server through LangChain.

OpenAI, vLLM, Ollama and the llama.cpp server all speak `/v1/chat/completions`.
Every call is bounded: the client's own timeout per request, one retry, and an
overall deadline on the stream so a server that trickles tokens cannot hold a
caller forever. Failure to reach the server is BackendUnavailable; a server that
refuses our credentials or model name is a ConfigError.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Iterator, Sequence

import httpx
import openai
from langchain_core.messages import HumanMessage, SystemMessage

from bot.answer.types import Source
from index.errors import BackendUnavailable, ConfigError
from index.models import Turn
from prompts.loader import render

log = logging.getLogger(__name__)

MAX_SOURCE_CHARS = 2400


# "<source", "</source" (any case or spacing) inside a release would open or close a fence.
_FENCE = re.compile(r"<(?=\s*/?\s*source\b)", re.IGNORECASE)


def fenced(text: str) -> str:
    """`text` with anything that could open or close a <source> fence defused."""
    return _FENCE.sub("&lt;", text)


def format_sources(sources: Sequence[Source]) -> str:
    """Each source fenced as data: <source id="n">, its title and dates, its text, </source>."""
    blocks = []
    for s in sources:
        head = s.head
        meta = [s.published or "undated", head.issuer or "", ", ".join(head.references)]
        body = "\n".join(
            [
                f"Title: {head.title}",
                f"Published: {'; '.join(m for m in meta if m)}",
                "Text:",
                s.text()[:MAX_SOURCE_CHARS],
            ]
        )
        blocks.append(f'<source id="{s.n}">\n{fenced(body)}\n</source>')
    return "\n\n".join(blocks)


def format_history(history: Sequence[Turn], limit: int = 6) -> str:
    return "\n".join(f"{t.role}: {t.content}" for t in list(history)[-limit:])


class OpenAIGenerator:
    """Answers and condenses follow-ups with a chat model behind an OpenAI-style API."""

    name = "openai"

    def __init__(self, settings):
        from langchain_openai import ChatOpenAI

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        if not key and not settings.openai_base_url:
            raise ConfigError(
                "generator 'openai' needs POLICING_QA_OPENAI_API_KEY (hosted OpenAI) or "
                "POLICING_QA_OPENAI_BASE_URL (a local OpenAI-compatible server)"
            )
        self.timeout = float(settings.llm_timeout)
        self.where = settings.openai_base_url or "https://api.openai.com/v1"
        self.chat = ChatOpenAI(
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            # Local servers ignore the key but the client insists on one.
            api_key=key or "unused",
            timeout=self.timeout,
            max_retries=1,
            temperature=0,
        )

    def stream_answer(
        self, question: str, sources: Sequence[Source], today: dt.date | None = None
    ) -> Iterator[str]:
        """Raw answer text as the model produces it (validated by the caller)."""
        messages = [
            SystemMessage(render("answer_system")),
            HumanMessage(
                render(
                    "answer_user",
                    today=(today or dt.date.today()).isoformat(),
                    sources=format_sources(sources),
                    question=question,
                )
            ),
        ]
        # Both attempts may use the full timeout; past that the stream is cut.
        deadline = time.monotonic() + 2 * self.timeout + 1
        with self._translated():
            for chunk in self.chat.stream(messages):
                if time.monotonic() > deadline:
                    raise BackendUnavailable(
                        f"LLM server {self.where} took over {2 * self.timeout:.0f}s to answer"
                    )
                if isinstance(chunk.content, str) and chunk.content:
                    yield chunk.content

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """A standalone version of a follow-up question."""
        if not history:
            return question
        prompt = render("condense", history=format_history(history), question=question)
        with self._translated():
            reply = self.chat.invoke([HumanMessage(prompt)])
        text = reply.content if isinstance(reply.content, str) else ""
        text = text.strip().strip('"').strip()
        return text.splitlines()[0] if text else question

    def _translated(self):
        return _Translate(self.where, self.timeout)


class _Translate:
    """Turn client errors into the domain's: unreachable vs misconfigured."""

    def __init__(self, where: str, timeout: float):
        self.where, self.timeout = where, timeout

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, BackendUnavailable | ConfigError):
            return False
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            raise ConfigError(f"LLM server {self.where} refused the API key") from exc
        if isinstance(exc, openai.NotFoundError):
            raise ConfigError(f"LLM server {self.where}: model or endpoint not found") from exc
        if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
            raise BackendUnavailable(
                f"LLM server {self.where} did not answer within {self.timeout:g}s"
            ) from exc
        if isinstance(exc, openai.APIError | httpx.HTTPError):
            raise BackendUnavailable(f"LLM server {self.where} is unavailable: {exc}") from exc
        return False
