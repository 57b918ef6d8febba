"""How the fetcher treats a server: it says who is asking, and waits as long as asked."""

from __future__ import annotations

import datetime as dt
import email.utils
import time


def user_agent(contact: str | None) -> str:
    """`policing-qa/<version> (+contact)`, so site operators know who is asking."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("policing-qa")
    except PackageNotFoundError:
        ours = "dev"
    return f"policing-qa/{ours}" + (f" (+{contact})" if contact else "")


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
