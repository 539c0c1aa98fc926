"""Organisations, their profile, members and shares with brokers and underwriters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path

from insurable.api import invitations
from insurable.api.deps import DB, MAX_ID, Caller, EditOrg, ManageOrg, OrgContext, ReadOrg
from insurable.api.links import ORGANISATION_CREATED
from insurable.api.problems import ApiProblem, FieldProblem, field_problems
from insurable.api.schemas import (
    InvitationOut,
    MemberIn,
    MemberOut,
    OrganisationIn,
    OrganisationOut,
    ShareIn,
    ShareOut,
)
from insurable.errors import InputError
from insurable.profile import Organisation as Profile
from insurable.profile import parse_organisation, stored_organisation
from insurable.store import repo
from insurable.store.access import relation, visible_organisations
from insurable.store.db import begin_write
from insurable.store.models import Organisation

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


@router.post("", response_model=OrganisationOut, status_code=201, responses=ORGANISATION_CREATED)
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


#: Longest text in a profile field, as in the web form (issue 13, item 10).
MAX_PROFILE_TEXT = 200


def _text_problems(value: Any, path: str) -> list[FieldProblem]:
    if isinstance(value, str):
        if len(value) > MAX_PROFILE_TEXT:
            return [FieldProblem(field=path, reason=f"at most {MAX_PROFILE_TEXT} characters")]
        if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
            return [FieldProblem(field=path, reason="control characters are not allowed")]
        return []
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _text_problems(v, f"{path}.{i}")]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _text_problems(v, f"{path}.{k}")]
    return []


def _store_profile(ctx: OrgContext, profile: Profile, detail: dict[str, Any]) -> Profile:
    stored = profile.model_dump(mode="json", exclude={"answers"}, exclude_defaults=True)
    too_long = [p for k, v in stored.items() for p in _text_problems(v, k)]
    if too_long:
        raise ApiProblem(422, "the profile has invalid fields", too_long)
    ctx.org.profile = stored
    detail = {**detail, "profile": stored}
    if profile.name:
        ctx.org.name = profile.name
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
    begin_write(ctx.session)  # SQLite: the merge reads and writes in one write transaction
    ctx.session.refresh(ctx.org, with_for_update=True)  # PostgreSQL: lock the row for the merge
    merged = {k: v for k, v in {**ctx.org.profile, **body}.items() if v is not None}
    try:
        profile = parse_organisation(merged)
    except InputError as exc:
        raise ApiProblem(422, "the profile has invalid fields", field_problems(exc.problems)) from exc
    return _store_profile(ctx, profile, {"changed": body})


@router.get("/{org_id}/members", response_model=list[MemberOut])
def list_members(ctx: ReadOrg) -> list[MemberOut]:
    """Members and their roles; e-mail addresses only for the organisation's own members (and admins)."""
    insider = ctx.relation in ("owner", "member", "admin")
    rows = repo.members(ctx.session, ctx.org)
    _viewed(ctx, "members.view", "members")
    return [MemberOut(user_id=u.id, email=u.email if insider else None, name=u.name, role=m.role) for m, u in rows]


@router.post("/{org_id}/members", response_model=InvitationOut, status_code=202)
def invite_member(body: MemberIn, ctx: ManageOrg) -> InvitationOut:
    """Invite an e-mail address as owner or member; it joins when the invitee accepts.

    The answer is the same whether or not an account with this address exists.
    """
    return invitations.invite(ctx, body.email, body.role)


@router.get("/{org_id}/invitations", response_model=list[InvitationOut])
def list_invitations(ctx: ManageOrg) -> list[InvitationOut]:
    """Open invitations (members and shares) of this organisation."""
    return invitations.pending(ctx)


@router.delete("/{org_id}/invitations/{invitation_id}", status_code=204)
def withdraw_invitation(invitation_id: UserId, ctx: ManageOrg) -> None:
    """Withdraw an open invitation."""
    invitations.withdraw(ctx, invitation_id)


@router.delete("/{org_id}/members/{user_id}", status_code=204)
def remove_member(user_id: UserId, ctx: ManageOrg) -> None:
    """Remove a member (or yourself); the last owner cannot be removed.

    The organisation's row is locked first (``FOR UPDATE`` on PostgreSQL, the write lock on
    SQLite), so two owners removing each other at once cannot leave it without an owner.
    """
    begin_write(ctx.session)
    ctx.session.refresh(ctx.org, with_for_update=True)
    existing = repo.membership(ctx.session, ctx.org, user_id)
    if existing is None:
        raise ApiProblem(404, "no such member")
    if existing.role == "owner":
        owners = [m for m, _ in repo.members(ctx.session, ctx.org) if m.role == "owner"]
        if len(owners) <= 1:
            raise ApiProblem(409, "an organisation keeps at least one owner")
    ctx.session.delete(existing)
    ctx.audit("member.remove", target=f"user:{user_id}")
    ctx.session.commit()


@router.get("/{org_id}/shares", response_model=list[ShareOut])
def list_shares(ctx: ReadOrg) -> list[ShareOut]:
    """Brokers and underwriters this organisation is shared with (a broker or underwriter sees only
    their own share)."""
    rows = [
        (s, u)
        for s, u in repo.shares(ctx.session, ctx.org)
        if ctx.relation not in ("broker", "underwriter") or u.id == ctx.user.id
    ]
    _viewed(ctx, "shares.view", "shares")
    return [ShareOut(user_id=u.id, email=u.email, name=u.name, kind=u.kind, created_at=s.created_at) for s, u in rows]


@router.post("/{org_id}/shares", response_model=InvitationOut, status_code=202)
def share(body: ShareIn, ctx: ManageOrg) -> InvitationOut:
    """Offer this organisation to a broker (read, edit, submit) or an underwriter (read).

    The share starts when they accept; the answer is the same whether or not such an account exists.
    """
    return invitations.invite(ctx, body.email, "share")


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
