"""``insurable nis2 ORG.yaml``: NIS2 / Cyberbeveiligingswet classification, duties and fine ceiling."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from insurable.catalog.controls import ControlsFile
from insurable.catalog.loader import Catalog
from insurable.catalog.yamlio import read_yaml
from insurable.cli.app import Format, Lang, console, fail, guarded, load_catalog_option, print_json
from insurable.errors import InputError, Problem
from insurable.nis2 import (
    Nis2File,
    Nis2Result,
    classify,
    duty_controls,
    legally_required_controls,
    nis2_catalogue,
    validate,
)
from insurable.nis2.scope import entity_type_problems
from insurable.profile import Organisation, load_organisation
from insurable.reports.labels import number
from insurable.text import Lang as TextLang

LABELS: dict[str, dict[str, str]] = {
    "title": {"nl": "NIS2 / Cyberbeveiligingswet", "en": "NIS2 / Cyberbeveiligingswet"},
    "classification": {"nl": "Classificatie", "en": "Classification"},
    "essential": {"nl": "essentiële entiteit", "en": "essential entity"},
    "important": {"nl": "belangrijke entiteit", "en": "important entity"},
    "out_of_scope": {"nl": "buiten het toepassingsgebied", "en": "out of scope"},
    "in_scope_neither": {
        "nl": "binnen het toepassingsgebied, essentieel noch belangrijk",
        "en": "in scope, neither essential nor important",
    },
    "not_assessed": {"nl": "niet beoordeeld", "en": "not assessed"},
    "provisional": {
        "nl": "voorlopig, als de ontbrekende feiten het toelaten: {c}",
        "en": "provisional, if the missing facts allow: {c}",
    },
    "lex": {"nl": "Sectorale regeling", "en": "Sector act"},
    "lex_text": {
        "nl": (
            "{act} ({basis}) regelt in plaats van NIS2: {duties}. "
            "Die maatregelen blijven wettelijk verplicht, onder {act}."
        ),
        "en": "{act} ({basis}) governs instead of NIS2: {duties}. Those measures remain legally required, under {act}.",
    },
    "eu_link": {"nl": "Band met de Unie (art. 2(1))", "en": "Link with the Union (Art. 2(1))"},
    "eu_yes": {"nl": "ja", "en": "yes"},
    "eu_no": {"nl": "nee", "en": "no"},
    "eu_unknown": {"nl": "onbekend", "en": "unknown"},
    "established": {"nl": "gevestigd in de Unie", "en": "established in the Union"},
    "jurisdiction": {"nl": "Rechtsmacht", "en": "Jurisdiction"},
    "jurisdiction_unknown": {
        "nl": "lidstaat niet af te leiden uit het profiel",
        "en": "Member State not derivable from the profile",
    },
    "not_established": {"nl": "niet gevestigd in de Unie", "en": "not established in the Union"},
    "fine_scope": {
        "nl": "voor inbreuken op {arts}; andere inbreuken: sancties volgens {other}",
        "en": "for infringements of {arts}; other infringements: penalties under {other}",
    },
    "no_fine_lex": {
        "nl": "geen NIS2-boeteplafond: handhaving onder {act} ({basis})",
        "en": "no NIS2 fine ceiling: enforcement under {act} ({basis})",
    },
    "size": {"nl": "Omvang", "en": "Size"},
    "micro": {"nl": "micro", "en": "micro"},
    "small": {"nl": "klein", "en": "small"},
    "medium": {"nl": "middelgroot", "en": "medium-sized"},
    "large": {"nl": "groot", "en": "large"},
    "figures": {
        "nl": "personeel {h} JAE, omzet EUR {t}, balanstotaal EUR {b} (inclusief partner- en verbonden ondernemingen)",
        "en": "staff {h} AWU, turnover EUR {t}, balance sheet EUR {b} (partner and linked enterprises included)",
    },
    "own": {"nl": "op eigen cijfers: {c}", "en": "on own figures: {c}"},
    "types": {"nl": "Typen entiteit", "en": "Entity types"},
    "none": {"nl": "geen", "en": "none"},
    "basis": {"nl": "Rechtsgrond", "en": "Legal basis"},
    "why": {"nl": "Waarom", "en": "Why"},
    "duties": {"nl": "Plichten", "en": "Duties"},
    "no_duties": {"nl": "Geen NIS2-plichten.", "en": "No NIS2 duties."},
    "controls": {"nl": "maatregelen", "en": "controls"},
    "fine": {"nl": "Maximale boete", "en": "Maximum fine"},
    "fine_text": {
        "nl": "ten minste EUR {cap} ({article}: het hoogste van EUR {fixed} en {pct} % van de groepsomzet EUR {t})",
        "en": "at least EUR {cap} ({article}: the higher of EUR {fixed} and {pct} % of group turnover EUR {t})",
    },
    "no_fine": {"nl": "niet van toepassing", "en": "not applicable"},
    "notes": {"nl": "Opmerkingen", "en": "Notes"},
    "tags": {
        "nl": "[V] geverifieerd, [S] secundaire bron, [U] onbevestigd, [D] onze lezing",
        "en": "[V] verified, [S] secondary source, [U] unconfirmed, [D] our reading",
    },
}


#: Colours of the confidence tags in text output.
TAG_STYLES = {"V": "green", "S": "cyan", "U": "bold yellow", "D": "magenta"}


def _l(key: str, lang: TextLang) -> str:
    return LABELS[key][lang]


def _eur(value: float, lang: TextLang) -> str:
    """Whole euros grouped the way each language does (62.000.000 in nl, 62,000,000 in en)."""
    return number(value, lang)


def _num(value: float, lang: TextLang) -> str:
    """Up to two decimals without trailing zeros, grouped and with the decimal mark of ``lang``."""
    text = number(value, lang, 2)
    mark = "," if lang == "nl" else "."
    return text.rstrip("0").rstrip(mark) if mark in text else text


def load_nis2_org(path: Path, nis2: Nis2File) -> Organisation:
    """Read the organisation and report every problem at once (profile fields and NIS2 checks)."""
    problems: list[Problem] = []
    org: Organisation | None = None
    try:
        org = load_organisation(path)
    except InputError as exc:
        problems += exc.problems
        problems += _raw_type_problems(path, nis2)
    if org is not None:
        problems += validate(org, nis2, file=str(path))
    if problems:
        fail(problems)
    assert org is not None
    return org


def _raw_type_problems(path: Path, nis2: Nis2File) -> list[Problem]:
    """Entity-type problems in a file whose profile did not validate, so they surface together."""
    try:
        data = read_yaml(path)
    except InputError:
        return []
    ids = data.get("nis2_entity_types") if isinstance(data, dict) else None
    return entity_type_problems(ids, nis2, str(path)) if isinstance(ids, list) else []


def to_json(result: Nis2Result, nis2: Nis2File, controls: ControlsFile | None, lang: TextLang) -> dict[str, Any]:
    """The JSON document of ``insurable nis2 --format json`` (texts in ``lang``)."""
    types = nis2.types_by_id()
    by_duty = duty_controls(nis2, controls) if controls is not None else {}
    duties = {d.id: d for d in nis2.duties}
    return {
        "classification": result.classification,
        "size_category": result.size_category,
        "size_category_own": result.size_category_own,
        "headcount_used": result.headcount_used,
        "turnover_used_eur": result.turnover_used_eur,
        "balance_sheet_used_eur": result.balance_sheet_used_eur,
        "entity_types": [
            {"id": t, "annex": types[t].annex, "name": types[t].name.get(lang)} for t in result.entity_types
        ],
        "legal_basis": list(result.legal_basis),
        "rules": list(result.rules),
        "reasons": [r.get(lang) for r in result.reasons],
        "duties": list(result.duties),
        "duty_details": [
            {
                "id": d,
                "article": duties[d].article,
                "title": duties[d].title.get(lang),
                "deadline_hours": duties[d].deadline_hours,
                "controls": list(by_duty.get(d, ())),
            }
            for d in result.duties
        ],
        "art21_letters": list(result.art21_letters),
        "legally_required_controls": sorted(legally_required_controls(result, controls))
        if controls is not None
        else [],
        "fine_cap_eur": result.fine_cap_eur,
        "fine_article": result.fine_article,
        "fine_turnover_eur": result.fine_turnover_eur,
        "notes": [
            {"id": n.id, "tag": n.tag, "text": n.text.get(lang), "sources": list(n.sources)} for n in result.notes
        ],
        "catalogue_version": result.catalogue_version,
        # added with catalogue 2.0 (docs/nis2.md, "Output contract")
        "in_scope": result.in_scope,
        "provisional_classification": result.provisional_classification,
        "eu_link": result.eu_link,
        "established_in_eu": result.established_in_eu,
        "lex_specialis": result.lex_specialis,
        "lex_specialis_act": result.lex_specialis_act.get(lang) if result.lex_specialis_act is not None else None,
        "lex_specialis_basis": list(result.lex_specialis_basis),
        "displaced_duties": list(result.displaced_duties),
        "fine_infringements": list(result.fine_infringements),
        "other_penalties_article": result.other_penalties_article,
        "jurisdiction_basis": result.jurisdiction_basis,
        "jurisdiction_member_states": list(result.jurisdiction_member_states),
    }


def render_markdown(result: Nis2Result, nis2: Nis2File, controls: ControlsFile | None, lang: TextLang) -> str:
    """The human report: classification, size and figures, basis, duties, fine and tagged notes."""
    types = nis2.types_by_id()
    by_duty = duty_controls(nis2, controls) if controls is not None else {}
    duties = {d.id: d for d in nis2.duties}
    figures = _l("figures", lang).format(
        h=_num(result.headcount_used, lang),
        t=_eur(result.turnover_used_eur, lang),
        b=_eur(result.balance_sheet_used_eur, lang),
    )
    size = f"**{_l(result.size_category, lang)}** — {figures}"
    if result.size_category_own != result.size_category:
        size += "; " + _l("own", lang).format(c=_l(result.size_category_own, lang))
    annex = "Bijlage" if lang == "nl" else "Annex"
    listed = [f"{t} {types[t].name.get(lang)} ({annex} {types[t].annex})" for t in result.entity_types]
    outcome = f"**{_l(result.classification, lang)}** (`{result.classification}`)"
    if result.provisional_classification is not None:
        outcome += "; " + _l("provisional", lang).format(c=_l(result.provisional_classification, lang))
    link = (
        _l(f"eu_{result.eu_link}", lang)
        + ", "
        + _l("established" if result.established_in_eu else "not_established", lang)
    )
    out = [
        f"# {_l('title', lang)}",
        "",
        f"- **{_l('classification', lang)}:** {outcome}",
        f"- **{_l('size', lang)}:** {size}",
        f"- **{_l('types', lang)}:** {'; '.join(listed) if listed else _l('none', lang)}",
        f"- **{_l('eu_link', lang)}:** {link}",
        *(
            [
                f"- **{_l('jurisdiction', lang)}:** {result.jurisdiction_basis}: "
                + (", ".join(result.jurisdiction_member_states) or _l("jurisdiction_unknown", lang))
            ]
            if result.jurisdiction_basis is not None
            else []
        ),
        "",
        f"## {_l('basis', lang)}",
        "",
        *[f"- {b}" for b in result.legal_basis],
        "",
        f"**{_l('why', lang)}:** " + " ".join(r.get(lang) for r in result.reasons),
        "",
    ]
    if result.lex_specialis_act is not None:
        out += [
            f"## {_l('lex', lang)}",
            "",
            _l("lex_text", lang).format(
                act=result.lex_specialis_act.get(lang),
                basis=", ".join(result.lex_specialis_basis),
                duties=", ".join(f"`{d}`" for d in result.displaced_duties),
            ),
            "",
        ]
    out += [f"## {_l('duties', lang)}", ""]
    if not result.duties:
        out.append(_l("no_duties", lang))
    for duty_id in result.duties:
        duty = duties[duty_id]
        line = f"- `{duty_id}` {duty.article} — {duty.title.get(lang)}"
        if by_duty.get(duty_id):
            line += f" ({_l('controls', lang)}: {', '.join(by_duty[duty_id])})"
        out.append(line)
    out += ["", f"## {_l('fine', lang)}", ""]
    if result.fine_cap_eur is not None and result.fine_turnover_eur is not None:
        fine = nis2.fine(result.classification)
        out.append(
            _l("fine_text", lang).format(
                cap=_eur(result.fine_cap_eur, lang),
                article=fine.article,
                fixed=_eur(fine.fixed_eur, lang),
                pct=_num(fine.turnover_share * 100, lang),
                t=_eur(result.fine_turnover_eur, lang),
            )
            + "; "
            + _l("fine_scope", lang).format(
                arts=" / ".join(result.fine_infringements), other=result.other_penalties_article
            )
        )
    elif result.lex_specialis_act is not None:
        out.append(
            _l("no_fine_lex", lang).format(
                act=result.lex_specialis_act.get(lang), basis=", ".join(result.lex_specialis_basis)
            )
        )
    else:
        out.append(_l("no_fine", lang))
    out += ["", f"## {_l('notes', lang)}", "", f"_{_l('tags', lang)}_", ""]
    out += [f"- **[{n.tag}]** {n.text.get(lang)}" for n in result.notes]
    return "\n".join(out) + "\n"


def _controls(catalog: Catalog) -> ControlsFile | None:
    return catalog.controls if "controls.yaml" in catalog.files else None


def nis2(
    org_file: Annotated[Path, typer.Argument(help="Organisation YAML with size fields and nis2_entity_types.")],
    fmt: Annotated[Format, typer.Option("--format", help="text, json or markdown.")] = Format.text,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the output.")] = Lang.en,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
) -> None:
    """NIS2 / Cbw: essential, important or out of scope, with legal basis, duties and fine ceiling."""
    catalog = load_catalog_option(catalog_dir)
    catalogue = guarded(lambda: nis2_catalogue(catalog))
    org = load_nis2_org(org_file, catalogue)
    try:
        result = classify(org, catalogue, file=str(org_file))
    except InputError as exc:
        fail(exc.problems)
    controls = _controls(catalog)
    if fmt is Format.json:
        print_json(to_json(result, catalogue, controls, _lang(lang)))
        return
    text = render_markdown(result, catalogue, controls, _lang(lang))
    if fmt is Format.markdown:
        typer.echo(text, nl=False)
    else:
        print_text(text)


def print_text(markdown: str) -> None:
    """Print the report with Rich without cropping long lines: headings bold, tags coloured."""
    for line in markdown.splitlines():
        plain = line.replace("**", "").replace("`", "").strip()
        if len(plain) > 1 and plain.startswith("_") and plain.endswith("_"):
            plain = plain[1:-1]
        if line.startswith("#"):
            console.print(Text(plain.lstrip("# "), style="bold underline" if line.startswith("# ") else "bold"))
            continue
        text = Text("  • " + plain[2:] if plain.startswith("- ") else plain)
        for tag, style in TAG_STYLES.items():
            text.highlight_words([f"[{tag}]"], style=style)
        console.print(text)


def _lang(lang: Lang) -> TextLang:
    return "nl" if lang is Lang.nl else "en"


def register(app: typer.Typer) -> None:
    app.command("nis2")(nis2)
