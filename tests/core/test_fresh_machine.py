"""`make test` passes on a fresh machine without libharfbuzz-subset0 (issue 13, item 17).

WeasyPrint warns with a DeprecationWarning at import when the library is missing. The test suite
runs with warnings as errors, so that one message (and only that one) is filtered in pyproject.
The check hides the library from a child pytest run that uses our own configuration.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

HIDE_SUBSET = """
import cffi

_dlopen = cffi.FFI.dlopen


def dlopen(self, name, *args, **kwargs):
    if "subset" in str(name):
        raise OSError("libharfbuzz-subset hidden by the test")
    return _dlopen(self, name, *args, **kwargs)


cffi.FFI.dlopen = dlopen
"""

IMPORTS_WEASYPRINT = """
def test_weasyprint_imports_and_renders_without_harfbuzz_subset():
    from weasyprint.text import ffi
    from weasyprint import HTML

    assert ffi.harfbuzz_subset is None
    assert HTML(string="<p>indicatief</p>").write_pdf().startswith(b"%PDF")
"""


def test_weasyprint_without_harfbuzz_subset_passes_under_our_pytest_settings(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(HIDE_SUBSET, encoding="utf-8")
    (tmp_path / "test_child.py").write_text(IMPORTS_WEASYPRINT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-c", str(ROOT / "pyproject.toml")]
    run = subprocess.run(
        [sys.executable, *args, "--rootdir", str(tmp_path), str(tmp_path / "test_child.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_only_that_warning_is_filtered():
    warnings.warn(
        "HarfBuzz-Subset will be required by future versions of WeasyPrint. Please install this library.",
        DeprecationWarning,
        stacklevel=1,
    )
    with pytest.raises(DeprecationWarning):
        warnings.warn("any other deprecation is still an error", DeprecationWarning, stacklevel=1)
