"""Sharing from the web app (issue 12, item 9): an owner offers the organisation to a broker or
underwriter, sees who has it and who is invited, and revokes or withdraws, all from the overview.

The work is the API's own (``invitations.invite``/``withdraw``, the share row, the audit trail), so
the web and the API cannot disagree about who may see what.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from insurable.api import invitations
from insurable.api.deps import MAX_ID
from insurable.api.problems import ApiProblem
from insurable.api.schemas import ShareIn
from insurable.store import repo
from insurable.web.app_support import db, redirect
from insurable.web.i18n import Msg, _
from insurable.web.session import CSRF_FIELD, WebError, WebOrg, can, check_csrf, org_for, require

router = APIRouter(include_in_schema=False)
OrgId = Annotated[int, Path(ge=1, le=MAX_ID)]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]

#: The outcome shown on the overview after a share action (``?shared=...``).
NOTICES: dict[str, str] = {
    "invited": _("Invitation sent. Access starts when they accept it on their account page."),
    "revoked": _("Access revoked. They no longer see this organisation."),
    "withdrawn": _("Invitation withdrawn."),
    "bad_email": _("Enter a valid e-mail address."),
    "too_many": _("Too many open invitations; withdraw some first."),
}


def _lists(form: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


def sharing_view(ctx: WebOrg) -> dict[str, Any] | None:
    """Shares and open invitations of the organisation, for the overview; ``None`` unless you manage it."""
    if not can(ctx.relation, "manage"):
        return None
    from insurable.web.results import _api_context

    return {
        "shares": list(repo.shares(ctx.session, ctx.org)),
        "invitations": invitations.pending(_api_context(ctx)),
    }


def notice(code: str | None) -> Msg | None:
    return Msg(NOTICES[code]) if code in NOTICES else None


@router.post("/orgs/{org_id}/shares")
async def share(org_id: OrgId, request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_share, org_id, request, _lists(form))


def _share(org_id: int, request: Request, form: dict[str, list[str]]) -> Response:
    from insurable.web.results import _api_context

    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, (form.get(CSRF_FIELD) or [""])[-1])
        ctx = org_for(session, who, org_id, "manage")
        try:
            body = ShareIn(email=(form.get("email") or [""])[-1].strip()[:254])
        except ValidationError:
            return redirect(f"/orgs/{org_id}?shared=bad_email#h-sharing")
        try:
            invitations.invite(_api_context(ctx), body.email, "share")
        except ApiProblem as exc:
            if exc.status == 409:
                return redirect(f"/orgs/{org_id}?shared=too_many#h-sharing")
            raise WebError(exc.status, "forbidden") from exc
        return redirect(f"/orgs/{org_id}?shared=invited#h-sharing")


@router.post("/orgs/{org_id}/shares/{user_id}/revoke")
async def revoke(org_id: OrgId, user_id: ItemId, request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_revoke, org_id, user_id, request, _lists(form))


def _revoke(org_id: int, user_id: int, request: Request, form: dict[str, list[str]]) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, (form.get(CSRF_FIELD) or [""])[-1])
        ctx = org_for(session, who, org_id, "manage")
        found = repo.share(session, ctx.org, user_id)
        if found is None:
            raise WebError(404, "not_found")
        session.delete(found)
        repo.audit(session, who.user, "share.revoke", org_id=org_id, target=f"user:{user_id}", via="web")
        session.commit()
        return redirect(f"/orgs/{org_id}?shared=revoked#h-sharing")


@router.post("/orgs/{org_id}/invitations/{invitation_id}/withdraw")
async def withdraw(org_id: OrgId, invitation_id: ItemId, request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_withdraw, org_id, invitation_id, request, _lists(form))


def _withdraw(org_id: int, invitation_id: int, request: Request, form: dict[str, list[str]]) -> Response:
    from insurable.web.results import _api_context

    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, (form.get(CSRF_FIELD) or [""])[-1])
        ctx = org_for(session, who, org_id, "manage")
        try:
            invitations.withdraw(_api_context(ctx), invitation_id)
        except ApiProblem as exc:
            raise WebError(404, "not_found") from exc
        return redirect(f"/orgs/{org_id}?shared=withdrawn#h-sharing")
