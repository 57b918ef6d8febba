"""Shared route dependencies: the Runtime and the API-key check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.api.runtime import Runtime
from bot.api.security import require_key


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
RequireKey = Depends(require_key)
