"""Request and response bodies of the API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
AccountKind = Literal["user", "broker", "underwriter", "admin"]
MemberRole = Literal["owner", "member"]
QUESTION_ID = r"^q\.[a-z0-9_]+\.[a-z0-9_]+$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Body):
    email: Annotated[str, StringConstraints(max_length=254)]
    password: Annotated[str, StringConstraints(max_length=1024)]


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    kind: AccountKind


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="send as the X-CSRF-Token header with every cookie-authenticated write")
    expires_at: dt.datetime


class UserIn(Body):
    email: Email
    name: Name
    password: Annotated[str, StringConstraints(min_length=12, max_length=1024)]
    kind: AccountKind = "user"


class TokenIn(Body):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="the secret; shown once, store it now")


class OrganisationIn(Body):
    name: Name


class OrganisationOut(BaseModel):
    id: int
    name: str
    relation: Literal["owner", "member", "broker", "underwriter", "admin"] | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class MemberIn(Body):
    email: Email
    role: MemberRole = "member"


class MemberOut(BaseModel):
    user_id: int
    email: str
    name: str
    role: MemberRole


class ShareIn(Body):
    email: Email


class ShareOut(BaseModel):
    user_id: int
    email: str
    name: str
    kind: AccountKind
    created_at: dt.datetime


class AnswerIn(Body):
    value: Any = Field(description="the answer, typed as the question requires (bool, option id, number, ...)")


class AnswerOut(BaseModel):
    question_id: str
    value: Any
    updated_at: dt.datetime
    updated_by: int | None


class AssessmentSummary(BaseModel):
    id: int
    submitted_at: dt.datetime
    submitted_by: int | None
    verdict: str | None
    premium_cents: int | None = Field(description="annual premium in euro cents, when the result has one")
    deductible_cents: int | None
    limit_cents: int | None
    catalog_versions: dict[str, str]
    engine_version: str


class AssessmentOut(AssessmentSummary):
    input: dict[str, Any] = Field(description="the profile and answers exactly as submitted")
    result: dict[str, Any] = Field(description="the assessment: verdict, premium, reasons, plan, NIS2, loss")


class AuditOut(BaseModel):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_email: str | None
    org_id: int | None
    action: str
    target: str
    detail: dict[str, Any]
    via: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str
