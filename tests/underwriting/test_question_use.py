"""Every question is read by a rule, skip logic, a loss-model effect or a named reader; the check fails
on an orphan."""

from __future__ import annotations

import dataclasses

from insurable.catalog import load_catalog
from insurable.catalog.questionnaire_use import check_question_use, questions_read
from insurable.catalog.references import check_references

CATALOG = load_catalog()


def test_no_orphan_questions_in_the_packaged_catalogue():
    assert check_question_use(CATALOG) == []
    readers = questions_read(CATALOG)
    assert all(readers.get(q.id) for q in CATALOG.questionnaire.questions)
    assert check_references(CATALOG) == []


def test_an_orphan_question_fails_the_check():
    qn = CATALOG.questionnaire
    orphan = qn.questions[0].model_copy(update={"id": "q.org.favourite_colour", "read_by": ()})
    broken = qn.model_copy(update={"questions": (*qn.questions, orphan)})
    files = {**CATALOG.files, "questionnaire.yaml": broken}
    problems = check_question_use(dataclasses.replace(CATALOG, files=files))
    assert [p.reason for p in problems] == [
        "orphan question 'q.org.favourite_colour': no rule, skip logic, loss-model effect or read_by reads it"
    ]


def test_retired_questions_point_at_asked_questions():
    qn = CATALOG.questionnaire
    asked = {q.id for q in qn.questions}
    assert qn.retired
    for old in qn.retired:
        assert old.id not in asked
        assert set(old.replaced_by) <= asked
