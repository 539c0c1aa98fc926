"""YAML reading and organisation intake: clear errors, all problems at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from insurable.catalog.yamlio import read_yaml
from insurable.errors import MAX_SHOWN, InputError, capped
from insurable.intake import organisation_problems, read_organisation


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


# --- hardening (issue 13): what YAML would misread, file limits, lines ----------------------------


def read_problems(tmp_path, text: str | bytes, name="org.yaml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_yaml(path)
    return err.value.problems


def test_yaml_11_booleans_are_refused_with_a_hint(tmp_path):
    found = read_problems(tmp_path, "name: X\ncountry: NO\nanswers:\n  q.mfa.remote_access: Yes\n  q.b: on\n")
    assert [(p.path, p.line) for p in found] == [
        ("country", 2),
        ("answers.q.mfa.remote_access", 4),
        ("answers.q.b", 5),
    ]
    assert '"NO" in quotes' in found[0].reason and "reads it as false" in found[0].reason
    assert read_yaml_text(tmp_path, 'country: "NO"\nflag: true\n') == {"country": "NO", "flag": True}


def read_yaml_text(tmp_path, text):
    path = tmp_path / "ok.yaml"
    path.write_text(text, encoding="utf-8")
    return read_yaml(path)


def test_impossible_dates_name_file_line_and_field(tmp_path):
    (problem,) = read_problems(tmp_path, "name: X\nanswers:\n  q.a.b: 2025-02-30\n")
    assert (problem.path, problem.line) == ("answers.q.a.b", 3)
    assert "2025-02-30 is not a date that exists" in str(problem) and "org.yaml, line 3" in str(problem)
    assert read_yaml_text(tmp_path, "d: 2024-02-29\n")["d"].isoformat() == "2024-02-29"


def test_encodings_utf16_bom_read_others_refused_with_a_hint(tmp_path):
    path = tmp_path / "u16.yaml"
    path.write_bytes("name: Zoë\n".encode("utf-16"))
    assert read_yaml(path) == {"name": "Zoë"}
    path.write_bytes(b"\xef\xbb\xbfname: A\n")
    assert read_yaml(path) == {"name": "A"}
    (problem,) = read_problems(tmp_path, "name: Zoë\n".encode("utf-16-le"))
    assert "UTF-16 without a byte-order mark" in problem.reason and "save the file as UTF-8" in problem.reason
    (problem,) = read_problems(tmp_path, "name: A\nstad: Zoë\n".encode("cp1252"))
    assert problem.line == 2 and "not UTF-8" in problem.reason


def test_file_size_is_capped_and_dev_zero_does_not_exhaust_memory(tmp_path):
    (problem,) = read_problems(tmp_path, b"a: 1\n" + b"#" * (3 * 1024 * 1024))
    assert "larger than 2048 kB" in problem.reason
    if Path("/dev/zero").exists():
        with pytest.raises(InputError, match="larger than"):
            read_yaml(Path("/dev/zero"))


def test_malformed_yaml_names_the_line(tmp_path):
    (problem,) = read_problems(tmp_path, "name: X\nanswers: [1, 2\n")
    assert problem.line is not None and "malformed YAML" in problem.reason


def test_error_list_is_capped_with_a_count_of_the_rest(catalog, tmp_path):
    data = {f"unknown_{i}": i for i in range(5000)}
    org, problems = organisation_problems(data, catalog)
    assert len(problems) == 5000
    text = str(InputError(problems))
    assert text.count("\n") == MAX_SHOWN and "4950 more problem(s) not shown" in text
    assert capped(problems)[-1].reason.startswith("... and 4950 more")


def test_intake_problems_carry_lines_and_dutch_thousands(catalog, tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text("name: X\nemployees: 25\nannual_turnover_eur: 7.200\ncountry: NO\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_organisation(path, catalog)
    found = {p.path: p for p in err.value.problems}
    assert found["annual_turnover_eur"].line == 3 and "write 7200 (digits only)" in found["annual_turnover_eur"].reason
    assert found["country"].line == 4 and "ambiguous" in found["country"].reason


def test_an_insurers_guideline_problems_name_their_line(tmp_path):
    from insurable.catalog.loader import collect_catalog, default_directory

    own = tmp_path / "own"
    own.mkdir()
    text = (default_directory() / "guideline.yaml").read_text(encoding="utf-8")
    text = text.replace("\nheader:\n", "\nheader:\n  colour: blue\n", 1)
    assert "colour: blue" in text
    (own / "guideline.yaml").write_text(text, encoding="utf-8")
    _, problems = collect_catalog(None, own)
    found = [p for p in problems if p.path.endswith("colour")]
    assert found and found[0].line == text[: text.index("colour")].count("\n") + 1


def test_organisation_files_have_a_smaller_cap_than_catalogue_files(catalog, tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text("name: X\n" + "#" * (600 * 1024) + "\n", encoding="utf-8")
    assert read_yaml(path) == {"name": "X"}  # under the catalogue cap
    with pytest.raises(InputError, match="larger than 512 kB"):
        read_organisation(path, catalog)
