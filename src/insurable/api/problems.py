"""RFC 9457 problem responses that name the field, for every client mistake.

Every error leaves the API as ``application/problem+json`` with ``type``, ``title``, ``status`` and
``detail``; validation errors add ``errors``: one ``{field, reason}`` per problem, all at once.
:data:`ERROR_RESPONSES` documents them in the OpenAPI schema for every route.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.routing import compile_path

from insurable.errors import InputError, Problem, dotted

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("insurable.api")


class FieldProblem(BaseModel):
    field: str = Field(description="dotted path of the offending field, e.g. `answers.q.mfa.email`")
    reason: str


class ProblemDetails(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str | None = None
    errors: list[FieldProblem] = Field(default_factory=list)


class ApiProblem(Exception):
    """Raise to answer with a problem response."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers


TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}

_DOCUMENTED = (400, 401, 403, 404, 409, 422, 429)
#: The error responses every route documents (all share the problem schema).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ProblemDetails, "description": TITLES[code], "content": {MEDIA_TYPE: {}}} for code in _DOCUMENTED
}


def problem_response(
    request: Request,
    status: int,
    detail: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ProblemDetails(
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors or [],
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def field_problems(problems: list[Problem]) -> list[FieldProblem]:
    return [FieldProblem(field=p.path or "(body)", reason=p.reason) for p in problems]


def _validation_field(loc: tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "path", "query", "header", "cookie"):
        parts = parts[1:]
    return dotted([p for p in parts if isinstance(p, int | str)]) or "(body)"


def allowed_methods(app: FastAPI, request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for context in iter_route_contexts(app.router.routes):
        if context.path and compile_path(context.path)[0].match(request.url.path):
            methods |= set(context.methods or ())
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    """Register the exception handlers that turn every error into a problem response."""

    @app.exception_handler(ApiProblem)
    async def _api_problem(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem_response(request, exc.status, exc.detail, exc.errors, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            reason = str(err.get("msg", "invalid"))
            if err.get("type") == "missing":
                reason = "required field is missing"
            elif err.get("type") == "extra_forbidden":
                reason = "unknown field"
            errors.append(FieldProblem(field=_validation_field(tuple(err.get("loc", ()))), reason=reason))
        malformed = any(err.get("type") == "json_invalid" for err in exc.errors())
        status = 400 if malformed else 422
        detail = "the request body is not valid JSON" if malformed else "the request has invalid fields"
        return problem_response(request, status, detail, errors)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return problem_response(request, 422, "the input has problems", field_problems(exc.problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(app, request)}
        return problem_response(request, exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(IntegrityError)
    async def _conflict(request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error: %s", exc)
        return problem_response(request, 409, "this conflicts with data that already exists")

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # A value the database refused that validation let through: still the client's input.
        log.warning("database refused a value: %s", exc)
        return problem_response(request, 422, "a value is out of range or too long for the database")

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _busy(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        return problem_response(request, 503, "the database is busy; try again", headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(request, 500, "internal error; it has been logged")
