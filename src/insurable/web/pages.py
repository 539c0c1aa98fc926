"""Web pages: login, language, the organisation list, the profile and the questionnaire.

Each route reads the form (async), then does its database work in the thread pool. Writes check
the session's CSRF token and go through the service's repositories and audit trail.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from insurable.api.deps import MAX_ID
from insurable.api.problems import ApiProblem
from insurable.api.routes import auth as api_auth
from insurable.api.schemas import LoginIn
from insurable.api.security import same
from insurable.store import repo
from insurable.store.access import relation, visible_organisations
from insurable.store.db import begin_write
from insurable.text import LANGS
from insurable.web import book, engine_messages, forms, nis2_form, scan_targets_form, sharing
from insurable.web.app_support import catalog, db, local, redirect
from insurable.web.i18n import LANG_COOKIE, Msg, _, pick_lang
from insurable.web.render import page
from insurable.web.session import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    WebError,
    can,
    check_csrf,
    new_login_csrf,
    org_for,
    principal,
    require,
)

router = APIRouter(include_in_schema=False)
OrgId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _lists(form: FormData) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


# --- login, logout, language ----------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    with db(request) as session:
        if principal(request, session) is not None:
            return redirect(local(next))
    token = new_login_csrf()
    response = page(request, "login.html", next=local(next), login_csrf=token, error=None, email="")
    _login_cookie(request, response, token)
    return response


def _login_cookie(request: Request, response: Response, token: str) -> None:
    """The login form's double-submit cookie, ``Secure`` whenever the session cookie would be."""
    secure = api_auth.secure_cookies(request, request.app.state.settings)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login", secure=secure)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_login, request, _lists(form))


def _login(request: Request, form: dict[str, list[str]]) -> Response:
    email = (form.get("email") or [""])[-1].strip()[:254]
    password = (form.get("password") or [""])[-1][:1024]
    target = local((form.get("next") or ["/"])[-1])
    sent = (form.get("login_csrf") or [""])[-1]
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    token = new_login_csrf()

    def again(error: Msg, status: int) -> Response:
        response = page(
            request, "login.html", status_code=status, next=target, login_csrf=token, error=error, email=email
        )
        _login_cookie(request, response, token)
        return response

    if not sent or not same(sent, cookie):
        return again(Msg(_("The form expired. Please log in again.")), 403)
    if not email or not password:
        return again(Msg(_("Enter your e-mail address and password.")), 422)
    carrier = Response()
    with db(request) as session:
        try:
            api_auth.login(LoginIn(email=email, password=password), request, carrier, session)
        except ApiProblem as exc:
            if exc.status == 429:
                return again(Msg(_("Too many login attempts. Wait a minute and try again.")), 429)
            return again(Msg(_("Wrong e-mail address or password, or the account is locked for a while.")), 401)
    response = redirect(target)
    for key, value in carrier.raw_headers:
        if key.lower() == b"set-cookie":
            response.raw_headers.append((key, value))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_logout, request, _lists(form))


def _logout(request: Request, form: dict[str, list[str]]) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, (form.get(CSRF_FIELD) or [""])[-1])
        response = redirect("/login")
        api_auth.logout(who, session, response)
        return response


@router.get("/lang/{code}")
def set_language(code: str, next: str = "/") -> Response:
    """Switch the interface language (a plain link, so it works without JavaScript); kept a year."""
    response = redirect(local(next))
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response


# --- organisations --------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """Your organisations (for a broker or underwriter: those shared with you) with status and verdict."""
    cat = catalog(request)
    with db(request) as session:
        who = require(request, session)
        rows = []
        for org in visible_organisations(session, who.user):
            answers = {a.question_id: a.value for a in repo.answers(session, org)}
            latest = repo.assessments(session, org, limit=1)
            rows.append(
                {
                    "org": org,
                    "relation": relation(session, who.user, org.id),
                    "progress": forms.progress(cat, org.profile, answers),
                    "latest": latest[0] if latest else None,
                    **book.book_row(latest[0] if latest else None, answers),
                }
            )
        invited = repo.open_invitations(session, who.user.email)
        csrf = who.login.csrf_token if who.login else ""
        return page(request, "home.html", who=who, rows=rows, csrf=csrf, invited=invited)


@router.post("/orgs")
async def create_org(request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_create_org, request, _lists(form))


def _create_org(request: Request, form: dict[str, list[str]]) -> Response:
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, (form.get(CSRF_FIELD) or [""])[-1])
        if who.user.kind not in ("user", "admin"):
            raise WebError(403, "forbidden")
        name = "".join(c for c in (form.get("name") or [""])[-1] if c.isprintable()).strip()[:200]
        if not name:
            return redirect("/?error=name")
        org = repo.create_organisation(session, who.user, name, {"name": name})
        repo.audit(session, who.user, "organisation.create", org_id=org.id, target=f"org:{org.id}", via="web")
        session.commit()
        return redirect(f"/orgs/{org.id}/profile")


