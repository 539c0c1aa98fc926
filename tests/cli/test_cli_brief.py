"""``insurable assess --brief``: one screen, every figure from the assessment with its rule ids,
nl and en, text and Markdown, no colour codes in a pipe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from insurable.catalog.loader import load_catalog
from insurable.catalog.nis2 import Nis2File
from insurable.cli import app
from insurable.reports.labels import label, money

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "80"})


def assessment(path: Path) -> dict:
    result = run("assess", path, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_brief_fits_one_screen_and_says_what_the_assessment_says(example, lang):
    a = assessment(example)
    result = run("assess", example, "--brief", "--lang", lang)
    assert result.exit_code == 0, result.output
    text = result.output
    lines = text.splitlines()
    assert len(lines) <= 45, f"{len(lines)} lines"
    assert max(len(line) for line in lines) <= 80
    assert "\x1b" not in text
    assert label(a["verdict"], lang) in text
    assert label("indicative", lang).split(":")[0] in text
    if a["premium"] is not None:
        for key in ("point_eur", "low_eur", "high_eur"):
            assert money(a["premium"][key], lang) in text
    assert money(a["deductible_eur"], lang) in text and money(a["max_limit_eur"], lang) in text
    flat = " ".join(text.split())
    for kind in ("exclusions", "subjectivities"):
        for outcome in a[kind][:3]:
            assert outcome["rule_id"] in flat
        for outcome in a[kind][3:]:
            assert outcome["rule_id"] not in flat
    for step in a["path"][:5]:
        assert f"[{step['control_id']}]" in flat and money(step["value_eur"], lang) in flat
    for step in a["path"][5:]:
        assert f"[{step['control_id']}]" not in flat
    if a["loss"] and a["premium"]:
        assert money(a["loss"]["mean_annual_loss"], lang) in flat


def test_the_brief_names_the_nis2_status_and_its_first_duty():
    hospital = ROOT / "examples" / "hospital.yaml"
    a = assessment(hospital)
    duties = {d.id: d for d in load_catalog(None).get("nis2.yaml", Nis2File).duties}
    first = a["nis2"]["duties"][0]
    for lang, word in (("nl", "essentiële entiteit"), ("en", "essential entity")):
        flat = " ".join(run("assess", hospital, "--brief", "--lang", lang).output.split())
        assert word in flat and f"[{first}]" in flat and duties[first].title.get(lang) in flat


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_markdown_brief_is_the_same_content(lang):
    hospital = ROOT / "examples" / "hospital.yaml"
    text = run("assess", hospital, "--brief", "--lang", lang).output
    markdown = run("assess", hospital, "--brief", "--lang", lang, "--format", "markdown").output
    assert markdown.startswith("# ") and "**" in markdown and "\n1. " in markdown
    words = {w.strip("*[]();:,.") for w in markdown.split()} - {"#", "-", "1.", "2.", "3.", "4.", "5."}
    assert words <= {w.strip("*[]();:,.") for w in text.split()} | {""}
    english = ("Verdict", "Premium", "Deductible", "Fix-path", "expected annual loss")
    dutch = ("Oordeel", "Premie", "Eigen risico", "Verbeterpad", "verwachte jaarschade")
    for word in english if lang == "en" else dutch:
        assert word in markdown
    for word in dutch if lang == "en" else english:
        assert word not in markdown


@pytest.mark.parametrize("fmt", ["json", "email"])
def test_brief_with_another_format_is_an_input_error(fmt):
    result = run("assess", ROOT / "examples" / "hospital.yaml", "--brief", "--format", fmt, "--lang", "nl")
    assert result.exit_code == 2
    assert "--brief: werkt met --format text of markdown" in result.output


def test_an_incomplete_assessment_names_the_missing_required_answers(tmp_path):
    import yaml

    data = yaml.safe_load((ROOT / "examples" / "saas-provider.yaml").read_text(encoding="utf-8"))
    data["answers"] = {}
    org = tmp_path / "org.yaml"
    org.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    a = assessment(org)
    assert a["verdict"] == "incomplete"
    required = list(dict.fromkeys(m["question_id"] for m in a["missing"] if m["required"]))
    flat = " ".join(run("assess", org, "--brief", "--lang", "nl").output.split())
    assert f"Ontbrekende verplichte antwoorden: {len(required)}: " + ", ".join(required[:5]) in flat
    assert all(q not in flat for q in required[5:])
    assert " ".join(label("path_incomplete", "nl").split()) in flat
