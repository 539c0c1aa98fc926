"""The packaged, updatable copy of CISA's Known Exploited Vulnerabilities catalogue (offline).

The package ships a small subset (``data/kev.json``, in CISA's own JSON format, with its date).
``insurable scan update-kev FILE`` validates a full catalogue downloaded from CISA and stores it in
the user data directory, where it takes precedence; nothing is fetched at run time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from insurable.errors import InputError, Problem

KEV_FILE = "kev.json"


@dataclass(frozen=True)
class Kev:
    version: str
    released: str
    cves: dict[str, dict[str, Any]]
    source: str

    def label(self) -> str:
        return f"CISA KEV {self.version} ({self.released}, {len(self.cves)} CVEs, {self.source})"


def user_kev_path() -> Path:
    """Where ``update-kev`` stores the replacement (``INSURABLE_DATA_DIR`` overrides the default)."""
    override = os.environ.get("INSURABLE_DATA_DIR")
    if override:
        return Path(override) / KEV_FILE
    from platformdirs import user_data_dir

    return Path(user_data_dir("insurable")) / KEV_FILE


def parse_kev(data: Any, file: str) -> Kev:
    """Validate CISA's KEV JSON; raise InputError naming every problem."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InputError([Problem("", "expected CISA's KEV JSON object", file)])
    for key in ("catalogVersion", "dateReleased", "vulnerabilities"):
        if key not in data:
            problems.append(Problem(key, "required field is missing", file))
    vulns = data.get("vulnerabilities", [])
    if not isinstance(vulns, list):
        problems.append(Problem("vulnerabilities", "expected a list", file))
        vulns = []
    cves: dict[str, dict[str, Any]] = {}
    for i, vuln in enumerate(vulns):
        cve = vuln.get("cveID") if isinstance(vuln, dict) else None
        if not isinstance(cve, str) or not cve.startswith("CVE-"):
            problems.append(Problem(f"vulnerabilities[{i}].cveID", "missing or not a CVE id", file))
            continue
        cves[cve] = vuln
    if problems:
        raise InputError(problems)
    return Kev(str(data["catalogVersion"]), str(data["dateReleased"]), cves, file)


def read_kev_file(path: Path) -> Kev:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem("", "file not found", str(path))]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem("", f"not readable JSON: {exc}", str(path))]) from None
    return parse_kev(data, str(path))


def load_kev() -> Kev:
    """The user's updated copy if there is one, else the packaged subset."""
    user = user_kev_path()
    if user.is_file():
        return read_kev_file(user)
    packaged = Path(str(resources.files("insurable.scanner") / "data" / KEV_FILE))
    return read_kev_file(packaged)


def update_kev(source: Path) -> Kev:
    """Validate ``source`` and store it as the user's copy; return what was stored."""
    kev = read_kev_file(source)
    dest = user_kev_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    tmp.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    tmp.replace(dest)
    return Kev(kev.version, kev.released, kev.cves, str(dest))
