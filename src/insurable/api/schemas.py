"""Request and response bodies of the API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

#: No control characters (C0, DEL, C1) in names: they hide text in lists and logs (issue 13, item 16).
NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"
#: No NUL anywhere: PostgreSQL cannot store it (the InputGuard refuses it; the schema says so too).
NO_NUL = r"^[^\x00]*$"
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=3, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$"
    ),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_CONTROL)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024, pattern=NO_NUL)]
NewPassword = Annotated[str, StringConstraints(min_length=12, max_length=1024, pattern=NO_NUL)]
#: Longest text answer and longest list answer, as in the web form (issue 13, item 10).
MAX_TEXT_ANSWER = 2000
MAX_LIST_ANSWER = 100
MAX_LIST_ITEM = 200
AccountKind = Literal["user", "broker", "underwriter", "admin"]
MemberRole = Literal["owner", "member"]
QUESTION_ID = r"^q\.[a-z0-9_]+\.[a-z0-9_]+$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Body):
    email: Annotated[str, StringConstraints(max_length=254, pattern=NO_NUL)]
    password: Annotated[str, StringConstraints(max_length=1024, pattern=NO_NUL)]


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    kind: AccountKind


class UserAdminOut(UserOut):
    failed_logins: int = Field(description="failed logins since the last success, from any address")
    disabled_at: dt.datetime | None


class PasswordReset(Body):
    new_password: NewPassword


class PasswordChange(Body):
    current_password: Password
    new_password: NewPassword


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="send as the X-CSRF-Token header with every cookie-authenticated write")
    expires_at: dt.datetime


class UserIn(Body):
    email: Email
    name: Name
    password: NewPassword
    kind: AccountKind = "user"


class TokenIn(Body):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NO_CONTROL)]
    days: int | None = Field(
        default=None, ge=1, le=3650, description="lifetime in days (default 90, at most the service's maximum)"
    )
    scope: Literal["read", "write"] = Field(default="write", description="`read`: GET requests only")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scope: Literal["read", "write"]
    created_at: dt.datetime
    expires_at: dt.datetime | None
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


class RoleIn(Body):
    role: MemberRole


class MemberOut(BaseModel):
    user_id: int
    email: str | None = Field(
        description="shown to the organisation's own members; hidden from brokers and underwriters"
    )
    name: str
    role: MemberRole


class ShareIn(Body):
    email: Email


class InvitationOut(BaseModel):
    id: int
    org_id: int
    email: str
    role: Literal["owner", "member", "share"]
    created_at: dt.datetime
    expires_at: dt.datetime


class MyInvitationOut(InvitationOut):
    organisation: str = Field(description="the organisation's name")
    invited_by: str | None = Field(description="the inviter's name")


class ShareOut(BaseModel):
    user_id: int
    email: str
    name: str
    kind: AccountKind
    created_at: dt.datetime


class AnswerIn(Body):
    value: Any = Field(
        description="the answer, typed as the question requires (bool, option id, number, ...); "
        f"text at most {MAX_TEXT_ANSWER} characters, lists at most {MAX_LIST_ANSWER} items"
    )

    @field_validator("value")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        if isinstance(value, str) and len(value) > MAX_TEXT_ANSWER:
            raise ValueError(f"text answers are at most {MAX_TEXT_ANSWER} characters")
        if isinstance(value, list):
            if len(value) > MAX_LIST_ANSWER:
                raise ValueError(f"list answers have at most {MAX_LIST_ANSWER} items")
            if any(not isinstance(v, str | int | float | bool) or len(str(v)) > MAX_LIST_ITEM for v in value):
                raise ValueError(f"list items are single values of at most {MAX_LIST_ITEM} characters")
        if isinstance(value, dict):
            raise ValueError("an answer is a single value or a list, not an object")
        return value


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
    scan_id: int | None = Field(default=None, description="the stored scan whose findings were evidence (issue 16)")


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
