"""The NIS2 part of the profile form: Annex I/II entity types, the NIS2 flags and the partner and
linked enterprises (``group``), read from plain form strings and checked with the profile model and
:func:`insurable.nis2.validate`, so every problem is shown next to the field it concerns.

Form names: ``nis2_entity_types`` (one checkbox per type), ``nis2_flags.<flag>`` (checkboxes, choices,
yes/no/unknown choices and the Member State codes as text) and, per group row ``i``,
``group-<i>-<field>`` with ``group-<i>-remove`` to drop a row. The page always ends in
:data:`BLANK_ROWS` empty rows, so rows are added and removed without JavaScript. ``nis2_shown``
marks a form that carries this section (a post without it leaves the NIS2 fields alone).

Policy: entity types and flags are saved together, and only when they agree with each other; the
group is saved as a whole, and only when every row is valid. Otherwise the stored values stay and
the page shows what was posted with the errors beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from insurable.countries import EU_MEMBER_STATES, ISO_3166_ALPHA2
from insurable.nis2.model import PUBLIC_ADMINISTRATION_FLAGS, EntityType, Nis2File
from insurable.profile import GroupEnterprise, Nis2Flags, Organisation
from insurable.text import Text
from insurable.web.i18n import Msg, _

SHOWN = "nis2_shown"
TYPES = "nis2_entity_types"
FLAG_BOOLS = (
    "qualified_trust_service_provider",
    "cer_critical_entity",
    "former_operator_of_essential_services",
    "dora_exempt",
    "national_security_exclusion",
)
FLAG_CHOICES: dict[str, tuple[str, ...]] = {
    "public_administration": ("central", "regional"),
    "member_state_designation": ("essential", "important"),
    "domain_registration": ("registrar", "agent"),
}
#: Yes/no questions where "not known" is an answer of its own (it can make the outcome "not assessed").
FLAG_TRISTATE = ("eu_services", "public_administration_identified")
#: Member State codes typed as text: a list (comma or space separated) and a single code.
FLAG_CODES = ("eu_establishments", "representative_member_state")
#: The order of the flag fields on the page.
FLAG_ORDER = (
    "eu_services",
    "eu_establishments",
    "representative_member_state",
    "qualified_trust_service_provider",
    "public_administration",
    "public_administration_identified",
    "national_security_exclusion",
    "cer_critical_entity",
    "member_state_designation",
    "former_operator_of_essential_services",
    "domain_registration",
    "dora_exempt",
)
GROUP_NUMBERS = ("employees", "annual_turnover_eur", "balance_sheet_total_eur")
GROUP_FIELDS = ("relation", "share", "control", "name", *GROUP_NUMBERS, "consolidated")
#: Links of control that make an enterprise linked at any share (Recommendation Annex Art. 3(3)(b)-(d)).
CONTROL_LINKS = ("board_majority", "dominant_influence", "shareholder_agreement")
CONTROLS = ("voting_majority", *CONTROL_LINKS)
BLANK_ROWS = 2
MAX_ROWS = 50
#: Raw posted state kept in the page values when it could not be saved (shown instead of the stored one).
RAW = "_nis2_raw"

#: Interface labels for the flag fields, their choices and the group columns.
FLAG_LABELS = {
    "qualified_trust_service_provider": _("Qualified trust service provider (eIDAS)"),
    "public_administration": _("Public administration entity"),
    "cer_critical_entity": _("Critical entity under the CER Directive"),
    "member_state_designation": _("Designated by a Member State"),
    "eu_services": _("Provides services or carries out activities in the EU (Art. 2(1))"),
    "eu_establishments": _("EU Member States where it is established (codes such as NL, BE)"),
    "representative_member_state": _("Member State of its representative in the EU (Art. 26(3))"),
    "public_administration_identified": _("Regional: identified after the risk-based assessment (Art. 2(2)(f)(ii))"),
    "former_operator_of_essential_services": _("Operator of essential services before 16 January 2023, kept essential"),
    "domain_registration": _("Domain name registration services (Art. 2(4))"),
    "dora_exempt": _("Financial entity exempted from DORA"),
    "national_security_exclusion": _(
        "Mainly active in national security, public security, defence or law enforcement (Art. 2(7))"
    ),
}
TRISTATE_LABELS = {"": _("not known"), "true": _("yes"), "false": _("no")}
CHOICE_LABELS = {
    "": _("none"),
    "central": _("central government"),
    "regional": _("regional government"),
    "essential": _("as an essential entity"),
    "important": _("as an important entity"),
    "partner": _("partner enterprise (25 to 50 per cent)"),
    "linked": _("linked enterprise (more than 50 per cent, or control)"),
    "registrar": _("registrar"),
    "agent": _("agent, reseller or privacy/proxy service for registrars"),
    "voting_majority": _("majority of the voting rights"),
    "board_majority": _("right to appoint or remove a majority of the board"),
    "dominant_influence": _("dominant influence by contract or articles"),
    "shareholder_agreement": _("majority of votes by agreement with other shareholders"),
}
GROUP_LABELS = {
    "relation": _("Relation"),
    "share": _("Share held (per cent)"),
    "name": _("Name (optional)"),
    "employees": _("Staff of this enterprise (annual work units)"),
    "annual_turnover_eur": _("Turnover of this enterprise (EUR)"),
    "balance_sheet_total_eur": _("Balance sheet total of this enterprise (EUR)"),
    "control": _("Control other than by share (linked enterprises)"),
    "consolidated": _("Already included in our consolidated accounts"),
}


@dataclass
class Sector:
    annex: str
    prefix: str
    name: Text
    types: list[EntityType] = field(default_factory=list)


def sectors(nis2: Nis2File) -> list[Sector]:
    """Entity types grouped by annex and sector, in catalogue order."""
    out: dict[str, Sector] = {}
    for t in nis2.entity_types:
        out.setdefault(t.sector_prefix, Sector(t.annex, t.sector_prefix, t.sector)).types.append(t)
    return list(out.values())


def _number(raw: str) -> float | int | None:
    from insurable.web.forms import _number as number

    return number(raw)


def _clean(values: Sequence[str]) -> list[str]:
    return [v for v in values if "\x00" not in v]


def _last(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = _clean(form.get(name, ()))
    return values[-1].strip()[:200] if values else ""


def raw_state(form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """What was posted, as strings, in the shape :func:`view` shows."""
    try:
        count = min(max(int(_last(form, "group_rows") or "0"), 0), MAX_ROWS)
    except ValueError:
        count = 0
    rows = []
    for i in range(count):
        row = {name: _last(form, f"group-{i}-{name}") for name in GROUP_FIELDS}
        row["consolidated"] = "true" if row["consolidated"] == "true" else ""
        if _last(form, f"group-{i}-remove") or not any(row.values()):
            continue
        rows.append(row)
    return {
        "types": [v for v in dict.fromkeys(_clean(form.get(TYPES, ()))) if v][:200],
        "flags": {
            **{name: _last(form, f"nis2_flags.{name}") == "true" for name in FLAG_BOOLS},
            **{name: _last(form, f"nis2_flags.{name}") for name in (*FLAG_CHOICES, *FLAG_TRISTATE, *FLAG_CODES)},
        },
        "rows": rows,
    }


def stored_state(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The stored NIS2 fields of a profile, as strings, in the shape :func:`view` shows."""
    found = profile.get("nis2_flags")
    flags: dict[str, Any] = found if isinstance(found, dict) else {}
    rows = []
    for g in profile.get("group") or ():
        if not isinstance(g, dict):
            continue
        row = {name: _text(g.get(name)) for name in GROUP_FIELDS}
        share = g.get("share")
        row["share"] = _text(round(share * 100, 6)) if isinstance(share, int | float) else ""
        row["consolidated"] = "true" if g.get("consolidated") is True else ""
        rows.append(row)
    states = {True: "true", False: "false"}
    establishments = flags.get("eu_establishments")
    return {
        "types": [t for t in profile.get(TYPES) or () if isinstance(t, str)],
        "flags": {
            **{name: bool(flags.get(name)) for name in FLAG_BOOLS},
            **{name: flags.get(name) or "" for name in FLAG_CHOICES},
            **{name: states.get(flags.get(name), "") for name in FLAG_TRISTATE},  # type: ignore[arg-type]
            "eu_establishments": ", ".join(establishments) if isinstance(establishments, list) else "",
            "representative_member_state": flags.get("representative_member_state") or "",
        },
        "rows": rows,
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def view(values: Mapping[str, Any]) -> dict[str, Any]:
    """The section's display state: posted strings when they were not saved, else the stored ones,
    followed by :data:`BLANK_ROWS` empty group rows."""
    state = values.get(RAW) or stored_state(values)
    blank = dict.fromkeys(GROUP_FIELDS, "")
    return {**state, "rows": [*state["rows"], *(dict(blank) for _ in range(BLANK_ROWS))]}


def parse(
    current: Mapping[str, Any], form: Mapping[str, Sequence[str]], nis2: Nis2File
) -> tuple[dict[str, Any], dict[str, Msg]]:
    """The profile with the posted NIS2 fields applied where they are valid, and errors by form name.

    When something posted is not saved, the returned profile carries :data:`RAW` (the posted strings),
    which the caller shows and never stores (see :func:`strip`)."""
    updated = dict(current)
    if SHOWN not in form:
        return updated, {}
    raw = raw_state(form)
    errors: dict[str, Msg] = {}

    # --- flags and entity types: checked together (insurable.nis2.validate) ---
    flags: dict[str, Any] = {name: raw["flags"][name] for name in FLAG_BOOLS}
    for name, allowed in FLAG_CHOICES.items():
        chosen = raw["flags"][name]
        if chosen and chosen not in allowed:
            errors[f"nis2_flags.{name}"] = Msg(_("This answer is not one of the allowed choices."))
        flags[name] = chosen if chosen in allowed else None
    for name in FLAG_TRISTATE:
        answer = raw["flags"][name]
        if answer not in ("", "true", "false"):
            errors[f"nis2_flags.{name}"] = Msg(_("This answer is not one of the allowed choices."))
        flags[name] = {"true": True, "false": False}.get(answer)
    codes = [c.upper() for c in raw["flags"]["eu_establishments"].replace(",", " ").split()]
    wrong = [c for c in codes if c not in EU_MEMBER_STATES]
    if wrong:
        errors["nis2_flags.eu_establishments"] = Msg(
            _("Not an EU Member State code: %(codes)s. Use codes such as NL, BE, DE."), codes=", ".join(wrong[:5])
        )
    flags["eu_establishments"] = list(dict.fromkeys(c for c in codes if c in EU_MEMBER_STATES))
    representative = raw["flags"]["representative_member_state"].upper()
    if representative and representative not in EU_MEMBER_STATES:
        errors["nis2_flags.representative_member_state"] = Msg(
            _("Not an EU Member State code: %(codes)s. Use codes such as NL, BE, DE."), codes=representative
        )
    flags["representative_member_state"] = representative if representative in EU_MEMBER_STATES else None
    types: list[str] = raw["types"]
    known = nis2.types_by_id()
    unknown = [t for t in types if t not in known]
    if unknown:
        errors[TYPES] = Msg(_("Unknown NIS2 entity type: %(ids)s."), ids=", ".join(unknown[:5]))
    if not errors:
        country = current.get("country")
        org = Organisation(
            country=country if isinstance(country, str) and country in ISO_3166_ALPHA2 else None,
            nis2_entity_types=tuple(types),
            nis2_flags=Nis2Flags.model_validate(flags),
        )
        from insurable.nis2 import validate

        for problem in validate(org, nis2):
            if problem.path.startswith(("nis2_flags.", TYPES)):
                key = TYPES if problem.path.startswith(TYPES) else problem.path
                errors.setdefault(key, _flag_message(problem.path, types, flags, nis2))
    saved_types = not errors
    if saved_types:
        _put(updated, TYPES, types)
        kept = {k: v for k, v in flags.items() if v is not None and v != [] and not (k in FLAG_BOOLS and v is False)}
        _put(updated, "nis2_flags", kept)

    # --- the group: saved as a whole when every row is valid ---
    group: list[dict[str, Any]] = []
    group_errors: dict[str, Msg] = {}
    for i, row in enumerate(raw["rows"]):
        parsed, row_errors = _group_row(row, i)
        group_errors.update(row_errors)
        if parsed is not None:
            group.append(parsed)
    if not group_errors:
        _put(updated, "group", group)
    errors.update(group_errors)
    if errors:
        updated[RAW] = raw
    return updated, errors


def _put(profile: dict[str, Any], name: str, value: Any) -> None:
    if value:
        profile[name] = value
    else:
        profile.pop(name, None)


def strip(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The profile without the display-only posted state."""
    return {k: v for k, v in profile.items() if k != RAW}


def _group_row(row: Mapping[str, str], i: int) -> tuple[dict[str, Any] | None, dict[str, Msg]]:
    """One posted row, renumbered ``i`` (blank and removed rows are already gone)."""
    errors: dict[str, Msg] = {}
    out: dict[str, Any] = {}
    if row["relation"] not in ("partner", "linked"):
        errors[f"group-{i}-relation"] = Msg(_("Choose partner or linked enterprise."))
    else:
        out["relation"] = row["relation"]
    share = _number(row["share"].replace("%", ""))
    if share is None:
        errors[f"group-{i}-share"] = Msg(_("Enter the share held as a percentage, e.g. 30."))
    elif not 0 <= share <= 100:
        errors[f"group-{i}-share"] = Msg(_("Enter a percentage from 0 to 100."))
    else:
        out["share"] = round(share / 100, 6)
        if out.get("relation") == "partner" and not 0.25 <= out["share"] <= 0.5:
            errors[f"group-{i}-share"] = Msg(
                _("A partner enterprise holds between 25%% and 50%%: %(n)s%% is outside."), n=f"{share:g}"
            )
        if out.get("relation") == "linked" and out["share"] <= 0.5 and row.get("control") not in CONTROL_LINKS:
            errors[f"group-{i}-share"] = Msg(
                _(
                    "A linked enterprise holds more than 50%% (exactly 50%% is not a majority) or controls "
                    "by another link chosen under control: %(n)s%% is too little without one."
                ),
                n=f"{share:g}",
            )
    control = row.get("control", "")
    if control and control not in CONTROLS:
        errors[f"group-{i}-control"] = Msg(_("This answer is not one of the allowed choices."))
    elif control and row["relation"] == "partner":
        errors[f"group-{i}-control"] = Msg(
            _("An enterprise controlled this way is a linked enterprise, not a partner: choose linked enterprise.")
        )
    elif control:
        out["control"] = control
    if row.get("consolidated") == "true":
        out["consolidated"] = True
    if row["name"]:
        out["name"] = row["name"]
    for name in GROUP_NUMBERS:
        value = _number(row[name])
        if value is None or value < 0:
            errors[f"group-{i}-{name}"] = Msg(_("Enter a number, 0 or more."))
        else:
            out[name] = value
    if errors:
        return None, errors
    try:
        GroupEnterprise.model_validate(out)
    except ValidationError:
        return None, {f"group-{i}-share": Msg(_("This value is not valid."))}
    return out, {}


def _flag_message(path: str, types: Sequence[str], flags: Mapping[str, Any], nis2: Nis2File) -> Msg:
    def ids(flag: str) -> str:
        return ", ".join(t.id for t in nis2.entity_types if flag in t.flags)

    if path == "nis2_flags.qualified_trust_service_provider":
        return Msg(
            _("A qualified trust service provider also needs the entity type trust service provider (%(ids)s)."),
            ids=ids("trust_service"),
        )
    if path == "nis2_flags.public_administration":
        level = flags.get("public_administration") or "central"
        flag = PUBLIC_ADMINISTRATION_FLAGS[level]
        if level == "central":
            return Msg(_("Central government also needs a central government entity type (%(ids)s)."), ids=ids(flag))
        return Msg(_("Regional government also needs a regional government entity type (%(ids)s)."), ids=ids(flag))
    if path == "nis2_flags.eu_services":
        return Msg(
            _(
                "An entity established in an EU Member State, or identified by one, carries out activities "
                "in the EU: answer yes or not known."
            )
        )
    if path == "nis2_flags.representative_member_state":
        return Msg(_("Only an entity not established in the EU designates a representative (Art. 26(3))."))
    if path == "nis2_flags.public_administration_identified":
        return Msg(_("Only for regional government: choose regional government above, or leave this not known."))
    if path == "nis2_flags.national_security_exclusion":
        return Msg(_("Only for a public administration entity: choose central or regional government too."))
    if path == "nis2_flags.dora_exempt":
        return Msg(_("Only for a bank or financial market infrastructure type (%(ids)s)."), ids=ids("dora"))
    if path == "nis2_flags.member_state_designation":
        return Msg(_("A Member State designates entities of an Annex I or II type: choose that entity type too."))
    if path.startswith(TYPES + "["):
        try:
            type_id = types[int(path[len(TYPES) + 1 : -1])]
        except (ValueError, IndexError):
            type_id = ""
        if type_id and type_id not in nis2.types_by_id():
            return Msg(_("Unknown NIS2 entity type: %(ids)s."), ids=type_id)
        if type_id and "public_administration_regional" in nis2.types_by_id()[type_id].flags:
            return Msg(
                _("%(id)s is a regional government entity: choose regional government under public administration."),
                id=type_id,
            )
        if type_id:
            return Msg(
                _("%(id)s is a central government entity: choose central government under public administration."),
                id=type_id,
            )
    return Msg(_("This value is not valid."))
