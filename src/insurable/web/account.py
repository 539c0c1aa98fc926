"""The account page: invitations to accept or decline, password change, and "log out everywhere".

Each action goes through the same API handler as ``/api/v1/me/...`` (one rule, two front ends);
the web adds the form's CSRF token and messages in the user's language.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from insurable.api import invitations
from insurable.api.deps import MAX_ID, Principal
from insurable.api.problems import ApiProblem
from insurable.api.routes import auth as api_auth
from insurable.api.routes import me as api_me
from insurable.api.schemas import PasswordChange
from insurable.store.models import Invitation, Organisation
from insurable.store.types import utcnow
from insurable.web.app_support import db, redirect
from insurable.web.i18n import Msg, _
from insurable.web.render import page
from insurable.web.session import CSRF_FIELD, check_csrf, require

router = APIRouter(include_in_schema=False)
InvitationId = Annotated[int, Path(ge=1, le=MAX_ID)]
NOTICES = {
    "password": _("Your password has been changed. Your other sessions have ended."),
    "accepted": _("Invitation accepted."),
    "declined": _("Invitation declined."),
}


def _page(request: Request, session: Session, who: Principal, error: Msg | None = None, status: int = 200) -> Response:
    rows = session.execute(
        select(Invitation, Organisation.name)
        .join(Organisation, Organisation.id == Invitation.org_id)
        .where(Invitation.email == who.user.email, Invitation.expires_at > utcnow())
        .order_by(Invitation.id)
    ).all()
    notice = NOTICES.get(request.query_params.get("done", ""))
    csrf = who.login.csrf_token if who.login else ""
    return page(
        request, "account.html", status_code=status, who=who, invitations=rows, csrf=csrf, error=error, notice=notice
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request) -> Response:
    with db(request) as session:
        return _page(request, session, require(request, session))


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request) -> Response:
    return await run_in_threadpool(_change_password, request, await _form(request))


def _change_password(request: Request, form: dict[str, str]) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, form.get(CSRF_FIELD))
        new = form.get("new_password", "")
        if new != form.get("new_password2", ""):
            return _page(request, session, who, Msg(_("The two new passwords differ.")), 422)
        try:
            body = PasswordChange(current_password=form.get("current_password", "") or " ", new_password=new)
            api_me.change_password(body, who, session)
        except ValidationError:
            return _page(request, session, who, Msg(_("Use at least 12 characters.")), 422)
        except ApiProblem as exc:
            field = exc.errors[0].field if exc.errors else ""
            if field == "current_password":
                return _page(request, session, who, Msg(_("Your current password is wrong.")), 422)
            return _page(
                request,
                session,
                who,
                Msg(_("This password is too easy to guess. Try a few unrelated words.")),
                422,
            )
    return redirect("/account?done=password")


@router.post("/account/logout-everywhere")
async def logout_everywhere(request: Request) -> Response:
    return await run_in_threadpool(_logout_everywhere, request, await _form(request))


def _logout_everywhere(request: Request, form: dict[str, str]) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, form.get(CSRF_FIELD))
        response = redirect("/login")
        api_auth.logout_everywhere(who, session, response, tokens=False)
        return response


@router.post("/account/invitations/{invitation_id}/{choice}")
async def answer_invitation(invitation_id: InvitationId, choice: str, request: Request) -> Response:
    return await run_in_threadpool(_answer, invitation_id, choice, request, await _form(request))


def _answer(invitation_id: int, choice: str, request: Request, form: dict[str, str]) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, form.get(CSRF_FIELD))
        try:
            if choice == "accept":
                invitations.accept(session, who, invitation_id)
            elif choice == "decline":
                invitations.decline(session, who, invitation_id)
            else:
                return redirect("/account")
        except ApiProblem as exc:
            session.rollback()
            message = (
                _("This invitation is for another kind of account.")
                if exc.status == 409
                else _("This invitation no longer exists.")
            )
            return _page(request, session, who, Msg(message), exc.status)
    return redirect("/account?done=accepted" if choice == "accept" else "/account?done=declined")
