"""Questionnaire answers, saved one at a time as drafts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from insurable.api.deps import EditOrg, ReadOrg
from insurable.api.problems import ApiProblem, FieldProblem
from insurable.api.schemas import QUESTION_ID, AnswerIn, AnswerOut
from insurable.catalog.loader import Catalog
from insurable.catalog.questionnaire import Question, check_answer
from insurable.store import repo

router = APIRouter(prefix="/organisations/{org_id}/answers", tags=["answers"])
QuestionId = Annotated[str, Path(pattern=QUESTION_ID, max_length=100)]


def _question(request: Request, question_id: str) -> Question:
    catalog: Catalog = request.app.state.catalog()
    question = catalog.questionnaire.by_id().get(question_id)
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
def save_answer(question_id: QuestionId, body: AnswerIn, request: Request, ctx: EditOrg) -> AnswerOut:
    """Save one answer; it is checked against the question's type and range, then stored atomically."""
    question = _question(request, question_id)
    if body.value is None:
        raise ApiProblem(
            422, "an answer needs a value", [FieldProblem(field="value", reason="use DELETE to clear an answer")]
        )
    reason = check_answer(question, body.value)
    if reason:
        raise ApiProblem(422, f"not a valid answer to {question_id}", [FieldProblem(field="value", reason=reason)])
    saved_at = repo.save_answer(ctx.session, ctx.org, question_id, body.value, ctx.user)
    repo.touch(ctx.org, saved_at)
    ctx.audit("answer.save", target=question_id, detail={"value": body.value})
    ctx.session.commit()
    return AnswerOut(question_id=question_id, value=body.value, updated_at=saved_at, updated_by=ctx.user.id)


@router.delete("/{question_id}", status_code=204)
def clear_answer(question_id: QuestionId, ctx: EditOrg) -> None:
    if not repo.delete_answer(ctx.session, ctx.org, question_id):
        raise ApiProblem(404, "this question has no saved answer")
    repo.touch(ctx.org)
    ctx.audit("answer.clear", target=question_id)
    ctx.session.commit()
