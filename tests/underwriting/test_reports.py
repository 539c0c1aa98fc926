"""The assessment in every format: text that fits 80 columns and a pipe, Markdown with the summary on
top, a plain e-mail summary, JSON that validates against the published schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from insurable.cli import app
from insurable.reports.assessment_text import markdown_to_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
runner = CliRunner()


def run(*args: str, columns: int = 80) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": str(columns), "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_text_fits_80_columns_with_no_trailing_spaces_and_nothing_cut(example, lang):
    text = run("assess", str(example), "--lang", lang)
    lines = text.splitlines()
    assert not [n for n, line in enumerate(lines) if line.endswith(" ")]
    assert "…" not in text
    too_wide = [line for line in lines if len(line) > 80 and " " in line.strip()]
    assert too_wide == []  # only an unbreakable word (a long id or URL) may run past the edge
    assert "|" not in "".join(line for line in lines if line.startswith("|"))  # no tables in text


def test_the_text_plan_is_a_list_with_every_step_and_its_remediation(examples_dir):
    text = run("assess", str(examples_dir / "dutch-msp.yaml"))
    assert "Fix-path" in text and "1. Multi-factor authentication (MFA) (ctl.mfa)" in text
    assert "Verdict: declined -> insurable with conditions" in text
    flat = " ".join(text.split())
    assert "What to do:" in text and "Turn on MFA for all Microsoft 365" in flat
    assert "Each control alone (for comparison)" in text


def test_markdown_opens_with_an_email_ready_summary(examples_dir):
    md = run("assess", str(examples_dir / "dutch-msp.yaml"), "--format", "markdown")
    head = md.split("## ", 2)
    assert head[1].startswith("Summary")
    assert "- Verdict: declined." in head[1]
    assert "Step 1: Multi-factor authentication (MFA)" in head[1]
    assert "Verdict:** declined (" not in md  # no "declined (declined)"
    assert "| # | Control |" in md and "Pays back in" in md


def test_email_is_short_plain_and_wrapped(examples_dir):
    mail = run("assess", str(examples_dir / "dutch-msp.yaml"), "--format", "email", "--lang", "nl")
    lines = mail.splitlines()
    assert len(lines) < 40
    assert all(len(line) <= 72 or " " not in line.strip() for line in lines)
    assert not any(line.endswith(" ") for line in lines)
    assert "**" not in mail and "|" not in mail and "`" not in mail
    assert "Oordeel: afgewezen." in mail and "EUR 5.690" in mail  # Dutch number format


def test_json_has_format_version_input_hash_catalogue_versions_and_validates(examples_dir):
    data = json.loads(run("assess", str(examples_dir / "saas-provider.yaml"), "--format", "json"))
    assert data["format_version"] == "2.0"
    assert len(data["input_sha256"]) == 64
    assert data["catalogue_versions"]["insurable.questionnaire"] == "2.0.0"
    schema = json.loads((ROOT / "schemas" / "assessment.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    again = json.loads(run("assess", str(examples_dir / "saas-provider.yaml"), "--format", "json"))
    assert again["input_sha256"] == data["input_sha256"]


def test_markdown_to_text_turns_tables_into_lists_and_wraps():
    md = "## Title\n\n| # | Control | Verdict |\n|---|---|---|\n| 1 | MFA | " + "declined " * 12 + "|\n"
    text = markdown_to_text(md, width=40)
    assert "1. MFA" in text and "   Verdict: declined" in text
    assert all(len(line) <= 40 for line in text.splitlines())
