"""Run the real CLI entry in-process on an organisation file, within a time budget.

Every bad organisation file must end with exit code 2, a message naming the field (or the file),
no traceback, and in bounded time (issue 13). A SIGALRM interrupts a run that would hang, so a
regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from insurable.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "dutch-msp.yaml"
#: Seconds one command may take on a bad file (generous: two shared cores under parallel tests).
BUDGET_S = 30.0

_runner = CliRunner()


class OverBudget(Exception):
    """The command ran past its time budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise OverBudget(f"ran past its {seconds:g} s budget")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Run:
    exit_code: int
    output: str
    seconds: float
    exception: BaseException | None


def run_cli(command: str, path: Path, *extra: str, budget: float = BUDGET_S) -> Run:
    args = [command, str(path), *extra]
    if command == "assess":
        args.append("--no-plan")
    if command == "simulate":
        args += ["--trials", "2000"]
    start = time.monotonic()
    with time_budget(budget):
        result = _runner.invoke(app, args)
    return Run(result.exit_code, result.output, time.monotonic() - start, result.exception)


def assert_refused(run: Run, *names: str) -> None:
    """Exit 2, each of ``names`` (a field path or the file name) in the message, no traceback."""
    assert not isinstance(run.exception, OverBudget), f"ran past its budget: {run.output[-500:]}"
    assert run.exit_code == 2, f"exit {run.exit_code}: {run.exception!r}\n{run.output[-2000:]}"
    assert "Traceback" not in run.output
    assert "problem(s) in the input" in run.output
    for name in names:
        assert name in run.output, f"{name!r} not named in:\n{run.output[-2000:]}"


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def with_lines(text: str, **lines: str) -> str:
    """The example with top-level ``field: value`` lines replaced (or added), written raw."""
    for name, raw in lines.items():
        pattern = re.compile(rf"^{re.escape(name)}:.*$", re.MULTILINE)
        line = f"{name}: {raw}"
        text = pattern.sub(line, text) if pattern.search(text) else line + "\n" + text
    return text


def with_answer(text: str, question: str, raw: str) -> str:
    """The example with one answer line replaced (or added), written raw."""
    pattern = re.compile(rf"^  {re.escape(question)}:.*$", re.MULTILINE)
    line = f"  {question}: {raw}"
    return pattern.sub(line, text) if pattern.search(text) else text.replace("answers:\n", f"answers:\n{line}\n", 1)
