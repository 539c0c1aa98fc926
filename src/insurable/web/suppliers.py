"""Web pages of the supplier chain (docs/suppliers.md): the client's dashboard of suppliers with
status, reasons, concentration and the alerts not yet sent; the supplier's own requests with the
choice to share a summary or the full assessment, or to revoke.

Every action calls the same handler as ``/api/v1`` (one rule, two front ends); the web adds the
form's CSRF token and the user's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from insurable.amounts import parse_amount
from insurable.api.deps import MAX_ID, OrgContext, Principal
from insurable.api.problems import ApiProblem
from insurable.api.routes import supplier_requests as supplier_side
from insurable.api.routes import suppliers as api
from insurable.catalog.supplier_requirements import TIERS
from insurable.errors import InputError
from insurable.store.models import Membership, Organisation
from insurable.store.supplier_models import SupplierSettings
from insurable.suppliers import alerts, concentrations, effective, insurance_clauses
from insurable.suppliers.model import Register
from insurable.web.app_support import db, redirect
from insurable.web.i18n import Msg, _, pick_lang
from insurable.web.render import page
from insurable.web.session import CSRF_FIELD, check_csrf, org_for, require

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
NOTICES = {
    "requested": _("The request has been recorded and e-mailed when e-mail is configured."),
    "alerts": _("Alerts checked; new ones were e-mailed to the alert recipients when e-mail is configured."),
    "shared": _("Shared. The client sees it from now on."),
    "revoked": _("Revoked. The client sees nothing of your assessment from now on."),
    "saved": _("Your requirements have been saved."),
    "imported": _("The suppliers in the file have been added or updated."),
}


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.get("/orgs/{org_id}/suppliers", response_class=HTMLResponse)
def dashboard(org_id: Id, request: Request) -> Response:
    """The client's suppliers, worst first, with the reasons and the alerts not yet sent."""
    with db(request) as session:
        who = require(request, session)
        web = org_for(session, who, org_id, "read", viewing="suppliers.view", target="suppliers")
        return _dashboard(request, session, who, web.org, web.relation in api.MANAGERS)


def _dashboard(
    request: Request,
    session: Session,
    who: Principal,
    org: Organisation,
    manage: bool,
    problems: list[str] | None = None,
) -> Response:
    today = dt.datetime.now(dt.UTC).date()
    register, rows, statuses = api.statuses_for(request, session, org, today)
    settings = session.get(SupplierSettings, org.id)
    pending = alerts(settings.alert_state if settings and settings.alert_state else None, statuses)
    return page(
        request,
        "suppliers.html",
        status_code=422 if problems else 200,
        ctx={"org": org},
        today=today,
        statuses=statuses,
        rows=rows,
        pending=pending,
        groups=concentrations(register.suppliers, names=api.names_of(request)),
        manage=manage,
        csrf=who.login.csrf_token if who.login else "",
        notice=NOTICES.get(request.query_params.get("done", "")),
        email_error=request.query_params.get("error") == "email",
        problems=problems or [],
    )


@router.post("/orgs/{org_id}/suppliers/import", response_class=HTMLResponse)
async def import_file(org_id: Id, request: Request) -> Response:
    """Add or update suppliers from an uploaded CSV or XLSX file (the register columns)."""
    form = await request.form()
    try:
        upload = form.get("file")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        name = (upload.filename or "") if isinstance(upload, UploadFile) else ""
        csrf = form.get(CSRF_FIELD)
    finally:
        await form.close()
    return await run_in_threadpool(_import_file, org_id, request, data, name, csrf if isinstance(csrf, str) else None)


def _import_file(org_id: int, request: Request, data: bytes, name: str, csrf: str | None) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, csrf)
        web = org_for(session, who, org_id, "edit")
        kind = api.XLSX if name.lower().endswith(".xlsx") else "text/csv"
        try:
            api.import_rows(data, kind, OrgContext(session, who, web.org, web.relation))
        except InputError as exc:
            session.rollback()
            return _dashboard(request, session, who, web.org, True, [str(p) for p in exc.problems[:50]])
    return redirect(f"/orgs/{org_id}/suppliers?done=imported")


