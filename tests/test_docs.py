"""Docs that cannot drift: the generated CLI reference and catalogue tables must be current."""

from __future__ import annotations

from pathlib import Path

from insurable import docgen

ROOT = Path(__file__).resolve().parents[1]


def test_generated_docs_are_current():
    for rel, render in docgen.DOCS.items():
        text = render()
        text = text if text.endswith("\n") else text + "\n"
        assert (ROOT / rel).read_text(encoding="utf-8") == text, f"{rel} is stale: run `make docs`"


def test_every_command_is_documented():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = (
        "insurable assess",
        "insurable init",
        "insurable catalog check",
        "insurable catalog schema",
        "insurable nis2",
        "insurable simulate",
        "insurable serve",
        "insurable demo",
    )
    for command in commands:
        assert f"`{command}`" in text


def test_every_question_and_control_is_in_the_tables(catalog):
    text = (ROOT / "docs" / "catalogue-tables.md").read_text(encoding="utf-8")
    for q in catalog.questionnaire.questions:
        assert f"`{q.id}`" in text
    for c in catalog.controls.controls:
        assert f"`{c.id}`" in text
