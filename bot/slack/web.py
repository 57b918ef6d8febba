"""The Slack Web API client the app posts with: retries Slack's limits, logs no message text.

Slack answers a burst with 429 and a Retry-After header, and now and then with a 5xx or
a dropped connection. The client waits and tries again (slack_sdk retry handlers) before
the caller ever sees an error: Retry-After is honoured up to a cap, other failures back off
exponentially. Bolt copies these handlers into the client each listener is given.
"""

from __future__ import annotations

import logging
import random
import time

from slack_sdk import WebClient
from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    RetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from index.settings import Settings

RATE_LIMIT_RETRIES = 3
MAX_RETRY_AFTER = 30.0  # seconds; a longer wait is cut to this (the listener thread waits)
TRANSIENT_RETRIES = 2
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})


class RateLimitRetry(RateLimitErrorRetryHandler):
    """Retry a 429 after Slack's Retry-After (capped at `cap` seconds), plus a little jitter."""

    def __init__(self, max_retry_count: int = RATE_LIMIT_RETRIES, cap: float = MAX_RETRY_AFTER):
        super().__init__(max_retry_count=max_retry_count)
        self.cap = cap

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        if response is None:
            raise error
        state.next_attempt_requested = True
        time.sleep(min(self.wait(response.headers), self.cap) + random.uniform(0, 0.25))
        state.increment_current_attempt()

    @staticmethod
    def wait(headers: dict) -> float:
        """Seconds Slack asked us to wait; 1 when the header is missing or unreadable."""
        for name, values in headers.items():
            if name.lower() == "retry-after":
                value = values[0] if isinstance(values, list) else values
                try:
                    return max(0.0, float(value))
                except (TypeError, ValueError):
                    break
        return 1.0


class TransientServerErrorRetry(ServerErrorRetryHandler):
    """Retry 500, 502, 503 and 504 with exponential back-off."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and response.status_code in TRANSIENT_STATUSES


def retry_handlers() -> list[RetryHandler]:
    """Rate limits, transient server errors and dropped connections, each retried."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return [
        RateLimitRetry(),
        TransientServerErrorRetry(max_retry_count=TRANSIENT_RETRIES, interval_calculator=backoff),
        ConnectionErrorRetryHandler(max_retry_count=TRANSIENT_RETRIES, interval_calculator=backoff),
    ]


class _NoBodies(logging.Filter):
    """slack_sdk logs whole request and response bodies (questions, answers) at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_NO_BODIES = _NoBodies()


def client_logger(log_questions: bool) -> logging.Logger:
    """slack_sdk's own logger when message text may be logged, else one without bodies."""
    if log_questions:
        return logging.getLogger("slack_sdk.web.base_client")
    logger = logging.getLogger("bot.slack.web_api")
    logger.addFilter(_NO_BODIES)  # the same filter object is added once
    return logger


def web_client(settings: Settings) -> WebClient:
    """A WebClient for the bot token that retries and keeps message text out of the logs."""
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        retry_handlers=retry_handlers(),
        logger=client_logger(settings.log_questions),
    )


def respond(response_url: str, *, log_questions: bool = False, **message) -> bool:
    """Reply through a command's or button's response_url, with the same retries.

    Bolt's own `respond` has no retry handlers: a 429 there lost the answer to `/ask`.
    Returns whether Slack took it (a failure is logged, without the message text).
    """
    hook = WebhookClient(
        response_url, retry_handlers=retry_handlers(), logger=client_logger(log_questions)
    )
    try:
        answer = hook.send(**message)
    except Exception as exc:  # a dropped connection after its retries
        logging.getLogger(__name__).error("reply to a command failed: %s", type(exc).__name__)
        return False
    if answer.status_code != 200:
        logging.getLogger(__name__).error("reply to a command refused: HTTP %s", answer.status_code)
        return False
    return True
