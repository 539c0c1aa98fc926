"""Jinja2 environments (one per interface language, each with its gettext catalogue installed) and
the helpers routes use to answer with a page or, for htmx, one block of it (jinja2-fragments)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments import render_block

from insurable import __version__
from insurable.text import LANGS, Lang
from insurable.web.glossary import TERMS
from insurable.web.i18n import Formatter, Msg, pick_lang, translations
from insurable.web.labels import CONTROL_STATES, NIS2_CLASSES, NIS2_SIZES, RELATIONS, VERDICTS

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment(lang: Lang) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(fmt=Formatter(lang), lang=lang, langs=LANGS, version=__version__)
    env.globals.update(verdicts=VERDICTS, control_states=CONTROL_STATES, nis2_classes=NIS2_CLASSES, relations=RELATIONS)
    env.globals.update(nis2_sizes=NIS2_SIZES, glossary=TERMS)
    env.filters["msg"] = lambda m: m.render(lang) if isinstance(m, Msg) else m
    return env


def context(request: Request, **values: Any) -> dict[str, Any]:
    values.setdefault("path", request.url.path)
    values.setdefault("htmx", request.headers.get("HX-Request") == "true")
    return values


def page(
    request: Request,
    template: str,
    status_code: int = 200,
    block: str | None = None,
    lang: Lang | None = None,
    **values: Any,
) -> HTMLResponse:
    """Render ``template`` (or only its ``block`` for an htmx request) in the request's language."""
    lang = lang or pick_lang(request)
    env = environment(lang)
    ctx = context(request, **values)
    html = render_block(env, template, block, **ctx) if block else env.get_template(template).render(**ctx)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


def render_string(lang: Lang, template: str, **values: Any) -> str:
    return environment(lang).get_template(template).render(**values)
