"""The ``insurable`` command line (Typer + Rich).

Each feature registers its commands from its own module (``assess_cmd``, ``nis2_cmd``,
``simulate_cmd``, ...) through :func:`register`. Every input error exits with code 2 and a list of
problems naming file, field and reason; no traceback reaches the user.
"""

from __future__ import annotations

import importlib

import typer

from insurable.cli.app import app

#: Command modules, each exposing ``register(app)``; a missing module is skipped so that features
#: can land independently.
COMMAND_MODULES = (
    "insurable.cli.assess_cmd",
    "insurable.cli.catalog_cmd",
    "insurable.cli.nis2_cmd",
    "insurable.cli.simulate_cmd",
    "insurable.cli.calibrate_cmd",
    "insurable.cli.serve_cmd",
    "insurable.cli.offers_cmd",
    "insurable.cli.scan_cmd",
    "insurable.cli.interchange_cmd",
    "insurable.cli.suppliers_cmd",
    "insurable.cli.portfolio_cmd",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(app)
    _speak_lang(app)


def _speak_lang(group: typer.Typer) -> None:
    """Every command (and every command of a sub-group) writes its error lines in its ``--lang``."""
    from insurable.cli.messages import speaking

    for command in group.registered_commands:
        if command.callback is not None:
            command.callback = speaking(command.callback)
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _speak_lang(sub.typer_instance)


_register_all()


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
