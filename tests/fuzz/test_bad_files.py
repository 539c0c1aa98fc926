"""The issue's bad organisation files, each through `insurable assess`, `nis2` and `simulate`
(issue 13, items 1, 2, 4, 5): exit 2, the field named, no traceback, within the time budget."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.harness import EXAMPLE, assert_refused, example_text, run_cli, with_answer, with_lines

COMMANDS = ("assess", "nis2", "simulate")

#: (id, file text, names the message must contain, commands). ``None`` = every command.
CASES: list[tuple[str, str | bytes, tuple[str, ...], tuple[str, ...] | None]] = [
    ("limit_1e30_float", with_lines(example_text(), requested_limit_eur="1.0e+30"), ("requested_limit_eur",), None),
    ("limit_1e30_text", with_lines(example_text(), requested_limit_eur="1e30"), ("requested_limit_eur",), None),
    ("limit_1e308", with_lines(example_text(), requested_limit_eur="1.0e+308"), ("requested_limit_eur",), None),
    ("limit_10bn", with_lines(example_text(), requested_limit_eur="10000000000"), ("requested_limit_eur",), None),
    ("limit_0.01", with_lines(example_text(), requested_limit_eur="0.01"), ("requested_limit_eur",), None),
    ("turnover_inf", with_lines(example_text(), annual_turnover_eur=".inf"), ("annual_turnover_eur",), None),
    ("turnover_nan", with_lines(example_text(), annual_turnover_eur=".nan"), ("annual_turnover_eur",), None),
    ("turnover_1e30", with_lines(example_text(), annual_turnover_eur="1.0e+30"), ("annual_turnover_eur",), None),
    ("employees_1e308", with_lines(example_text(), employees="1.0e+308"), ("employees",), None),
    ("records_1e308", with_lines(example_text(), records_held="1.0e+308"), ("records_held",), None),
    (
        "dutch_thousands",
        with_lines(example_text(), annual_turnover_eur="7.200", requested_deductible_eur="2.500"),
        ("annual_turnover_eur", "requested_deductible_eur", "write 7200"),
        None,
    ),
    (
        "dutch_thousands_as_value",
        with_lines(example_text(), annual_turnover_eur="7.2", requested_deductible_eur="2.5"),
        ("annual_turnover_eur", "requested_deductible_eur", "Dutch thousands"),
        None,
    ),
    (
        "deductible_above_limit",
        with_lines(example_text(), requested_limit_eur="1000000", requested_deductible_eur="5000000"),
        ("requested_deductible_eur",),
        None,
    ),
    (
        "impossible_date_answer",
        with_answer(example_text(), "q.gov.last_risk_assessment", "2025-02-30"),
        ("q.gov.last_risk_assessment", "line"),
        None,
    ),
    ("impossible_date_field", with_lines(example_text(), founded="2025-02-30"), ("founded", "not a date"), None),
    ("country_NO", with_lines(example_text(), country="NO"), ("country", '"NO"'), None),
    ("yes_answer", with_answer(example_text(), "q.org.material_changes", "Yes"), ("q.org.material_changes",), None),
    ("on_answer", with_answer(example_text(), "q.org.material_changes", "on"), ("q.org.material_changes",), None),
    (
        "none_with_health",
        with_answer(example_text(), "q.data.sensitive_types", "[none, health]"),
        ("q.data.sensitive_types", "'none' cannot be combined"),
        ("assess", "simulate"),
    ),
    (
        "answer_1e30",
        with_answer(example_text(), "q.hist.incident_cost_eur", "1.0e+30"),
        ("q.hist.incident_cost_eur",),
        ("assess", "simulate"),
    ),
    ("utf16_without_bom", example_text().encode("utf-16-le"), ("UTF-16", "UTF-8"), None),
    ("latin1", example_text().replace("Veluwe", "Veluwé").encode("latin-1"), ("not UTF-8",), None),
    ("blank", "", ("expected a mapping",), None),
    ("only_a_comment", "# nothing here\n", ("expected a mapping",), None),
    ("a_list", "- a\n- b\n", ("expected a mapping",), None),
    ("malformed", "name: [unclosed\n", ("malformed YAML", "line"), None),
    ("duplicate_key", example_text() + "country: BE\n", ("duplicate key",), None),
    ("deep_nesting", "a: " + "[" * 5000 + "]" * 5000 + "\n", ("org.yaml",), None),
]


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "org.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_the_example_itself_is_accepted(command):
    run = run_cli(command, EXAMPLE)
    assert run.exit_code == 0, run.output[-2000:]


@pytest.mark.parametrize(("case_id", "content", "names", "commands"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", COMMANDS)
def test_bad_file_is_refused(tmp_path, command, case_id, content, names, commands):
    if commands is not None and command not in commands:
        pytest.skip(f"{command} does not read that part of the file")
    path = write(tmp_path, content)
    assert_refused(run_cli(command, path), str(path), *names)


@pytest.mark.parametrize("command", COMMANDS)
def test_dev_zero_is_refused_without_reading_it_all(command):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    assert_refused(run_cli(command, Path("/dev/zero")), "/dev/zero", "larger than")


def test_a_huge_file_of_unknown_keys_is_refused_quickly(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text("".join(f"k{i}: {i}\n" for i in range(1_500_000)), encoding="utf-8")
    run = run_cli("assess", path, budget=20)
    assert_refused(run, str(path), "larger than")
    assert run.seconds < 10


def test_many_unknown_keys_under_the_cap_print_a_capped_list(tmp_path):
    text = example_text() + "".join(f"unknown_{i}: {i}\n" for i in range(20_000))
    path = write(tmp_path, text)
    run = run_cli("assess", path)
    assert_refused(run, "unknown_0", "more problem(s) not shown")
    assert len(run.output.splitlines()) < 60 and run.seconds < 20


def test_a_file_that_used_to_hang_returns_in_a_subprocess(tmp_path):
    """The original hang (a tower stepped per capacity step): the real executable, killed if it hangs."""
    path = write(tmp_path, with_lines(example_text(), requested_limit_eur="1.0e+30"))
    exe = Path(sys.executable).with_name("insurable")
    done = subprocess.run([str(exe), "assess", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "requested_limit_eur" in done.stderr and "Traceback" not in done.stderr