@router.get("/orgs/{org_id}/suppliers/requirements", response_class=HTMLResponse)
def requirements(org_id: Id, request: Request) -> Response:
    """The requirements per tier for this client (catalogue defaults under its own amounts) and the
    contract clauses in the page's language; owners and members change the amounts here."""
    with db(request) as session:
        who = require(request, session)
        ctx = org_for(session, who, org_id, "read", viewing="suppliers.requirements", target="supplier-settings")
        return _requirements_page(request, session, who, ctx.org, ctx.relation in api.MANAGERS)


def _requirements_page(
    request: Request, session: Session, who: Principal, org: Organisation, manage: bool, error: Msg | None = None
) -> Response:
    catalogue = api.catalogue_of(request)
    own = session.get(SupplierSettings, org.id)
    register = Register(client=org.name, requirements=own.requirements if own else {})
    lang = pick_lang(request)
    tiers = []
    for tier in catalogue.tiers:
        eff = effective(catalogue, register, tier.id)
        clauses = insurance_clauses(catalogue, eff, lang) + [
            catalogue.requirement(r).clause.get(lang) for r in eff.requirements
        ]
        tiers.append((tier, eff, clauses))
    return page(
        request,
        "supplier_requirements.html",
        status_code=422 if error else 200,
        org=org,
        tiers=tiers,
        manage=manage,
        error=error,
        csrf=who.login.csrf_token if who.login else "",
        notice=NOTICES.get(request.query_params.get("done", "")),
    )


@router.post("/orgs/{org_id}/suppliers/requirements")
async def save_requirements(org_id: Id, request: Request) -> Response:
    return await run_in_threadpool(_save_requirements, org_id, request, await _form(request))


def _save_requirements(org_id: int, request: Request, form: dict[str, str]) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, form.get(CSRF_FIELD))
        web = org_for(session, who, org_id, "edit")
        ctx = OrgContext(session, who, web.org, web.relation)
        current = api.read_settings(ctx)
        merged: dict[str, dict[str, object]] = {k: dict(v) for k, v in current["requirements"].items()}
        for tier in TIERS:
            amounts: dict[str, float] = {}
            for field in ("cyber_limit_eur", "pi_limit_eur", "do_limit_eur", "max_deductible_eur"):
                raw = form.get(f"{tier}.{field}", "").strip()
                if raw:
                    try:
                        amounts[field] = float(parse_amount(raw, "nl" if pick_lang(request) == "nl" else "en"))
                    except ValueError:
                        return _requirements_page(
                            request, session, who, web.org, True, Msg(_("Amounts are euros, e.g. 2500000 or 2,5 mln."))
                        )
            own = merged.setdefault(tier, {})
            own.pop("insurance", None)
            if amounts:
                own["insurance"] = amounts
            if not own:
                merged.pop(tier)
        try:
            body = api.SettingsIn.model_validate({**current, "requirements": merged})
        except ValidationError:
            return _requirements_page(request, session, who, web.org, True, Msg(_("Limits must be above zero.")))
        api.write_settings(body, ctx)
    return redirect(f"/orgs/{org_id}/suppliers/requirements?done=saved")


@router.post("/orgs/{org_id}/suppliers/alerts")
async def run_alerts(org_id: Id, request: Request) -> Response:
    return await run_in_threadpool(_run_alerts, org_id, request, await _form(request))


def _run_alerts(org_id: int, request: Request, form: dict[str, str]) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, form.get(CSRF_FIELD))
        web = org_for(session, who, org_id, "edit")
        api.run_alerts(request, OrgContext(session, who, web.org, web.relation))
    return redirect(f"/orgs/{org_id}/suppliers?done=alerts")


@router.post("/orgs/{org_id}/suppliers/{supplier_id}/request")
async def request_supplier(org_id: Id, supplier_id: Id, request: Request) -> Response:
    return await run_in_threadpool(_request, org_id, supplier_id, request, await _form(request))


