"""YAML reading and organisation intake: clear errors, all problems at once."""

from __future__ import annotations

import pytest

from insurable.catalog.yamlio import read_yaml
from insurable.errors import InputError
from insurable.intake import organisation_problems


def test_duplicate_keys_are_an_error(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("name: A\nname: B\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_yaml(path)
    assert "duplicate key 'name'" in str(err.value) and "line 2" in str(err.value)


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        read_yaml(tmp_path)
    with pytest.raises(InputError, match="file not found"):
        read_yaml(tmp_path / "nope.yaml")


def test_intake_reports_profile_and_answer_problems_together(catalog):
    data = {
        "name": "X",
        "country": "Netherlands",
        "employees": "many",
        "activities": ["msp", "zeppelins"],
        "answers": {"q.mfa.remote_access": "no", "q.nope.nope": 1, "q.backup.frequency": "weekly"},
    }
    org, problems = organisation_problems(data, catalog, required=("name", "requested_limit_eur"))
    assert org is None
    paths = {p.path for p in problems}
    assert {
        "country",
        "employees",
        "requested_limit_eur",
        "answers.q.mfa.remote_access",
        "answers.q.nope.nope",
        "activities[1]",
    } <= paths
    assert "answers.q.backup.frequency" not in paths


def test_not_a_mapping(catalog):
    org, problems = organisation_problems(["a", "b"], catalog)
    assert org is None and problems[0].reason == "expected a mapping of profile fields"
