"""Read an organisation file against a catalogue and report every problem at once.

Profile fields, required fields, answers (unknown ids, types, ranges) and activities are checked
independently, so a broken profile field does not hide a wrong answer. The CLI, the service and
the web app share this one entry point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from insurable.catalog.loader import Catalog
from insurable.catalog.questionnaire import validate_answers
from insurable.catalog.yamlio import MAX_ORGANISATION_BYTES, read_yaml_document
from insurable.errors import InputError, Problem, raise_if
from insurable.profile import Organisation, document_problems, parse_organisation


def organisation_problems(
    data: Any, catalog: Catalog, required: tuple[str, ...] = (), check_answers: bool = True, file: str | None = None
) -> tuple[Organisation | None, list[Problem]]:
    """Validate parsed data as an organisation; return it (if valid) and every problem found."""
    if not isinstance(data, dict):
        return None, [Problem(path="", reason="expected a mapping of profile fields", file=file)]
    problems: list[Problem] = []
    org: Organisation | None = None
    try:
        org = parse_organisation(data, file=file)
    except InputError as exc:
        problems.extend(exc.problems)
    problems.extend(
        Problem(path=name, reason="required field is missing", file=file) for name in required if data.get(name) is None
    )
    answers = data.get("answers")
    if check_answers and isinstance(answers, dict):
        problems.extend(validate_answers(answers, catalog.questionnaire, file=file))
    activities = data.get("activities")
    if isinstance(activities, list) and "vocabulary.yaml" in catalog.files:
        known = {a.id for a in catalog.vocabulary.activities}
        for i, act in enumerate(activities):
            if isinstance(act, str) and act not in known:
                problems.append(Problem(f"activities[{i}]", f"unknown activity {act!r}; see docs/profile.md", file))
    return (org if not problems else None), problems


def read_organisation(
    path: Path, catalog: Catalog, required: tuple[str, ...] = (), check_answers: bool = True
) -> Organisation:
    """Read and validate an organisation YAML file; raise :class:`InputError` with every problem,
    each naming the file, the line and the field."""
    document = read_yaml_document(path, MAX_ORGANISATION_BYTES)
    org, problems = organisation_problems(document.data, catalog, required, check_answers, file=str(path))
    raise_if(document_problems(document, problems, file=str(path)))
    assert org is not None
    return org