def _request(org_id: int, supplier_id: int, request: Request, form: dict[str, str]) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, form.get(CSRF_FIELD))
        web = org_for(session, who, org_id, "edit")
        try:
            body = api.RequestIn(email=form.get("email", ""))
        except ValidationError:
            return redirect(f"/orgs/{org_id}/suppliers?error=email")
        api.request_supplier(supplier_id, body, request, OrgContext(session, who, web.org, web.relation))
    return redirect(f"/orgs/{org_id}/suppliers?done=requested")


@router.get("/supplier-requests", response_class=HTMLResponse)
def my_requests(request: Request) -> Response:
    """The supplier's side: requests addressed to your e-mail, and what you share with each client."""
    with db(request) as session:
        who = require(request, session)
        return _requests_page(request, session, who)


def _requests_page(
    request: Request, session: Session, who: Principal, error: Msg | None = None, status: int = 200
) -> Response:
    found = supplier_side.my_requests(request, who, session)
    own = session.scalars(
        select(Organisation)
        .join(Membership, Membership.org_id == Organisation.id)
        .where(Membership.user_id == who.user.id, Membership.role == "owner")
        .order_by(Organisation.name)
    ).all()
    return page(
        request,
        "supplier_requests.html",
        status_code=status,
        requests=found,
        own=own,
        csrf=who.login.csrf_token if who.login else "",
        error=error,
        notice=NOTICES.get(request.query_params.get("done", "")),
    )


@router.post("/supplier-requests/{request_id}/{choice}")
async def answer(request_id: Id, choice: str, request: Request) -> Response:
    return await run_in_threadpool(_answer, request_id, choice, request, await _form(request))


def _answer(request_id: int, choice: str, request: Request, form: dict[str, str]) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, form.get(CSRF_FIELD))
        try:
            if choice == "share":
                body = supplier_side.ShareIn.model_validate(
                    {"organisation_id": int(form.get("organisation_id") or 0), "level": form.get("level", "")}
                )
                supplier_side.share(request_id, body, who, session)
            elif choice == "revoke":
                supplier_side.revoke(request_id, who, session)
            else:
                raise ApiProblem(404, "no such action")
        except (ValidationError, ValueError):
            return _requests_page(
                request, session, who, Msg(_("Choose one of your organisations and what to share.")), 422
            )
        except InputError as exc:
            return _requests_page(request, session, who, Msg(exc.problems[0].reason), 422)
        except ApiProblem as exc:
            if exc.status == 404:
                from insurable.web.session import WebError

                raise WebError(404, "not_found") from exc
            raise
    return redirect(f"/supplier-requests?done={'shared' if choice == 'share' else 'revoked'}")


@router.get("/supplier-signup", response_class=HTMLResponse)
def signup_form(request: Request, token: str = "") -> Response:
    """Create the supplier's account from the link in a client's request e-mail."""
    return page(request, "supplier_signup.html", token=token[:200], error=None)


@router.post("/supplier-signup", response_class=HTMLResponse)
async def signup(request: Request) -> Response:
    return await run_in_threadpool(_signup, request, await _form(request))


def _signup(request: Request, form: dict[str, str]) -> Response:
    token = form.get("token", "")[:200]
    if form.get("password", "") != form.get("password2", ""):
        return page(request, "supplier_signup.html", 422, token=token, error=Msg(_("The two passwords differ.")))
    with db(request) as session:
        try:
            body = supplier_side.SignupIn(
                token=token or "-" * 20, name=form.get("name", "").strip(), password=form.get("password", "")
            )
            supplier_side.signup(session, body)
        except ValidationError:
            error = Msg(_("Fill in your name and a password of at least 12 characters."))
            return page(request, "supplier_signup.html", 422, token=token, error=error)
        except InputError:
            error = Msg(_("This password is too easy to guess. Try a few unrelated words."))
            return page(request, "supplier_signup.html", 422, token=token, error=error)
        except ApiProblem as exc:
            if exc.status == 409:
                return redirect("/login?next=/supplier-requests")
            error = Msg(_("This sign-up link is not valid: it was used, it expired, or it was copied incompletely."))
            return page(request, "supplier_signup.html", 404, token="", error=error)
    return redirect("/login?next=/supplier-requests")
