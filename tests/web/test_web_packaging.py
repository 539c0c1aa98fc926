"""``insurable demo`` outside the repository and ``serve`` on a taken port (issue 12, item 10)."""

from __future__ import annotations

import socket
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from insurable.api.demo import examples_dir
from insurable.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]


def test_the_examples_ship_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert shipped.get("examples") == "insurable/examples"
    assert sorted((ROOT / "examples").glob("*.yaml")), "nothing to ship"


def test_demo_finds_the_examples_from_any_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./examples here
    found = examples_dir()
    assert found.is_dir() and sorted(found.glob("*.yaml"))
    result = CliRunner().invoke(cli, ["demo", "--no-assess", "--database-url", f"sqlite:///{tmp_path / 'd.sqlite3'}"])
    assert result.exit_code == 0, result.output
    assert "organisations" in result.output and "no example organisation files" not in result.output


def test_serve_on_a_taken_port_fails_before_saying_it_runs(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--port", str(port), "--database-url", f"sqlite:///{tmp_path / 's.sqlite3'}"]
        )
    assert result.exit_code == 1
    assert "in use" in result.output and "--port" in result.output
    assert "Web app on" not in result.output
