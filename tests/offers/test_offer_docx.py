"""The offer check and comparison as Word files: the CLI's ``--format docx -o FILE`` and the web
comparison page's download, opened with python-docx and read for their real content (the ranking,
the retained figures, the checklist results with their clauses, the indicative label), nl and en,
and the same figures as the JSON of the same run."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from fastapi import FastAPI
from typer.testing import CliRunner

from insurable.cli import app
from insurable.offers.report import PI_LABELS, STATUS_LABELS
from tests.offers.helpers import EXAMPLE_OFFERS, MSP, OFFERS
from tests.offers.test_offer_web import enter
from tests.web.conftest import (
    PROFILE,
    MakeAccount,
    login,
    make_account,
    new_org,
    web_app,
    web_db_url,
    web_engine,
)

__all__ = ["make_account", "web_app", "web_db_url", "web_engine"]

runner = CliRunner()
TRIALS = "3000"
INDICATIVE = {
    "nl": "Indicatief: geen advies en geen aanbod van een verzekeraar.",
    "en": "Indicative: not advice and not an insurer's offer.",
}


def run(*args: Any):
    return runner.invoke(app, [str(a) for a in args])


def eur(value: float | None) -> str:
    return "-" if value is None else f"EUR {value:,.0f}".replace(",", ".")


def table_rows(doc: Any, index: int) -> dict[str, list[str]]:
    """A table read by row: first cell -> the other cells."""
    return {row.cells[0].text: [c.text for c in row.cells[1:]] for row in doc.tables[index].rows}


def text_of(doc: Any) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_compare_docx_holds_the_ranking_figures_and_checklist(tmp_path: Path, lang: str) -> None:
    common = ("offers", "compare", MSP, *EXAMPLE_OFFERS, "--trials", TRIALS, "--seed", "7", "--lang", lang)
    as_json = run(*common, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    comparison = json.loads(as_json.output)
    target = tmp_path / "vergelijking.docx"
    result = run(*common, "--format", "docx", "-o", target)
    assert result.exit_code == 0, result.output
    assert ("geschreven: " if lang == "nl" else "written: ") in result.output
    doc = Document(str(target))
    assert doc.core_properties.language == lang
    assert doc.paragraphs[0].style.name == "Title"
    assert comparison["organisation"] in doc.paragraphs[0].text
    body = "\n".join(p.text for p in doc.paragraphs)
    assert INDICATIVE[lang] in body
    assert "3,000" in body and "seed 7" in body

    side = table_rows(doc, 0)
    results = comparison["results"]
    programme = "Programma" if lang == "nl" else "Programme"
    assert side[programme] == [r["programme"] for r in results]  # in rank order
    assert side["Rang" if lang == "nl" else "Rank"] == [str(r["rank"]) for r in results] == ["1", "2", "3"]
    retained = "Verwacht eigen behoud/jaar" if lang == "nl" else "Expected retained loss/year"
    assert side[retained] == [eur(r["retained_mean_eur"]) for r in results]
    r250 = "Eigen behoud 1-op-250" if lang == "nl" else "Retained 1-in-250"
    assert side[r250] == [eur(r["retained_1_in_250_eur"]) for r in results]
    total = "Totale risicokosten" if lang == "nl" else "Total cost of risk"
    assert side[total] == [eur(r["cost_of_risk"]["total_eur"]) for r in results]
    pi = "Beroepsaansprakelijkheid/cyber" if lang == "nl" else "PI/cyber"
    assert side[pi] == [PI_LABELS[r["pi_cyber"]][lang] for r in results]

    # Why this order: one bullet per programme with its reason, in rank order.
    reasons = [p.text for p in doc.paragraphs if p.style.name == "List Bullet" and ": " in p.text]
    for r in results:
        assert f"{r['programme']}: {r['reason'][lang]}" in reasons

    # Per programme who pays each liability loss, then its checklist: every rule with its outcome
    # and clause.
    assert len(doc.tables) == 1 + 2 * len(results)
    liability_tables, checklist_tables = doc.tables[1::2], doc.tables[2::2]
    for r, table in zip(results, liability_tables, strict=True):
        rows = [[c.text for c in row.cells] for row in table.rows[1:]]
        assert [row[0] for row in rows] == [x["loss"][lang] for x in r["liability"]]
        assert all(f"({x['rule']})" in row[3] for x, row in zip(r["liability"], rows, strict=True))
    for r, table in zip(results, checklist_tables, strict=True):
        rows = {row.cells[0].text: row.cells for row in table.rows[1:]}
        assert len(rows) == len(r["checklist"])
        for item in r["checklist"]:
            cells = rows[f"{item['point'][lang]} ({item['rule']})"]
            assert cells[1].text == STATUS_LABELS[item["status"]][lang]
            assert cells[2].text == item["message"][lang]
            if item.get("evidence"):
                assert item["evidence"]["quote"] in cells[3].text


def test_compare_docx_total_row_is_bold(tmp_path: Path) -> None:
    target = tmp_path / "c.docx"
    result = run("offers", "compare", MSP, OFFERS / "vendor-bundle.yaml", "--trials", "500", "--format", "docx",
                 "--output", target)  # fmt: skip
    assert result.exit_code == 0, result.output
    table = Document(str(target)).tables[0]
    total = next(row for row in table.rows if row.cells[0].text == "Total cost of risk")
    assert all(run.bold for cell in total.cells for run in cell.paragraphs[0].runs)


@pytest.mark.parametrize("lang,not_met", [("nl", "niet in orde"), ("en", "not met")])
def test_check_docx(tmp_path: Path, lang: str, not_met: str) -> None:
    target = tmp_path / "check.docx"
    offers = (OFFERS / "vendor-bundle.yaml", OFFERS / "specialist-cyber.yaml")
    result = run("offers", "check", MSP, *offers, "--lang", lang, "--format", "docx", "-o", target)
    assert result.exit_code == 0, result.output
    doc = Document(str(target))
    text = text_of(doc)
    assert INDICATIVE[lang] in text
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert any("Schildwacht" in h and "vendor-bundle" in h for h in headings)
    assert any("specialist-cyber" in h for h in headings)
    assert len(doc.tables) == 2
    bundle = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in doc.tables[0].rows[1:]}
    cancel = next(v for k, v in bundle.items() if "(chk.cancellation_after_claim)" in k)
    assert cancel[0] == not_met
    assert "After any claim we may cancel" in cancel[2]  # the clause as evidence


def test_docx_needs_an_output_file_and_an_existing_folder(tmp_path: Path) -> None:
    result = run("offers", "check", MSP, OFFERS / "vendor-bundle.yaml", "--format", "docx")
    assert result.exit_code == 2
    assert "--output" in result.output and "Traceback" not in result.output
    nowhere = tmp_path / "missing" / "x.docx"
    result = run("offers", "compare", MSP, OFFERS / "vendor-bundle.yaml", "--format", "docx", "-o", nowhere,
                 "--trials", "0")  # fmt: skip
    assert result.exit_code == 2
    assert "--output" in result.output and "--trials" in result.output  # every problem at once
    assert not nowhere.exists()


def test_markdown_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "check.md"
    result = run("offers", "check", MSP, OFFERS / "vendor-bundle.yaml", "--format", "markdown", "-o", target)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Checklist")


def test_web_comparison_downloads_the_same_docx(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    ids = []
    for name in ("specialist-cyber", "vendor-bundle"):
        saved = enter(client, org, name)
        assert saved.status_code == 303, saved.text
        ids.append(int(saved.headers["location"].rsplit("/", 1)[1]))
    page = client.get(f"/orgs/{org}/offers/compare", params={"offer": ids})
    assert f"/orgs/{org}/offers/compare.docx?offer={ids[0]}&amp;offer={ids[1]}" in page.text
    markdown = client.get(f"/orgs/{org}/offers/compare.md", params={"offer": ids}).text
    response = client.get(f"/orgs/{org}/offers/compare.docx", params={"offer": ids})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "offers-comparison.docx" in response.headers["content-disposition"]
    doc = Document(io.BytesIO(response.content))
    side = table_rows(doc, 0)
    for label, cells in side.items():  # every cell of the side-by-side table is in the Markdown
        assert f"| {label} |" in markdown.replace("**", "")
        for cell in cells:
            assert cell in markdown
    empty = client.get(f"/orgs/{org}/offers/compare.docx")
    assert empty.status_code == 422
