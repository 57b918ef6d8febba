"""Shared route dependencies: the Runtime, the API-key check and the rate limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.api.limits import rate_limit
from bot.api.runtime import Runtime
from bot.api.security import require_key


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
RequireKey = Depends(require_key)
RateLimit = Depends(rate_limit)
