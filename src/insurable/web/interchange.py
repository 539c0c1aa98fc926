"""The organisation's questionnaire as an Excel workbook in the web app: download it filled in with
what is stored, upload it back (docs/interchange.md). The same reader as ``insurable import xlsx``:
every problem names its sheet and cell, and nothing is saved unless the whole workbook is valid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from insurable.errors import InputError
from insurable.interchange.questionnaire_xlsx import MAX_WORKBOOK_BYTES, export_workbook, read_workbook_bytes
from insurable.profile import stored_organisation
from insurable.store import repo
from insurable.store.db import begin_write
from insurable.web.app_support import catalog, db, redirect
from insurable.web.i18n import pick_lang
from insurable.web.pages import OrgId, _csrf
from insurable.web.render import page
from insurable.web.session import CSRF_FIELD, can, check_csrf, org_for, require

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/orgs/{org_id}/workbook.xlsx")
def download(org_id: OrgId, request: Request) -> Response:
    """The profile and every question, with the stored answers, as a workbook in the page's language."""
    cat = catalog(request)
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read", viewing="workbook.download")
        answers = {a.question_id: a.value for a in repo.answers(session, ctx.org)}
        org = stored_organisation({**ctx.org.profile, "answers": answers})
    content = export_workbook(org, cat, pick_lang(request))
    name = f"organisation-{org_id}-{pick_lang(request)}.xlsx"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/orgs/{org_id}/workbook", response_class=HTMLResponse)
def workbook_page(org_id: OrgId, request: Request) -> Response:
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read")
        saved = request.query_params.get("saved", "")
        return _page(request, ctx, None, int(saved) if saved.isdigit() else None)


def _page(
    request: Request, ctx: Any, problems: list[str] | None, saved: int | None = None, status: int = 200
) -> Response:
    return page(
        request,
        "workbook.html",
        status_code=status,
        ctx=ctx,
        csrf=_csrf(ctx),
        editable=can(ctx.relation, "edit"),
        problems=problems,
        saved=saved,
    )


@router.post("/orgs/{org_id}/workbook", response_class=HTMLResponse)
async def upload(org_id: OrgId, request: Request) -> Response:
    async with request.form(max_files=1, max_fields=10) as form:  # closes the uploaded file's spool
        token = form.get(CSRF_FIELD)
        file = form.get("workbook")
        content = await file.read(MAX_WORKBOOK_BYTES + 1) if isinstance(file, UploadFile) else b""
        name = file.filename if isinstance(file, UploadFile) and file.filename else "workbook.xlsx"
    return await run_in_threadpool(_upload, org_id, request, token if isinstance(token, str) else "", content, name)


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _upload(org_id: int, request: Request, token: str, content: bytes, name: str) -> Response:
    cat = catalog(request)
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, token)
        begin_write(session)
        ctx = org_for(session, who, org_id, "edit")
        try:
            data = read_workbook_bytes(content, cat, name)
        except InputError as exc:
            return _page(request, ctx, [str(p) for p in exc.problems], status=422)
        answers = {qid: _json_value(v) for qid, v in data.pop("answers", {}).items()}
        profile = {k: _json_value(v) for k, v in data.items()}
        changed = 0
        if profile != ctx.org.profile:
            ctx.org.profile = profile
            if profile.get("name"):
                ctx.org.name = profile["name"]
            repo.audit(
                session,
                who.user,
                "profile.update",
                org_id=org_id,
                target="profile",
                detail={"profile": profile},
                via="web.workbook",
            )
            changed += 1
        stored = {a.question_id: a.value for a in repo.answers(session, ctx.org)}
        for qid in stored.keys() - answers.keys():
            repo.delete_answer(session, ctx.org, qid)
            repo.audit(session, who.user, "answer.clear", org_id=org_id, target=qid, via="web.workbook")
            changed += 1
        for qid, value in answers.items():
            if stored.get(qid) == value and qid in stored:
                continue
            repo.save_answer(session, ctx.org, qid, value, who.user)
            repo.audit(
                session, who.user, "answer.save", org_id=org_id, target=qid, detail={"value": value}, via="web.workbook"
            )
            changed += 1
        if changed:
            repo.touch(ctx.org)
        session.commit()
    return redirect(f"/orgs/{org_id}/workbook?saved={changed}")
