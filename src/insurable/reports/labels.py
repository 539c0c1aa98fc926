"""Interface strings of the reports in Dutch and English, and locale-aware number formatting.

Catalogue text (questions, controls, rules) comes from the data files; only the report's own
headings and labels live here.
"""

from __future__ import annotations

from insurable.text import Lang

LABELS: dict[str, tuple[str, str]] = {
    # key: (nl, en)
    "title": ("Verzekerbaarheid (indicatief)", "Insurability (indicative)"),
    "indicative": (
        "Indicatief: afgeleid uit openbare bronnen en de gekozen richtlijn; geen offerte van een verzekeraar.",
        "Indicative: derived from public sources and the chosen guideline; not an insurer's offer.",
    ),
    "verdict": ("Oordeel", "Verdict"),
    "hazard_class": ("Risicoklasse", "Hazard class"),
    "premium": ("Indicatieve jaarpremie", "Indicative annual premium"),
    "premium_none": ("geen (afgewezen)", "none (declined)"),
    "deductible": ("Eigen risico", "Deductible"),
    "requested": ("gevraagd", "requested"),
    "max_limit": ("Maximaal verzekerd bedrag per verzekeraar", "Maximum limit one insurer offers"),
    "requested_limit": ("Gevraagd verzekerd bedrag", "Requested limit"),
    "tower": ("Verzekeraars nodig (gestapelde dekking)", "Insurers needed (tower)"),
    "declines": ("Afwijzingsgronden", "Reasons to decline"),
    "referrals": ("Doorverwijzing naar een acceptant", "Referral to an underwriter"),
    "exclusions": ("Uitsluitingen", "Exclusions"),
    "sublimits": ("Sublimieten", "Sublimits"),
    "subjectivities": ("Voorwaarden (binnen termijn herstellen)", "Subjectivities (fix within the term)"),
    "standard_exclusions": ("Standaarduitsluitingen", "Standard exclusions"),
    "deductible_rules": ("Verhoogd eigen risico", "Raised deductible"),
    "capacity_rules": ("Beperkte capaciteit", "Capped capacity"),
    "modifiers": ("Premiefactoren", "Premium factors"),
    "classification": ("Indeling in risicoklasse", "Hazard classification"),
    "rating": ("Premieopbouw", "Premium build-up"),
    "plan": ("Verbeterplan (gerangschikt op effect)", "Improvement plan (ranked by effect)"),
    "controls": ("Maatregelen", "Controls"),
    "reasons": ("Redenen", "Reasons"),
    "rule": ("regel", "rule"),
    "because": ("omdat", "because"),
    "source": ("bron", "source"),
    "days": ("dagen", "days"),
    "policy_wide": ("hele polis", "whole policy"),
    "control": ("Maatregel", "Control"),
    "status": ("Status", "Status"),
    "effect": ("Effect", "Effect"),
    "ncsc": ("NCSC-maatregel", "NCSC measure"),
    "nis2_letter": ("NIS2 art. 21(2)", "NIS2 Art. 21(2)"),
    "legally_required": ("wettelijk verplicht (NIS2)", "legally required (NIS2)"),
    "no_change": ("geen verandering", "no change"),
    "assumed": ("niet beantwoord, gelezen als nee", "not answered, read as no"),
    "assumed_note": (
        "Niet beantwoorde ja/nee-vragen zijn gelezen als 'nee', zoals verzekeraars dat doen",
        "Unanswered yes/no questions were read as 'no', as insurers do",
    ),
    "nis2": ("NIS2 / Cyberbeveiligingswet", "NIS2 / Cyberbeveiligingswet"),
    "loss": ("Verliesmodel (Monte Carlo)", "Loss model (Monte Carlo)"),
    "step_base": ("Basispremie (omzetschijven)", "Base premium (turnover bands)"),
    "step_hazard_factor": ("Risicoklassefactor", "Hazard class factor"),
    "step_control_modifiers": ("Maatregelfactoren (begrensd)", "Control modifiers (bounded)"),
    "step_limit_factor": ("Factor verzekerd bedrag", "Limit factor"),
    "step_deductible_factor": ("Factor eigen risico", "Deductible factor"),
    "step_minimum_premium": ("Minimumpremie", "Minimum premium"),
    "applied": ("toegepast", "applied"),
    "not_reached": ("niet bereikt", "not reached"),
    "mean_loss": ("Verwachte jaarschade", "Expected annual loss"),
    "trial_years": ("gesimuleerde jaren", "simulated years"),
    "loss_100": ("Jaarschade 1-op-100", "1-in-100 annual loss"),
    "retained_insured": ("Gemiddeld zelf gedragen / verzekerd", "Mean retained / insured"),
    "retained_mean": ("Zelf gedragen (gemiddeld)", "Retained (mean)"),
    "insured_mean": ("Verzekerd (gemiddeld)", "Insured (mean)"),
    "technical_premium": ("Technische premie", "Technical premium"),
    "nis2_class": ("Classificatie", "Classification"),
    "nis2_size": ("Omvang", "Size"),
    "nis2_basis": ("Juridische grondslag", "Legal basis"),
    "nis2_fine": ("Maximale boete (art. 34)", "Maximum fine (Art. 34)"),
    "nis2_duties": ("Verplichtingen", "Duties"),
    "employees": ("medewerkers", "staff"),
    "turnover": ("omzet", "turnover"),
    "balance": ("balanstotaal", "balance sheet"),
    "guideline": ("Richtlijn", "Guideline"),
    "in_place": ("aanwezig", "in place"),
    "partial": ("gedeeltelijk", "partial"),
    "missing": ("ontbreekt", "missing"),
    "not_applicable": ("n.v.t.", "n/a"),
    "insurable": ("verzekerbaar", "insurable"),
    "insurable_with_conditions": ("verzekerbaar onder voorwaarden", "insurable with conditions"),
    "refer": ("doorverwijzen naar acceptant", "refer to an underwriter"),
    "declined": ("afgewezen", "declined"),
    "incomplete": ("onvolledig: verplichte antwoorden ontbreken", "incomplete: required answers missing"),
    "summary": ("Samenvatting", "Summary"),
    "path": ("Verbeterpad (stap voor stap, cumulatief)", "Fix-path (step by step, cumulative)"),
    "path_rank": (
        "Volgorde: eerst het oordeel, dan opgeheven voorwaarden en capaciteit, dan (premiebesparing + minder eigen "
        "schade) per euro inspanning.",
        "Order: verdict first, then conditions lifted and capacity, then (premium saving + lower retained loss) per "
        "euro of effort.",
    ),
    "plan_alone": ("Elke maatregel apart (ter vergelijking)", "Each control alone (for comparison)"),
    "blockers": ("Wat geen maatregel oplost", "What no control lifts"),
    "what_instead": ("wat u wel kunt doen", "what you can do instead"),
    "missing_answers": ("Ontbrekende antwoorden (op effect gerangschikt)", "Missing answers (ranked by effect)"),
    "required": ("verplicht", "required"),
    "policy_terms": ("Polisvoorwaarden", "Policy terms"),
    "nis2_check": ("Opgegeven NIS2-status", "Declared NIS2 status"),
    "retained_loss": ("Verwachte eigen schade per jaar", "Expected retained loss a year"),
    "cost": ("Kosten", "Cost"),
    "one_off": ("eenmalig", "one-off"),
    "per_year": ("per jaar", "a year"),
    "payback": ("Terugverdiend in", "Pays back in"),
    "years": ("jaar", "years"),
    "money_alone": ("op premie en verwachte schade alleen", "on premium and expected loss alone"),
    "effort": ("inspanning", "effort"),
    "effort_low": ("laag", "low"),
    "effort_medium": ("gemiddeld", "medium"),
    "effort_high": ("hoog", "high"),
    "lifts": ("Heft op", "Lifts"),
    "what_to_do": ("Wat te doen", "What to do"),
    "step": ("Stap", "Step"),
    "first_steps": ("Eerste stappen", "First steps"),
    "no_path": (
        "Geen maatregel verbetert oordeel, voorwaarden of premie.",
        "No control improves verdict, conditions or premium.",
    ),
    "none": ("geen", "none"),
    "path_incomplete": (
        "Eerst de ontbrekende verplichte antwoorden invullen; daarna volgt het verbeterpad.",
        "Fill in the missing required answers first; the fix-path follows.",
    ),
    "hours": ("uur", "hours"),
    "coinsurance": ("eigen deel", "coinsurance"),
    "retention": ("eigen risico", "retention"),
    "retro_days": ("terugwerkende kracht", "retroactive"),
    "kind_history": ("schadeverleden", "history"),
    "kind_size": ("omvang", "size"),
    "kind_sector": ("sector", "sector"),
    "kind_exposure": ("blootstelling", "exposure"),
    "kind_answer": ("antwoord", "answer"),
    "input": ("Invoer (SHA-256)", "Input (SHA-256)"),
    "format": ("Formaat", "Format"),
    "email_intro": (
        "Indicatieve beoordeling van de cyberverzekerbaarheid van",
        "Indicative assessment of the cyber insurability of",
    ),
    "email_full": (
        "Het volledige rapport (met redenen en bronnen): insurable assess --format markdown",
        "The full report (with reasons and sources): insurable assess --format markdown",
    ),
    "missing_count": ("ontbrekende antwoorden", "missing answers"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
}


def label(key: str, lang: Lang) -> str:
    nl, en = LABELS[key]
    return nl if lang == "nl" else en


def number(value: float, lang: Lang, decimals: int = 0) -> str:
    """Group thousands the way each language does: 1.234.567,8 (nl) and 1,234,567.8 (en)."""
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def money(value: float | None, lang: Lang) -> str:
    if value is None:
        return "-"
    return f"EUR {number(value, lang)}"


def percent(value: float | None, lang: Lang) -> str:
    if value is None:
        return "-"
    return f"{number(value, lang, 1)} %"
