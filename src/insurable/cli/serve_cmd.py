"""``insurable serve`` (the multi-user service on 127.0.0.1:8000) and ``insurable demo`` (seed it)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from insurable.cli.app import console, err_console, guarded

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db "
        "(default: $INSURABLE_DATABASE_URL, else SQLite in your data directory)",
        show_default=False,
    ),
]


def _describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite database {parsed.database}"
    return f"{parsed.get_backend_name()} database {parsed.render_as_string(hide_password=True)}"


def _port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (in use, not an address here), or ``None`` when it can.
    Checked before "Web app on ..." is printed, so a taken port never looks like a running server."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"unknown host ({exc.strerror})"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except OSError as exc:
            return "the port is in use" if exc.errno in (98, 48, 10048) else exc.strerror or str(exc)
    return None


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)] = 8000,
    database: DatabaseOption = None,
) -> None:
    """Run the REST API (/api/v1, OpenAPI at /api/v1/openapi.json) with its database."""
    # The service stack (SQLAlchemy, Alembic, FastAPI) loads only when a service command runs.
    import uvicorn
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from insurable.api import create_app
    from insurable.api.settings import Settings
    from insurable.store.db import database_url
    from insurable.store.models import User

    url = database_url(database)
    console.print(f"Using the {_describe(url)}")
    try:
        app = create_app(guarded(lambda: Settings.from_env(database_url=url)))
    except SQLAlchemyError as exc:
        err_console.print(f"[bold red]error:[/] cannot open the database: {exc.__class__.__name__}: {exc}")
        raise typer.Exit(1) from exc
    guarded(app.state.catalog)  # load and check the catalogue now, not at the first request
    with app.state.sessions() as session:
        if session.scalar(select(func.count()).select_from(User)) == 0:
            console.print("No accounts yet: run `insurable demo` to seed demo accounts and organisations.")
    taken = _port_taken(host, port)
    if taken:
        err_console.print(f"[bold red]error:[/] cannot listen on {host}:{port}: {taken}; choose another with --port")
        raise typer.Exit(1)
    console.print(f"Web app on http://{host}:{port}/  (docs/web.md)")
    console.print(f"API on http://{host}:{port}/api/v1  (OpenAPI: http://{host}:{port}/api/v1/openapi.json)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print("[yellow]warning:[/] listening beyond loopback; put it behind https (a proxy).")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)


def demo(
    examples: Annotated[
        Path | None,
        typer.Option(
            help="folder of example organisation files (profile + answers YAML); "
            "default: ./examples, else the examples shipped with insurable",
            show_default=False,
        ),
    ] = None,
    database: DatabaseOption = None,
    assess: Annotated[bool, typer.Option(help="submit one assessment per organisation")] = True,
) -> None:
    """Seed demo accounts (admin, broker, underwriter, owners) and organisations, and say how to log in."""
    from insurable.api.app import _default_assessor
    from insurable.api.demo import DEMO_PASSWORD, examples_dir, seed
    from insurable.catalog.loader import load_catalog
    from insurable.store.db import database_url, make_engine, make_sessionmaker, upgrade

    examples = examples_dir(examples)
    files = sorted(examples.glob("*.yaml")) if examples.is_dir() else []
    if not files:
        err_console.print(f"[bold red]error:[/] no example organisation files (*.yaml) in {examples}")
        raise typer.Exit(2)
    url = database_url(database)
    engine = make_engine(url)
    upgrade(engine)
    catalog = guarded(load_catalog)
    report = seed(make_sessionmaker(engine), files, lambda: catalog, _default_assessor if assess else None)
    engine.dispose()
    console.print(f"Seeded the {_describe(url)}: {len(report.organisations)} organisations.")
    console.print("".join(f"  {name}: {n} suppliers in its register\n" for name, n in report.suppliers.items()), end="")
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", markup=True)
    console.print(f"\nLog in with any of these accounts, password [bold]{DEMO_PASSWORD}[/]:")
    for account in report.accounts:
        console.print(f"  {account.email:<32} {account.kind:<12} sees {account.sees}", markup=False)
    console.print(
        "\nStart the service with `insurable serve`, then for example:\n"
        "  curl -c jar -H 'Content-Type: application/json' "
        f'-d \'{{"email": "broker@demo.example", "password": "{DEMO_PASSWORD}"}}\' '
        "http://127.0.0.1:8000/api/v1/auth/login\n"
        "  curl -b jar http://127.0.0.1:8000/api/v1/organisations",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("demo")(demo)
