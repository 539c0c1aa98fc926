"""Organisations, their profile, members and shares with brokers and underwriters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path

from insurable.api.deps import DB, MAX_ID, Caller, EditOrg, ManageOrg, OrgContext, ReadOrg
from insurable.api.problems import ApiProblem, FieldProblem, field_problems
from insurable.api.schemas import MemberIn, MemberOut, OrganisationIn, OrganisationOut, ShareIn, ShareOut
from insurable.errors import InputError
from insurable.profile import Organisation as Profile
from insurable.profile import parse_organisation, stored_organisation
from insurable.store import repo
from insurable.store.access import relation, visible_organisations
from insurable.store.models import Membership, Organisation, Share

router = APIRouter(prefix="/organisations", tags=["organisations"])
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _out(org: Organisation, found: str | None) -> OrganisationOut:
    return OrganisationOut(
        id=org.id,
        name=org.name,
        relation=found,
        created_at=org.created_at,
        updated_at=org.updated_at,
    )


@router.get("", response_model=list[OrganisationOut])
def list_organisations(principal: Caller, session: DB) -> list[OrganisationOut]:
    """The organisations you are a member of, or that were shared with you (all, for an admin)."""
    return [_out(o, relation(session, principal.user, o.id)) for o in visible_organisations(session, principal.user)]


@router.post("", response_model=OrganisationOut, status_code=201)
def create_organisation(body: OrganisationIn, principal: Caller, session: DB) -> OrganisationOut:
    """Create an organisation; you become its owner. Brokers and underwriters cannot create one."""
    if principal.user.kind not in ("user", "admin"):
        raise ApiProblem(403, "brokers and underwriters work on organisations shared with them")
    org = repo.create_organisation(session, principal.user, body.name, {"name": body.name})
    repo.audit(session, principal.user, "organisation.create", org_id=org.id, target=f"org:{org.id}", via=principal.via)
    session.commit()
    return _out(org, "owner")


@router.get("/{org_id}", response_model=OrganisationOut)
def get_organisation(ctx: ReadOrg) -> OrganisationOut:
    return _out(ctx.org, ctx.relation)


@router.get("/{org_id}/profile", response_model=Profile)
def get_profile(ctx: ReadOrg) -> Profile:
    """The profile fields (without the answers, which live at /answers)."""
    _viewed(ctx, "profile.view", "profile")
    return stored_organisation(ctx.org.profile)  # a profile stored before the input bounds still reads


@router.put("/{org_id}/profile", response_model=Profile)
def put_profile(body: Profile, ctx: EditOrg) -> Profile:
    """Replace the profile as a whole, in one transaction (see docs/profile.md for the fields)."""
    if body.answers:
        raise ApiProblem(
            422,
            "answers are saved one at a time",
            [FieldProblem(field="answers", reason="save each answer at /answers/{question_id}")],
        )
    try:  # as written by a person: also refuse money such as 7.2 that looks like Dutch thousands
        body = parse_organisation(body.model_dump(exclude_unset=True))
    except InputError as exc:
        raise ApiProblem(422, "the profile has invalid fields", field_problems(exc.problems)) from exc
    return _store_profile(ctx, body, {"profile": "replaced"})


def _store_profile(ctx: OrgContext, profile: Profile, detail: dict[str, Any]) -> Profile:
    stored = profile.model_dump(mode="json", exclude={"answers"}, exclude_defaults=True)
    ctx.org.profile = stored
    detail = {**detail, "profile": stored}
    if profile.name:
        ctx.org.name = profile.name[:200]  # the listing name; the profile keeps it whole
    repo.touch(ctx.org)
    ctx.audit("profile.update", target="profile", detail=detail)
    ctx.session.commit()
    return Profile.model_validate(stored)


@router.patch("/{org_id}/profile", response_model=Profile)
def patch_profile(
    body: Annotated[dict[str, Any], Body(description="fields to change; null removes a field (RFC 7396)")],
    ctx: EditOrg,
) -> Profile:
    """Change some profile fields, keeping the others, even when colleagues edit other fields at once."""
    if "answers" in body:
        raise ApiProblem(
            422,
            "answers are saved one at a time",
            [FieldProblem(field="answers", reason="save each answer at /answers/{question_id}")],
        )
    ctx.session.refresh(ctx.org, with_for_update=True)  # PostgreSQL: lock the row for the merge
    merged = {k: v for k, v in {**ctx.org.profile, **body}.items() if v is not None}
    try:
        profile = parse_organisation(merged)
    except InputError as exc:
        raise ApiProblem(422, "the profile has invalid fields", field_problems(exc.problems)) from exc
    return _store_profile(ctx, profile, {"changed": body})


@router.get("/{org_id}/members", response_model=list[MemberOut])
def list_members(ctx: ReadOrg) -> list[MemberOut]:
    return [
        MemberOut(user_id=u.id, email=u.email, name=u.name, role=m.role) for m, u in repo.members(ctx.session, ctx.org)
    ]


@router.post("/{org_id}/members", response_model=MemberOut, status_code=201)
def add_member(body: MemberIn, ctx: ManageOrg) -> MemberOut:
    """Add an existing account (kind ``user``) as owner or member, or change its role."""
    user = repo.user_by_email(ctx.session, body.email)
    if user is None or user.kind != "user":
        raise ApiProblem(
            422, "no member account with this e-mail", [FieldProblem(field="email", reason="unknown user account")]
        )
    existing = repo.membership(ctx.session, ctx.org, user.id)
    if existing is None:
        ctx.session.add(Membership(org_id=ctx.org.id, user_id=user.id, role=body.role))
    else:
        _keep_an_owner(ctx, existing, body.role)
        existing.role = body.role
    ctx.audit("member.add", target=f"user:{user.id}", detail={"role": body.role})
    ctx.session.commit()
    return MemberOut(user_id=user.id, email=user.email, name=user.name, role=body.role)


@router.delete("/{org_id}/members/{user_id}", status_code=204)
def remove_member(user_id: UserId, ctx: ManageOrg) -> None:
    existing = repo.membership(ctx.session, ctx.org, user_id)
    if existing is None:
        raise ApiProblem(404, "no such member")
    _keep_an_owner(ctx, existing, None)
    ctx.session.delete(existing)
    ctx.audit("member.remove", target=f"user:{user_id}")
    ctx.session.commit()


def _keep_an_owner(ctx: OrgContext, changing: Membership, new_role: str | None) -> None:
    if changing.role != "owner" or new_role == "owner":
        return
    owners = [m for m, _ in repo.members(ctx.session, ctx.org) if m.role == "owner"]
    if len(owners) <= 1:
        raise ApiProblem(409, "an organisation keeps at least one owner")


@router.get("/{org_id}/shares", response_model=list[ShareOut])
def list_shares(ctx: ReadOrg) -> list[ShareOut]:
    """Brokers and underwriters this organisation is shared with."""
    return [
        ShareOut(user_id=u.id, email=u.email, name=u.name, kind=u.kind, created_at=s.created_at)
        for s, u in repo.shares(ctx.session, ctx.org)
    ]


@router.post("/{org_id}/shares", response_model=ShareOut, status_code=201)
def add_share(body: ShareIn, ctx: ManageOrg) -> ShareOut:
    """Share this organisation with a broker (read, edit, submit) or an underwriter (read)."""
    user = repo.user_by_email(ctx.session, body.email)
    if user is None or user.kind not in ("broker", "underwriter"):
        raise ApiProblem(
            422,
            "no broker or underwriter with this e-mail",
            [FieldProblem(field="email", reason="unknown broker or underwriter")],
        )
    found = repo.share(ctx.session, ctx.org, user.id)
    if found is None:
        found = Share(org_id=ctx.org.id, user_id=user.id, granted_by=ctx.user.id)
        ctx.session.add(found)
        ctx.audit("share.grant", target=f"user:{user.id}", detail={"kind": user.kind})
        ctx.session.commit()
    return ShareOut(user_id=user.id, email=user.email, name=user.name, kind=user.kind, created_at=found.created_at)


@router.delete("/{org_id}/shares/{user_id}", status_code=204)
def revoke_share(user_id: UserId, ctx: ManageOrg) -> None:
    """Revoke a share; the broker or underwriter loses access at once."""
    found = repo.share(ctx.session, ctx.org, user_id)
    if found is None:
        raise ApiProblem(404, "no such share")
    ctx.session.delete(found)
    ctx.audit("share.revoke", target=f"user:{user_id}")
    ctx.session.commit()


def _viewed(ctx: OrgContext, action: str, target: str) -> None:
    ctx.audit(action, target=target)
    ctx.session.commit()