@router.get("/orgs/{org_id}", response_class=HTMLResponse)
def overview(org_id: OrgId, request: Request) -> Response:
    """Where an organisation stands: progress per topic, what is missing, earlier assessments."""
    cat = catalog(request)
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read", viewing="overview.view")
        answers = {a.question_id: a.value for a in repo.answers(session, ctx.org)}
        return page(
            request,
            "overview.html",
            ctx=ctx,
            progress=forms.progress(cat, ctx.org.profile, answers),
            missing=[(m, engine_messages.field_label(m, cat)) for m in forms.missing_profile(ctx.org.profile)],
            history=repo.assessments(session, ctx.org, limit=50),
            can_submit=can(ctx.relation, "submit"),
            csrf=_csrf(ctx),
            problems=None,
            sharing=sharing.sharing_view(ctx),
            shared=sharing.notice(request.query_params.get("shared")),
        )


def _csrf(ctx: Any) -> str:
    login = ctx.principal.login
    return login.csrf_token if login is not None else ""


# --- profile --------------------------------------------------------------------------------------


@router.get("/orgs/{org_id}/profile", response_class=HTMLResponse)
def profile_form(org_id: OrgId, request: Request) -> Response:
    cat = catalog(request)
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read", viewing="profile.view")
        return _profile_page(request, ctx, cat, ctx.org.profile, {})


def _profile_page(
    request: Request,
    ctx: Any,
    cat: Any,
    values: dict[str, Any],
    errors: dict[str, Msg],
    status: int = 200,
    block: str | None = None,
) -> Response:
    fields = {f.name: f for f in cat.vocabulary.fields}
    nis2 = _nis2(cat)
    return page(
        request,
        "profile.html",
        status_code=status,
        block=block,
        ctx=ctx,
        values=values,
        errors=errors,
        fields=[(name, kind, fields[name]) for name, kind in forms.PROFILE_FIELDS if name in fields],
        activities=cat.vocabulary.activities,
        editable=can(ctx.relation, "edit"),
        csrf=_csrf(ctx),
        first_topic=cat.questionnaire.topics[0].id,
        saved=request.query_params.get("saved") == "1",
        nis2=nis2_form.view(values) if nis2 is not None else None,
        nis2_fields={name: fields.get(name) for name in ("nis2_entity_types", "nis2_flags", "group")},
        sectors=nis2_form.sectors(nis2) if nis2 is not None else [],
        nis2_form=nis2_form,
        countries=forms.countries(pick_lang(request)),
        plain=forms.plain_number,
        scan_targets_shown=scan_targets_form.shown,  # issue 16
    )


def _nis2(cat: Any) -> Any:
    """The catalogue's ``nis2.yaml``, or None for a catalogue without it."""
    if "nis2.yaml" not in cat.files:
        return None
    from insurable.nis2 import nis2_catalogue

    return nis2_catalogue(cat)


@router.post("/orgs/{org_id}/profile", response_class=HTMLResponse)
async def save_profile(org_id: OrgId, request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_save_profile, org_id, request, _lists(form))


def _save_profile(org_id: int, request: Request, form: dict[str, list[str]]) -> Response:
    cat = catalog(request)
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, (form.get(CSRF_FIELD) or [""])[-1])
        begin_write(session)  # the form is merged into what is stored: read and write in one transaction
        ctx = org_for(session, who, org_id, "edit")
        updated, errors = forms.parse_profile(ctx.org.profile, form, pick_lang(request))
        nis2 = _nis2(cat)
        if nis2 is not None:
            shown_nis2, more = nis2_form.parse(updated, form, nis2)
            errors.update(more)
            updated = nis2_form.strip(shown_nis2)
        else:
            shown_nis2 = updated
        updated, more_errors = scan_targets_form.parse(updated, form)  # declared scan targets (issue 16)
        errors.update(more_errors)
        shown_nis2 = {k: v for k, v in shown_nis2.items() if k != "scan_targets"} | {
            k: v for k, v in updated.items() if k == "scan_targets"
        }
        if updated != ctx.org.profile:
            ctx.org.profile = updated
            if updated.get("name"):
                ctx.org.name = updated["name"]
            repo.touch(ctx.org)
            repo.audit(
                session,
                who.user,
                "profile.update",
                org_id=org_id,
                target="profile",
                detail={"profile": updated},
                via="web",
            )
            session.commit()
        htmx = request.headers.get("HX-Request") == "true"
        if errors:
            # an htmx autosave answers 200 with the fields block, so the errors show inline (issue 12, item 1)
            shown = {**shown_nis2, **{k: (form.get(k) or [""])[-1] for k in errors}}
            if htmx:
                return _profile_page(request, ctx, cat, shown, errors, block="fields")
            return _profile_page(request, ctx, cat, shown, errors, status=422)
        if htmx:
            return _profile_page(request, ctx, cat, updated, {}, block="fields")
        if (form.get("go") or [""])[-1] == "next":
            return redirect(f"/orgs/{org_id}/topics/{cat.questionnaire.topics[0].id}")
        return redirect(f"/orgs/{org_id}/profile?saved=1")


