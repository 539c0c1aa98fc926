"""The audit trail: read-only, per organisation (owners, admins) and across all (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from insurable.api.deps import DB, MAX_ID, Admin, AuditOrg
from insurable.api.schemas import AuditOut
from insurable.store import repo

router = APIRouter(tags=["audit"])
After = Annotated[int, Query(ge=0, le=MAX_ID, description="return lines with an id above this")]
Limit = Annotated[int, Query(ge=1, le=1000)]


@router.get("/organisations/{org_id}/audit", response_model=list[AuditOut])
def organisation_audit(ctx: AuditOrg, after: After = 0, limit: Limit = 100) -> list[AuditOut]:
    """Who changed, submitted, shared or viewed what in this organisation, and when (oldest first)."""
    return [
        AuditOut.model_validate(e, from_attributes=True)
        for e in repo.audit_trail(ctx.session, ctx.org.id, after=after, limit=limit)
    ]


@router.get("/audit", response_model=list[AuditOut])
def global_audit(_admin: Admin, session: DB, after: After = 0, limit: Limit = 100) -> list[AuditOut]:
    """The whole trail, including logins and account changes (administrators only)."""
    return [
        AuditOut.model_validate(e, from_attributes=True)
        for e in repo.audit_trail(session, None, after=after, limit=limit)
    ]
