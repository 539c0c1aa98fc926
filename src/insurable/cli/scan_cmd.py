"""``insurable scan``: the outside-in scan of an organisation's declared targets, reconciled with its answers.

``insurable scan ORG.yaml`` runs the scan (``scan run`` is the same command), ``scan token``
prints the proof-of-control tokens to publish, and ``scan update-kev FILE`` replaces the packaged
CISA KEV copy with a downloaded one. See docs/scanner.md.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from insurable.cli.app import Lang, console, err_console, fail, guarded, load_catalog_option, load_org
from insurable.cli.scan_report import LABELS, exposure_of, read_scan, render_scan, text_lang
from insurable.errors import InputError, Problem
from insurable.evidence import ScanResult, reconcile


class _ScanGroup(TyperGroup):
    """``insurable scan ORG.yaml`` runs ``scan run ORG.yaml``: a first word that is no subcommand is a file."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


scan_app = typer.Typer(
    cls=_ScanGroup,
    help="Outside-in scan of your declared domains and IP ranges, reconciled with your answers.",
    no_args_is_help=True,
)


@scan_app.command("run")
def run(
    org_file: Annotated[Path, typer.Argument(help="Organisation YAML with scan_targets (and answers to reconcile).")],
    out: Annotated[Path | None, typer.Option("--out", help="Save the scan result as JSON (for assess --scan).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the text output.")] = Lang.en,
    attest: Annotated[
        bool, typer.Option("--attest", help="Attest that you control the targets (recorded with user and time).")
    ] = False,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Allow private and loopback addresses (labs and tests).")
    ] = False,
    target: Annotated[
        list[str] | None, typer.Option("--target", help="Scan only this declared domain or address (repeatable).")
    ] = None,
    ports: Annotated[
        str | None, typer.Option("--ports", help="Ports to sweep, e.g. 22,80,8000-8100 (default: critical ports).")
    ] = None,
    all_ports: Annotated[bool, typer.Option("--all-ports", help="Sweep all 65,535 TCP ports.")] = False,
    dns_server: Annotated[
        str | None, typer.Option("--dns-server", help="Resolver HOST[:PORT] (default: the system's).")
    ] = None,
    well_known_port: Annotated[
        list[str] | None,
        typer.Option(
            "--well-known-port", help="PORT or PORT/https where /.well-known/ is checked (default 443/https, 80)."
        ),
    ] = None,
    ca_file: Annotated[Path | None, typer.Option("--ca-file", help="Extra trusted CA certificates (PEM).")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=2000, help="Probes at once.")] = 100,
    rate: Annotated[
        float, typer.Option("--rate", min=0, help="Connection attempts per second in the sweep (0: no limit).")
    ] = 500.0,
    timeout: Annotated[float, typer.Option("--timeout", min=0.05, max=60, help="Seconds per network step.")] = 3.0,
    catalog_dir: Annotated[Path | None, typer.Option("--catalog", help="Catalogue directory.")] = None,
) -> None:
    """Scan the organisation's declared targets (consent first) and show findings and contradictions."""
    from insurable.scanner.engine import ScanOptions, run_scan
    from insurable.scanner.sweep import parse_ports

    problems: list[Problem] = []
    if fmt not in ("text", "json"):
        problems.append(Problem("--format", f"{fmt!r} is not one of text, json"))
    port_list: tuple[int, ...] | None = None
    if all_ports:
        port_list = tuple(range(1, 65536))
    elif ports is not None:
        try:
            port_list = tuple(parse_ports(ports))
        except ValueError as exc:
            problems.append(Problem("--ports", str(exc)))
    well_known: list[tuple[int, bool]] = []
    for spec in well_known_port or ():
        number, _, scheme = spec.partition("/")
        if not number.isdigit() or not 1 <= int(number) <= 65535 or scheme not in ("", "http", "https"):
            problems.append(Problem("--well-known-port", f"{spec!r} is not PORT, PORT/http or PORT/https"))
        else:
            well_known.append((int(number), scheme == "https"))
    if problems:
        fail(problems)
    catalog = load_catalog_option(catalog_dir)
    exposure = exposure_of(catalog)
    org = load_org(org_file, catalog)
    options = ScanOptions(
        ports=port_list,
        attest_user=_user() if attest else None,
        allow_private=allow_private,
        only=tuple(target or ()),
        nameserver=dns_server,
        well_known=tuple(well_known) or ((443, True), (80, False)),
        concurrency=concurrency,
        rate=rate or None,
        timeout=timeout,
        ca_file=str(ca_file) if ca_file else None,
    )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or 1)
            bar.update(tasks[stage], completed=done if total else 1, total=total or 1)

        try:
            result = run_scan(org, exposure, options, progress)
        except InputError as exc:
            bar.stop()
            err_console.print("[bold red]refused:[/] the scan did not start.")
            fail(exc.problems)
        except OSError as exc:
            bar.stop()
            err_console.print(f"[bold red]error:[/] network error outside any probe: {exc}", markup=True)
            raise typer.Exit(1) from None
    if out is not None:
        out.write_text(result.model_dump_json(indent=2) + "\n", encoding="utf-8")
    rec = reconcile(org.answers, result, exposure)
    if fmt == "json":
        payload = {"scan": result.model_dump(mode="json"), "reconciliation": rec.model_dump(mode="json")}
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    render_scan(console, result, rec, exposure, lang.value)
    if out is not None:
        console.print(f"Saved {out}; assess with: insurable assess {org_file} --scan {out}")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@scan_app.command("token")