# --- questionnaire --------------------------------------------------------------------------------


def _topic_ids(cat: Any) -> list[str]:
    return [t.id for t in cat.questionnaire.topics]


@router.get("/orgs/{org_id}/topics/{topic_id}", response_class=HTMLResponse)
def topic_form(org_id: OrgId, topic_id: str, request: Request) -> Response:
    cat = catalog(request)
    if topic_id not in _topic_ids(cat):
        raise WebError(404, "not_found")
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read", viewing="topic.view", target=topic_id)
        answers = {a.question_id: a.value for a in repo.answers(session, ctx.org)}
        return _topic_page(request, ctx, cat, topic_id, answers, {}, {})


def _topic_page(
    request: Request,
    ctx: Any,
    cat: Any,
    topic_id: str,
    answers: dict[str, Any],
    errors: dict[str, Msg],
    raw: dict[str, list[str]],
    status: int = 200,
    block: str | None = None,
) -> Response:
    ids = _topic_ids(cat)
    i = ids.index(topic_id)
    fields = forms.topic_fields(cat, topic_id, ctx.org.profile, answers)
    for f in fields:
        if f.id in errors:
            f.error = errors[f.id]
            f.value = (raw.get(f.id) or [""])[-1]
    topic = cat.questionnaire.topics[i]
    values = {
        "ctx": ctx,
        "topic": topic,
        "fields": fields,
        "progress": forms.progress(cat, ctx.org.profile, answers),
        "prev_topic": ids[i - 1] if i > 0 else None,
        "next_topic": ids[i + 1] if i + 1 < len(ids) else None,
        "editable": can(ctx.relation, "edit"),
        "csrf": _csrf(ctx),
        "errors": errors,
    }
    if block:
        questions = page(request, "topic.html", status_code=status, block="questions", **values)
        oob = page(request, "topic.html", block="progress", oob=True, **values)
        questions.body = bytes(questions.body) + bytes(oob.body)
        questions.headers["Content-Length"] = str(len(questions.body))
        return questions
    return page(request, "topic.html", status_code=status, **values)


@router.post("/orgs/{org_id}/topics/{topic_id}", response_class=HTMLResponse)
async def save_topic(org_id: OrgId, topic_id: str, request: Request) -> Response:
    """Save the page's answers: an htmx autosave (answers the questions block) or a plain form post."""
    form = await request.form()
    return await run_in_threadpool(_save_topic, org_id, topic_id, request, _lists(form))


def _save_topic(org_id: int, topic_id: str, request: Request, form: dict[str, list[str]]) -> Response:
    cat = catalog(request)
    ids = _topic_ids(cat)
    if topic_id not in ids:
        raise WebError(404, "not_found")
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, (form.get(CSRF_FIELD) or [""])[-1])
        begin_write(session)  # the form is merged into what is stored: read and write in one transaction
        ctx = org_for(session, who, org_id, "edit")
        own = {q.id for q in cat.questionnaire.questions if q.topic == topic_id}
        shown = [qid for qid in form.get("shown", []) if qid in own]
        errors = forms.save_topic(ctx, cat, shown, form, pick_lang(request))
        answers = {a.question_id: a.value for a in repo.answers(session, ctx.org)}
        htmx = request.headers.get("HX-Request") == "true"
        if errors or htmx:
            return _topic_page(
                request,
                ctx,
                cat,
                topic_id,
                answers,
                errors,
                form,
                status=422 if errors and not htmx else 200,
                block="questions" if htmx else None,
            )
        go = (form.get("go") or [""])[-1]
        i = ids.index(topic_id)
        if go == "next":
            return redirect(f"/orgs/{org_id}/topics/{ids[i + 1]}" if i + 1 < len(ids) else f"/orgs/{org_id}")
        if go == "prev" and i > 0:
            return redirect(f"/orgs/{org_id}/topics/{ids[i - 1]}")
        return redirect(f"/orgs/{org_id}/topics/{topic_id}#saved")
