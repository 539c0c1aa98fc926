"""An ASGI middleware that refuses request bodies no database can store, before any route runs.

JSON may carry NUL characters, lone UTF-16 surrogates and non-finite numbers (``NaN``, ``1e999``)
that Python parses happily but PostgreSQL (and UTF-8) reject; left alone they would surface as a
500 deep in a transaction. They are refused here with a 400 problem, as are bodies over the limit.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from insurable.api.problems import problem_response


def unstorable(value: Any, depth: int = 0) -> str | None:
    """Why a parsed JSON value cannot be stored, or ``None``."""
    if depth > 64:
        return "the JSON is nested too deeply"
    if isinstance(value, str):
        if "\x00" in value:
            return "text may not contain NUL characters"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "text must be valid Unicode (no lone surrogates)"
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "numbers must be finite"
    if isinstance(value, list):
        return next((r for v in value if (r := unstorable(v, depth + 1))), None)
    if isinstance(value, dict):
        for key, item in value.items():
            reason = unstorable(key, depth + 1) or unstorable(item, depth + 1)
            if reason:
                return reason
    return None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


class InputGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            await problem_response(request, 400, "the address contains a NUL character")(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await problem_response(request, 413, "the request body is too large")(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        reason = self._check(body, request.headers.get("content-type", ""))
        if reason:
            await problem_response(request, 400, reason)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _check(body: bytes, content_type: str) -> str | None:
        if not body or "json" not in content_type:
            return None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return "the request body is not UTF-8"
        try:
            parsed = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            return None  # malformed JSON: FastAPI answers 400 naming the position
        return unstorable(parsed)
