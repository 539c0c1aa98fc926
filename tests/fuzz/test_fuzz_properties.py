"""Hypothesis over organisation files: whatever the file holds, the CLI accepts it with plausible
numbers or refuses it with exit 2 naming each problem's place, never a traceback, never a hang."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from insurable.amounts import PROFILE_BOUNDS
from insurable.catalog.yamlio import parse_yaml
from insurable.errors import InputError
from insurable.intake import organisation_problems
from tests.fuzz.harness import assert_refused, run_cli
from tests.fuzz.strategies import organisation_files

PROBLEM_LINE = re.compile(r"^  - (?P<file>[^:]+?)(, line \d+)?: (?P<path>\S.*?): \S")


def check(command: str, tmp_path: Path, text: str) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    run = run_cli(command, path)
    if run.exit_code == 0:
        data = yaml.safe_load(text)
        for name, bound in PROFILE_BOUNDS.items():
            value = data.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert math.isfinite(value) and bound.low <= value <= bound.high, (name, value)
        return
    assert_refused(run, str(path))
    problems = [line for line in run.output.splitlines() if line.startswith("  - ")]
    assert problems
    for line in problems:
        assert PROBLEM_LINE.match(line), line


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(text=organisation_files())
def test_nis2_on_any_organisation_file(tmp_path, text):
    check("nis2", tmp_path, text)


@SLOW
@given(text=organisation_files())
def test_assess_on_any_organisation_file(tmp_path, text):
    check("assess", tmp_path, text)


@SLOW
@given(text=organisation_files())
def test_simulate_on_any_organisation_file(tmp_path, text):
    check("simulate", tmp_path, text)


@settings(max_examples=200, deadline=None)
@given(text=organisation_files())
def test_intake_never_raises_and_accepts_only_plausible_numbers(catalog, text):
    try:
        data = parse_yaml(text, "org.yaml")
    except InputError as err:
        assert err.problems and all(p.file == "org.yaml" for p in err.problems)
        return
    org, problems = organisation_problems(data, catalog, file="org.yaml")
    assert (org is None) == bool(problems)
    if org is not None:
        for name, bound in PROFILE_BOUNDS.items():
            value = getattr(org, name)
            assert value is None or (math.isfinite(value) and bound.low <= value <= bound.high)


@pytest.fixture(scope="module")
def catalog():
    from insurable.catalog import load_catalog

    return load_catalog()