def token(
    org_file: Annotated[Path, typer.Argument(help="Organisation YAML with scan_targets.")],
    catalog_dir: Annotated[Path | None, typer.Option("--catalog", help="Catalogue directory.")] = None,
) -> None:
    """Print the proof-of-control token to publish for each declared domain."""
    from insurable.scanner.consent import TXT_PREFIX, WELL_KNOWN_PATH, consent_token

    catalog = load_catalog_option(catalog_dir)
    org = load_org(org_file, catalog)
    if org.scan_targets is None or not org.scan_targets.domains:
        fail([Problem("scan_targets.domains", "no domains declared", str(org_file))])
    for domain in org.scan_targets.domains:
        value = consent_token(org.name or "", domain)
        console.print(
            f'{domain}: TXT {TXT_PREFIX}.{domain} "{value}"  or  https://{domain}{WELL_KNOWN_PATH}: {value}',
            markup=False,
        )


@scan_app.command("diff")
def diff(
    before: Annotated[Path, typer.Argument(help="The earlier saved scan (--out).")],
    after: Annotated[Path, typer.Argument(help="The later saved scan.")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the text output.")] = Lang.en,
    catalog_dir: Annotated[Path | None, typer.Option("--catalog", help="Catalogue directory.")] = None,
) -> None:
    """What changed between two saved scans: new, resolved, unchanged and not re-checked findings."""
    from insurable.evidence import diff_scans

    if fmt not in ("text", "json"):
        fail([Problem("--format", f"{fmt!r} is not one of text, json")])
    problems: list[Problem] = []
    scans: list[ScanResult] = []
    for path in (before, after):
        try:
            scans.append(read_scan(path))
        except InputError as exc:
            problems += exc.problems
    if problems:
        fail(problems)
    if scans[0].organisation != scans[1].organisation:
        fail([Problem("organisation", f"the scans are of {scans[0].organisation!r} and {scans[1].organisation!r}")])
    result = diff_scans(scans[0], scans[1])
    if fmt == "json":
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    checks = exposure_of(load_catalog_option(catalog_dir)).by_id()
    console.print(f"{result.before:%Y-%m-%d %H:%M} -> {result.after:%Y-%m-%d %H:%M}", markup=False)
    for label, items in (
        ("new", result.new),
        ("resolved", result.resolved),
        ("not_rechecked", result.not_rechecked),
    ):
        console.print(f"[bold]{LABELS[label][lang]}[/] ({len(items)})")
        for f in items:
            name = checks[f.check].name.get(text_lang(lang)) if f.check in checks else f.check
            value = "" if f.value is True else f" = {f.value}"
            console.print(f"  {name} ({f.check}{value}) {f.target}", markup=False)
    console.print(f"{LABELS['unchanged'][lang]}: {len(result.unchanged)}", markup=False)


@scan_app.command("update-kev")
def update_kev_cmd(
    file: Annotated[Path, typer.Argument(help="known_exploited_vulnerabilities.json downloaded from CISA.")],
) -> None:
    """Replace the packaged CISA KEV copy with a downloaded catalogue (no network at run time)."""
    from insurable.scanner.kev import update_kev

    kev = guarded(lambda: update_kev(file))
    console.print(f"Stored {kev.label()}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(scan_app, name="scan")
