"""The supplier's side of the supply chain (docs/suppliers.md): create an account with the link of a
request e-mail, see the requests addressed to your own e-mail, and share a summary or the full
assessment of one of your own organisations with each client, or revoke it.

A supplier sees nothing of a client's register but its own request and the requirements it must
meet; every share and revocation has an audit line in both organisations' trails.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from insurable.api.deps import DB, MAX_ID, Caller
from insurable.api.problems import ApiProblem
from insurable.api.routes.suppliers import catalogue_of
from insurable.api.security import hash_password, password_problem, token_hash
from insurable.errors import InputError, Problem
from insurable.store import repo
from insurable.store.access import NoAccess, authorise
from insurable.store.models import Assessment, Organisation, User
from insurable.store.supplier_models import SupplierRequest, SupplierRow, SupplierSettings
from insurable.store.types import utcnow
from insurable.suppliers import effective
from insurable.suppliers.model import Register, Supplier

router = APIRouter(tags=["suppliers"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: int = Field(ge=1, le=MAX_ID, description="your own organisation whose assessment you share")
    level: Literal["summary", "full"]


class SignupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=20, max_length=200)
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
    password: str = Field(min_length=12, max_length=1024)


def signup(session: Session, body: SignupIn) -> User:
    """Create the supplier's account from the one-time link of a request e-mail (the link proves the
    e-mail address). The link works once, for 14 days, and only while no account has that address."""
    found = session.scalar(select(SupplierRequest).where(SupplierRequest.signup_token_hash == token_hash(body.token)))
    if found is None or found.signup_expires_at is None or found.signup_expires_at <= utcnow():
        raise ApiProblem(404, "this sign-up link is not valid (used, expired or mistyped)")
    if repo.user_by_email(session, found.email) is not None:
        found.signup_token_hash = None
        session.commit()
        raise ApiProblem(409, "an account with this e-mail address exists: log in instead")
    weak = password_problem(body.password, email=found.email, name=body.name)
    if weak:
        raise InputError([Problem("password", weak)])
    user = User(email=found.email, name=body.name, kind="user", password_hash=hash_password(body.password))
    session.add(user)
    found.signup_token_hash, found.signup_expires_at = None, None
    session.flush()
    repo.audit(
        session,
        user,
        "user.create",
        target=f"user:{user.id}",
        detail={"kind": "user", "via_request": found.id},
        via="supplier-signup",
    )
    repo.audit(
        session,
        user,
        "supplier.signup",
        org_id=found.org_id,
        target=f"supplier:{found.supplier_id}",
        via="supplier-signup",
    )
    session.commit()
    return user


@router.post("/supplier-signup", status_code=201)
def supplier_signup(body: SignupIn, session: DB) -> dict[str, Any]:
    """Create your account with the link from a client's request e-mail (no login needed; the link is
    the proof). Then log in and answer the request under ``/me/supplier-requests``."""
    user = signup(session, body)
    return {"email": user.email, "name": user.name}


def _my_request(session: Session, email: str, request_id: int) -> SupplierRequest:
    found = session.scalar(
        select(SupplierRequest).where(SupplierRequest.id == request_id, SupplierRequest.email == email.lower())
    )
    if found is None:
        raise ApiProblem(404, "no such request")
    return found


@router.get("/me/supplier-requests")
def my_requests(request: Request, principal: Caller, session: DB) -> list[dict[str, Any]]:
    """Requests from clients addressed to your e-mail: who asks, for which service, what they require,
    and what you share. Nothing else of the client's register is shown."""
    catalogue = catalogue_of(request)
    rows = session.execute(
        select(SupplierRequest, SupplierRow, Organisation)
        .join(SupplierRow, SupplierRow.id == SupplierRequest.supplier_id)
        .join(Organisation, Organisation.id == SupplierRequest.org_id)
        .where(SupplierRequest.email == principal.user.email.lower())
        .order_by(SupplierRequest.id)
    ).all()
    out = []
    for req, row, client in rows:
        tier_id = Supplier.model_validate(row.data).tier
        own = session.get(SupplierSettings, req.org_id)
        wants = Register(client=client.name, requirements=own.requirements if own else {})
        tier = effective(catalogue, wants, tier_id)  # the client's own requirements for this tier
        out.append(
            {
                "request_id": req.id,
                "client": client.name,
                "supplier": row.name,
                "services": row.data.get("services", []),
                "tier": tier.tier,
                "required_insurance": tier.insurance.model_dump(mode="json", exclude_none=True),
                "requirements": list(tier.requirements),
                "shared_level": None if req.revoked_at else req.level,
                "shared_organisation_id": None if req.revoked_at else req.supplier_org_id,
                "revoked_at": req.revoked_at.isoformat() if req.revoked_at else None,
            }
        )
    return out


@router.put("/me/supplier-requests/{request_id}/share")
def share(request_id: Id, body: ShareIn, principal: Caller, session: DB) -> dict[str, Any]:
    """Share one of your own organisations' assessments with the client: ``summary`` (verdict, NIS2
    status, controls in place) or ``full``. You may change or revoke it at any time."""
    req = _my_request(session, principal.user.email, request_id)
    try:
        org, relation = authorise(session, principal.user, body.organisation_id, "manage")
    except NoAccess:
        raise InputError([Problem("organisation_id", "you must own the organisation you share")]) from None
    if relation != "owner" and principal.user.kind != "admin":
        raise InputError([Problem("organisation_id", "you must own the organisation you share")])
    if session.scalar(select(func.count()).select_from(Assessment).where(Assessment.org_id == org.id)) == 0:
        raise InputError([Problem("organisation_id", "submit an assessment of this organisation first")])
    req.supplier_org_id, req.level, req.answered_by = org.id, body.level, principal.user.id
    req.shared_at, req.revoked_at = utcnow(), None
    _audit_both(
        session, principal, "supplier.share", req, {"request": req.id, "level": body.level, "client": req.org_id}
    )
    session.commit()
    return {"request_id": req.id, "shared_level": req.level, "shared_organisation_id": org.id}


@router.delete("/me/supplier-requests/{request_id}/share", status_code=204)
def revoke(request_id: Id, principal: Caller, session: DB) -> None:
    """Stop sharing with this client; it sees nothing of your assessment from now on."""
    req = _my_request(session, principal.user.email, request_id)
    if req.level is None or req.revoked_at is not None:
        return
    req.revoked_at = utcnow()
    _audit_both(session, principal, "supplier.revoke", req, {"request": req.id, "client": req.org_id})
    session.commit()


def _audit_both(session: Any, principal: Any, action: str, req: Any, detail: dict[str, Any]) -> None:
    """One audit line in the supplier's trail (once it has an organisation) and one in the client's."""
    if req.supplier_org_id is not None:
        repo.audit(
            session,
            principal.user,
            action,
            org_id=req.supplier_org_id,
            target=f"request:{req.id}",
            detail=detail,
            via=principal.via,
        )
    repo.audit(
        session,
        principal.user,
        action,
        org_id=req.org_id,
        target=f"supplier:{req.supplier_id}",
        detail=detail,
        via=principal.via,
    )
