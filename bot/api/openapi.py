"""The OpenAPI document says what the server does: security only when keys are set, and
every status a route can answer.

FastAPI declares the bearer scheme on every keyed route whatever the configuration, so
an open server documented a key it never asked for; and statuses answered by the
middleware (400 for a Content-Length that is not a number, 413 for a body over the
limit) or by dependencies appeared nowhere.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

_BODY_METHODS = {"post", "put", "patch"}
_ERROR = {"$ref": "#/components/schemas/ErrorBody"}
# Statuses any route with a request body can answer before the route runs.
_BODY_STATUSES = {
    "400": "malformed request (a body that cannot be parsed, a bad Content-Length)",
    "413": "request body over the size limit",
}


def document(app: FastAPI, *, keys_required: bool) -> None:
    """Make `app.openapi()` describe this server as configured."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            _fit(schema, keys_required)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi


def _fit(schema: dict, keys_required: bool) -> None:
    components = schema.setdefault("components", {})
    has_error_body = "ErrorBody" in components.get("schemas", {})
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if not keys_required:
                operation.pop("security", None)
                responses.pop("401", None)
            if method in _BODY_METHODS:
                for code, meaning in _BODY_STATUSES.items():
                    responses.setdefault(code, _response(meaning, has_error_body))
    if not keys_required:
        components.pop("securitySchemes", None)


def _response(description: str, with_schema: bool) -> dict:
    if not with_schema:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}
