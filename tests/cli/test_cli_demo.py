"""``insurable demo`` says which suppliers it seeded (the hospital's register of eight)."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from insurable.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_demo_prints_the_seeded_suppliers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(app, ["demo", "--examples", str(EXAMPLES), "--database-url", url, "--no-assess"])
    assert result.exit_code == 0, result.output
    hospital = yaml.safe_load((EXAMPLES / "hospital.yaml").read_text(encoding="utf-8"))["name"]
    register = yaml.safe_load((EXAMPLES / "suppliers" / "hospital-suppliers.yaml").read_text(encoding="utf-8"))
    assert f"{hospital}: {len(register['suppliers'])} suppliers in its register" in result.output
    again = CliRunner().invoke(app, ["demo", "--examples", str(EXAMPLES), "--database-url", url, "--no-assess"])
    assert again.exit_code == 0 and "suppliers in its register" not in again.output  # nothing new seeded
