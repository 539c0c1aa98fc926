"""``insurable init --interactive``: ask the profile and the questionnaire in order, with skip logic.

Every answer is checked as it is typed (the same checks ``assess`` applies); an empty answer leaves
it blank. The result is the same organisation file ``init`` writes, filled in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.prompt import Prompt

from insurable.catalog.loader import Catalog
from insurable.catalog.questionnaire import Question, check_answer
from insurable.conditions import evaluate
from insurable.nace import division, normalise
from insurable.profile import ASSESSMENT_FIELDS
from insurable.text import Lang

_NUMBERS = {"employees", "annual_turnover_eur", "balance_sheet_total_eur", "records_held", "requested_limit_eur",
            "requested_deductible_eur"}  # fmt: skip
_PROFILE = ASSESSMENT_FIELDS

_WELCOME = {
    "nl": (
        "Welkom bij insurable. We lopen uw profiel en de vragen van een cyberverzekeraar door. "
        "Enter zonder antwoord laat een vraag leeg; u kunt het bestand later aanvullen."
    ),
    "en": (
        "Welcome to insurable. We go through your profile and the questions a cyber insurer asks. "
        "Press Enter without an answer to leave a question blank; you can complete the file later."
    ),
}


def _number(text: str) -> float | int:
    value = float(text.replace("_", "").replace(" ", ""))
    return int(value) if value.is_integer() else value


def _parse(q: Question, text: str) -> Any:
    if q.type == "bool":
        lowered = text.lower()
        if lowered in q.accepts:
            return lowered
        return {"y": True, "yes": True, "j": True, "ja": True, "n": False, "no": False, "nee": False}.get(lowered, text)
    if q.type == "multi_choice":
        return [part.strip() for part in text.split(",") if part.strip()]
    if q.type in ("number", "money", "percentage"):
        try:
            return _number(text)
        except ValueError:
            return text
    return text


def interview(catalog: Catalog, lang: Lang, ask: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Ask everything in order and return the organisation as a mapping (profile fields and answers)."""
    console = Console(highlight=False)
    ended = False

    def prompt(text: str) -> str:
        """One answer; at the end of input (Ctrl-D, or a closed pipe) the rest stays blank."""
        nonlocal ended
        if ended:
            return ""
        try:
            return ask(text) if ask else Prompt.ask(text, default="", show_default=False, console=console)
        except EOFError:
            ended = True
            return ""

    console.print(_WELCOME[lang])
    fields = {f.name: f for f in catalog.vocabulary.fields}
    profile: dict[str, Any] = {}
    for name in _PROFILE:
        field = fields.get(name)
        label = f"{field.label.get(lang)} ({field.help.get(lang)})" if field else name
        while True:
            text = prompt(label).strip()
            if not text:
                break
            try:
                if name in _NUMBERS:
                    profile[name] = _number(text)
                elif name == "nace_code":
                    profile[name] = normalise(text)
                elif name == "activities":
                    known = {a.id for a in catalog.vocabulary.activities}
                    chosen = [a.strip() for a in text.split(",") if a.strip()]
                    unknown = [a for a in chosen if a not in known]
                    if unknown:
                        raise ValueError(
                            f"unknown activity {', '.join(unknown)}; choose from {', '.join(sorted(known))}"
                        )
                    profile[name] = chosen
                else:
                    profile[name] = text.upper() if name == "country" else text
                break
            except ValueError as exc:
                console.print(f"[red]{exc}[/red]")

    def read(field_name: str) -> Any:
        if field_name == "nace_division":
            return division(profile.get("nace_code"))
        value = profile.get(field_name)
        return tuple(value) if isinstance(value, list) else value

    answers: dict[str, Any] = {}
    for q in catalog.questionnaire.questions:
        if q.show_if is not None and not evaluate(q.show_if, answers, read).value:
            continue
        hint = " | ".join(q.option_ids()) if q.options else {"bool": "y/n"}.get(q.type, q.type)
        if q.accepts:
            hint += " | " + " | ".join(q.accepts)
        while True:
            text = prompt(f"{q.text.get(lang)} [{hint}]").strip()
            if not text:
                break
            value = _parse(q, text)
            problem = check_answer(q, value)
            if problem is None:
                answers[q.id] = value
                break
            console.print(f"[red]{q.id}: {problem}[/red]")
    return {**profile, "answers": answers}
