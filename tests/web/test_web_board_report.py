"""The board report (issue 12, item 8): an executive summary on page one, the fix-path as full-width
rows, rule ids only in the broker appendix, a chart of 1 to 250 years without a seed, a tagged PDF
(PDF/UA-1) with a meaningful file name, and an editable DOCX with the same content."""

from __future__ import annotations

import io
import re

import pytest
from fastapi import FastAPI
from pypdf import PdfReader

from tests.web.conftest import MakeAccount, csrf_of, login, seed_example


@pytest.fixture
def report_url(web_app: FastAPI, make_account: MakeAccount) -> tuple[object, str]:
    client = login(web_app, make_account("ann@example.nl"))
    org = seed_example(web_app, "ann@example.nl", name="Bakkerij De Korenaar")
    overview = client.get(f"/orgs/{org}")
    done = client.post(f"/orgs/{org}/submit", data={"csrf_token": csrf_of(overview.text)})
    assert done.status_code == 303
    return client, done.headers["location"]


def test_the_pdf_is_a_tagged_board_report(report_url: tuple[object, str]) -> None:
    client, base = report_url
    pdf = client.get(f"{base}/report.pdf")  # type: ignore[attr-defined]
    assert pdf.status_code == 200
    name = re.search(r'filename="([^"]+)"', pdf.headers["content-disposition"])
    assert name and re.fullmatch(r"cyberverzekerbaarheid-bakkerij-de-korenaar-\d{4}-\d\d-\d\d-\d+\.pdf", name.group(1))
    reader = PdfReader(io.BytesIO(pdf.content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"], "the PDF is not tagged"
    first = reader.pages[0].extract_text()
    assert "In het kort" in first and "Rapport cyberverzekerbaarheid" in first
    assert "Verwachte jaarschade" in first  # the key figures sit on the executive page
    body = " ".join(p.extract_text() for p in reader.pages[1:])
    assert "Verbeterpad: stap voor stap" in body and "Stap 1" in body
    assert "seed" not in body.lower()
    appendix = body.index("Voor uw tussenpersoon")
    assert not re.search(r"\b(uw|guideline)\.[a-z_]+\.[a-z_.]+", body[:appendix]), "a rule id in the body"
    assert re.search(r"[a-z]+\.[a-z_]+\.[a-z_]+", body[appendix:]), "no rule ids in the broker appendix"


def test_the_chart_covers_1_to_250_years_in_the_interface_language(report_url: tuple[object, str]) -> None:
    client, base = report_url
    html = client.get(f"{base}/report.html").text  # type: ignore[attr-defined]
    svg = html[html.index('aria-labelledby="lec-title"') :]
    svg = svg[: svg.index("</svg>")]
    ticks = re.findall(r'text-anchor="middle">([\d.]+)</text>', svg)
    assert ticks[0] == "1" and ticks[-1] == "250"
    assert "Eens in zoveel jaar" in svg and "seed" not in svg
    assert not re.search(r"€\s?\d+K", svg), "English compact amounts on a Dutch chart"


def test_the_docx_is_editable_and_says_the_same(report_url: tuple[object, str]) -> None:
    from docx import Document

    client, base = report_url
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(f"{base}/report.pdf").content)).pages)  # type: ignore[attr-defined]
    response = client.get(f"{base}/report.docx")  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    assert re.search(
        r'filename="cyberverzekerbaarheid-bakkerij-de-korenaar-[\d-]+\.docx"', response.headers["content-disposition"]
    )
    doc = Document(io.BytesIO(response.content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0].startswith("Rapport cyberverzekerbaarheid: Bakkerij De Korenaar")
    verdict = headings[1].split(": ", 1)[1]
    assert headings[1].startswith("In het kort") and verdict in pdf_text
    assert "Voor uw tussenpersoon: de regels achter dit oordeel" in headings
    assert doc.tables and doc.tables[-1].rows[0].cells[0].text == "Regel"
