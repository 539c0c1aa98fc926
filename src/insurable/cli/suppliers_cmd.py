"""``insurable suppliers``: the supplier register of a client, checked against its requirements.

``check`` is made for cron: exit code 1 when something needs action (a supplier that is not
compliant), 0 when all are, 2 on bad input; ``--state`` remembers what was reported so alerts
(90/60/30 days before expiry, new gaps) are raised once; ``--mail-to`` sends them through the SMTP
server of ``INSURABLE_SMTP_*`` (docs/suppliers.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from insurable.catalog.loader import Catalog
from insurable.catalog.supplier_requirements import TIERS, SupplierRequirementsFile, TierId
from insurable.cli.app import Format, Lang, console, fail, guarded, load_catalog_option, print_json
from insurable.errors import InputError, Problem
from insurable.suppliers import (
    alerts,
    concentrations,
    effective,
    evaluate_register,
    insurance_clauses,
    message,
    state_of,
)
from insurable.suppliers.concentration import vendor_names
from insurable.suppliers.model import Register
from insurable.suppliers.register_io import export_rows, merge_rows, parse_register, read_rows, write_csv, write_xlsx

suppliers_app = typer.Typer(
    help="Supplier register: requirements per tier, evidence, status, alerts (NIS2 Art. 21(2)(d)).",
    no_args_is_help=True,
)

#: Exit code of ``check`` when a supplier needs action.
EXIT_ACTION = 1
STATUS_LABEL = {
    "compliant": {"nl": "voldoet", "en": "compliant"},
    "gap": {"nl": "tekortkoming", "en": "gap"},
    "expiring": {"nl": "verloopt", "en": "expiring"},
    "expired": {"nl": "verlopen", "en": "expired"},
    "unknown": {"nl": "onbekend", "en": "unknown"},
}
STYLE = {"compliant": "green", "gap": "red", "expired": "red", "expiring": "yellow", "unknown": "dim"}


def requirements_file(catalog: Catalog) -> SupplierRequirementsFile:
    found = catalog.files.get("supplier_requirements.yaml")
    if not isinstance(found, SupplierRequirementsFile):
        fail([Problem("--catalog", "the catalogue has no supplier_requirements.yaml", str(catalog.directory))])
    return found


def read_register(path: Path) -> Register:
    def load() -> Register:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError([Problem("", f"cannot read the register ({exc.__class__.__name__})", str(path))]) from None
        return parse_register(text, str(path))

    return guarded(load)


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail([Problem("--as-of", f"expected a date YYYY-MM-DD, got {value!r}")])


def _read_state(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail([Problem("--state", f"not a state file written by this command ({exc.__class__.__name__})", str(path))])
    if not isinstance(data, dict) or not isinstance(data.get("findings"), dict):
        fail([Problem("--state", "not a state file written by this command", str(path))])
    findings: dict[str, Any] = data["findings"]
    return findings


@suppliers_app.command("check")
def check(
    register_path: Annotated[Path, typer.Argument(help="The register (YAML, see docs/suppliers.md).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Check on this date (YYYY-MM-DD); default today (UTC).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json (markdown prints text).")] = Format.text,
    lang: Annotated[Lang | None, typer.Option("--lang", help="nl or en (default: the register's language).")] = None,
    state: Annotated[
        Path | None, typer.Option("--state", help="JSON file remembering what was reported; alerts only what is new.")
    ] = None,
    mail_to: Annotated[
        list[str] | None, typer.Option("--mail-to", help="Send new alerts to this address (INSURABLE_SMTP_*).")
    ] = None,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
) -> None:
    """Status of every supplier with the reasons; exit 1 when something needs action."""
    catalog = load_catalog_option(catalog_dir)
    reqs = requirements_file(catalog)
    register = read_register(register_path)
    day = _as_of(as_of)
    language = lang.value if lang else register.language
    previous = _read_state(state)
    statuses = evaluate_register(reqs, register, day)
    found = alerts(previous, statuses)
    groups = concentrations(register.suppliers, names=vendor_names(catalog.questionnaire.by_id()))
    sent_to: list[str] = []
    if mail_to and found:
        from insurable.mail import mailer_from_env

        mailer = guarded(lambda: mailer_from_env(os.environ))
        if mailer is None:
            fail([Problem("--mail-to", "set INSURABLE_SMTP_HOST to send e-mail")])
        subject, body = message(register.client, found, day, "nl" if language == "nl" else "en")
        try:
            mailer.send(mail_to, subject, body, language)
        except OSError as exc:
            fail([Problem("INSURABLE_SMTP_HOST", f"sending failed: {exc.__class__.__name__}: {exc}")])
        sent_to = list(mail_to)
    if state is not None:
        state.write_text(json.dumps({"as_of": day.isoformat(), "findings": state_of(statuses)}, indent=1) + "\n")
    action = any(s.status != "compliant" for s in statuses)
    if fmt is Format.json:
        print_json(
            {
                "format_version": 1,
                "client": register.client,
                "as_of": day.isoformat(),
                "action_needed": action,
                "counts": {k: sum(1 for s in statuses if s.status == k) for k in STATUS_LABEL},
                "suppliers": [s.as_dict() for s in statuses],
                "alerts": [a.as_dict() for a in found],
                "concentration": [c.as_dict() for c in groups],
                "mailed_to": sent_to,
                "indicative": True,
            }
        )
    else:
        _print_text(register, statuses, found, groups, day, "nl" if language == "nl" else "en", sent_to)
    if action:
        raise typer.Exit(EXIT_ACTION)


def _print_text(
    register: Register, statuses: Any, found: Any, groups: Any, day: dt.date, lang: str, sent: list[str]
) -> None:
    nl = lang == "nl"
    table = Table(title=f"{register.client}: {'leveranciers op' if nl else 'suppliers on'} {day.isoformat()}")
    for col in (("Leverancier", "Supplier"), ("Niveau", "Tier"), ("Status", "Status"), ("Redenen", "Reasons")):
        table.add_column(col[0] if nl else col[1])
    for s in statuses:
        reasons = [f.reason.get("nl" if nl else "en") for f in s.findings if f.status != "compliant"]
        label = STATUS_LABEL[s.status][lang]
        table.add_row(s.supplier.name, s.supplier.tier, f"[{STYLE[s.status]}]{label}[/]", "\n".join(reasons) or "-")
    console.print(table)
    for c in groups:
        names = ", ".join(c.suppliers)
        console.print(
            (
                f"Concentratie ({c.kind}): {c.vendor} bij {names}"
                if nl
                else f"Concentration ({c.kind}): {c.vendor} at {names}"
            ),
            markup=False,
        )
    if found:
        console.print(
            f"{len(found)} {'nieuwe melding(en)' if nl else 'new alert(s)'}"
            + (f" -> {', '.join(sent)}" if sent else "")
        )
    console.print("Indicatief." if nl else "Indicative.")


@suppliers_app.command("import")
def import_rows(
    source: Annotated[Path, typer.Argument(help="CSV or XLSX file, one supplier per row.")],
    into: Annotated[Path, typer.Option("--into", help="Register YAML to create or update (evidence is kept).")],
    client: Annotated[str | None, typer.Option("--client", help="Client name for a new register.")] = None,
) -> None:
    """Add or update suppliers from a CSV or XLSX file into a register (by supplier id)."""
    if into.exists():
        register = read_register(into)
    elif client:
        register = Register(client=client)
    else:
        fail([Problem("--client", "required when the register does not exist yet", str(into))])
    try:
        data = source.read_bytes()
    except OSError as exc:
        fail([Problem("", f"cannot read ({exc.__class__.__name__})", str(source))])
    rows, header = guarded(lambda: read_rows(source, data))
    merged = guarded(lambda: merge_rows(register, rows, header, str(source)))
    dumped = merged.model_dump(mode="json", exclude_defaults=True)
    into.write_text(yaml.safe_dump(dumped, allow_unicode=True, sort_keys=False), encoding="utf-8")
    console.print(f"{len(rows)} row(s) read; {len(merged.suppliers)} supplier(s) in {into}")


@suppliers_app.command("export")
def export(
    register_path: Annotated[Path, typer.Argument(help="The register (YAML).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV or XLSX file to write.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Add status and reasons on this date.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the reasons.")] = Lang.en,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
) -> None:
    """Write the register as CSV or XLSX (with status and reasons when --as-of is given)."""
    register = read_register(register_path)
    statuses = []
    if as_of is not None:
        statuses = evaluate_register(requirements_file(load_catalog_option(catalog_dir)), register, _as_of(as_of))
    rows = export_rows(register, statuses, lang.value)
    suffix = output.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        fail([Problem("--output", "expected a .csv or .xlsx file name", str(output))])
    output.write_bytes(write_xlsx(rows) if suffix == ".xlsx" else write_csv(rows))
    console.print(f"{len(rows) - 1} supplier(s) written to {output}")


@suppliers_app.command("requirements")
def requirements(
    tier: Annotated[TierId, typer.Option("--tier", help=f"One of {', '.join(TIERS)}.")] = "critical",
    register_path: Annotated[
        Path | None, typer.Option("--register", help="Use this client's edited requirements.")
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the clauses.")] = Lang.nl,
    fmt: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
) -> None:
    """The requirements of a tier and their contract clauses, ready to paste into a contract."""
    reqs = requirements_file(load_catalog_option(catalog_dir))
    register = read_register(register_path) if register_path else Register(client="-")
    eff = effective(reqs, register, tier)
    clauses = insurance_clauses(reqs, eff, lang.value) + [
        reqs.requirement(r).clause.get("nl" if lang is Lang.nl else "en") for r in eff.requirements
    ]
    if fmt is Format.json:
        print_json(
            {
                "format_version": 1,
                "tier": tier,
                "edited_by_client": eff.edited,
                "insurance": eff.insurance.model_dump(mode="json"),
                "requirements": list(eff.requirements),
                "security_evidence": list(eff.security_evidence),
                "pentest_required": eff.pentest_required,
                "clauses": clauses,
            }
        )
        return
    for number, clause in enumerate(clauses, start=1):
        console.print(f"{number}. {clause}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(suppliers_app, name="suppliers")
