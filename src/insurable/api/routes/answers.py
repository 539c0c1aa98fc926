"""Questionnaire answers, saved one at a time as drafts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from insurable.api.deps import MAX_ID, EditOrg, ReadOrg, current_principal, org_scope
from insurable.api.problems import ApiProblem, FieldProblem
from insurable.api.schemas import QUESTION_ID, AnswerIn, AnswerOut
from insurable.catalog.loader import Catalog
from insurable.catalog.questionnaire import Question, check_answer
from insurable.store import repo

router = APIRouter(prefix="/organisations/{org_id}/answers", tags=["answers"])
QuestionId = Annotated[str, Path(pattern=QUESTION_ID, max_length=100)]
OrgId = Annotated[int, Path(ge=1, le=MAX_ID)]


_index: dict[int, tuple[object, dict[str, Question]]] = {}


def _questions(catalog: Catalog) -> dict[str, Question]:
    """The questionnaire's questions by id, built once per (immutable) questionnaire."""
    questionnaire = catalog.questionnaire
    cached = _index.get(id(questionnaire))
    if cached is None or cached[0] is not questionnaire:
        cached = (questionnaire, questionnaire.by_id())
        _index.clear()  # one questionnaire in use at a time; tests switch catalogues
        _index[id(questionnaire)] = cached
    return cached[1]


def _question(request: Request, question_id: str) -> Question:
    catalog: Catalog = request.app.state.catalog()
    question = _questions(catalog).get(question_id)
    if question is None:
        raise ApiProblem(404, f"no question {question_id!r} in the questionnaire")
    return question


@router.get("", response_model=list[AnswerOut])
def list_answers(ctx: ReadOrg) -> list[AnswerOut]:
    """Every saved answer of the organisation (the current draft)."""
    rows = repo.answers(ctx.session, ctx.org)
    ctx.audit("answers.view", target="answers")
    ctx.session.commit()
    return [AnswerOut.model_validate(a, from_attributes=True) for a in rows]


@router.get("/{question_id}", response_model=AnswerOut)
def get_answer(question_id: QuestionId, ctx: ReadOrg) -> AnswerOut:
    found = repo.answer(ctx.session, ctx.org, question_id)
    if found is None:
        raise ApiProblem(404, "this question has no saved answer")
    ctx.audit("answer.view", target=question_id)
    ctx.session.commit()
    return AnswerOut.model_validate(found, from_attributes=True)


@router.put("/{question_id}", response_model=AnswerOut)
async def save_answer(org_id: OrgId, question_id: QuestionId, body: AnswerIn, request: Request) -> AnswerOut:
    """Save one answer; it is checked against the question's type and range, then stored atomically."""
    # The questionnaire's hot path (an autosave per answer): the whole request — caller, tenant
    # check, answer check, write, audit line, commit — runs in one trip to the thread pool, through
    # the same gates as every route (current_principal, org_scope), instead of one trip per
    # dependency; the write is three Core statements (repo.save_answer_audited). The body is
    # validated first (FastAPI), so a malformed one answers 422 before the caller is looked up.
    return await run_in_threadpool(_save_answer, request, org_id, question_id, body.value)


_may_edit = org_scope("edit")


def _save_answer(request: Request, org_id: int, question_id: str, value: Any) -> AnswerOut:
    session: Session = request.app.state.sessions()
    try:
        principal = current_principal(request, session)
        ctx = _may_edit(org_id, principal, session)
        question = _question(request, question_id)
        if value is None:
            raise ApiProblem(
                422, "an answer needs a value", [FieldProblem(field="value", reason="use DELETE to clear an answer")]
            )
        reason = check_answer(question, value)
        if reason:
            raise ApiProblem(422, f"not a valid answer to {question_id}", [FieldProblem(field="value", reason=reason)])
        saved_at = repo.save_answer_audited(session, ctx.org.id, question_id, value, ctx.user, via=principal.via)
        session.commit()
        return AnswerOut(question_id=question_id, value=value, updated_at=saved_at, updated_by=ctx.user.id)
    finally:
        session.rollback()
        session.close()


@router.delete("/{question_id}", status_code=204)
def clear_answer(question_id: QuestionId, ctx: EditOrg) -> None:
    if not repo.delete_answer(ctx.session, ctx.org, question_id):
        raise ApiProblem(404, "this question has no saved answer")
    repo.touch(ctx.org)
    ctx.audit("answer.clear", target=question_id)
    ctx.session.commit()
