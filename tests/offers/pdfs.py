"""Fictional policy documents for the extraction tests, rendered to PDF with WeasyPrint (already a
dependency for the reports): a Dutch policy wording, an English quote, the Dutch wording with a
clause the patterns cannot read, and a PDF without a text layer."""

from __future__ import annotations

from pathlib import Path

DUTCH_WORDING = [
    # page 1: the schedule
    """<h1>Polisblad Cyberverzekering</h1>
<p>Verzekeraar: Veluwe Specialty Insurance N.V.</p>
<p>Product: CyberZeker MKB 2026</p>
<p>Verzekeringnemer: Beheerpartners Veluwe B.V., Apeldoorn.</p>
<p>Verzekerde hoedanigheid: managed service provider en hosting van systemen en gegevens van klanten.</p>
<p>Deze verzekering geldt op basis van claims-made, met onbeperkte terugwerkende kracht.</p>
<p>Het verzekerd bedrag per aanspraak bedraagt € 1.000.000. Het verzekerd bedrag per verzekeringsjaar
bedraagt € 1.000.000.</p>
<p>Het eigen risico bedraagt € 10.000 per aanspraak.</p>
<p>Netto premie per jaar: € 6.800. Daarover is 21% assurantiebelasting verschuldigd.</p>""",
    # page 2: covers
    """<h2>Artikel 3 Dekkingen</h2>
<p>Voor bedrijfsschade geldt een wachttijd van 12 uur en een uitkeringstermijn van 180 dagen.</p>
<p>Cyberafpersing is verzekerd tot maximaal € 250.000 per verzekeringsjaar.</p>
<p>Schade door CEO-fraude en betalingsfraude is verzekerd tot een bedrag van € 100.000.</p>
<p>Boetes van toezichthouders zijn verzekerd voor zover deze naar Nederlands recht verzekerbaar zijn.</p>
<p>Het dekkingsgebied is de hele wereld, met uitzondering van de VS en Canada.</p>""",
    # page 3: conditions and exclusions
    """<h2>Artikel 7 Uitsluitingen en verplichtingen</h2>
<p>Uitgesloten is schade door oorlog of een cyberoperatie van een staat zoals omschreven in LMA5567A.</p>
<p>Een incident meldt u binnen 72 uur na ontdekking bij onze hulplijn, die 24/7 bereikbaar is.</p>
<p>Wij zetten ons panel van specialisten voor u in.</p>
<p>Na een schade kunnen wij de verzekering niet tussentijds opzeggen.</p>""",
]

ENGLISH_QUOTE = [
    """<h1>Cyber Quote</h1>
<p>Insurer: Schildwacht Verzekeringen B.V.</p>
<p>Product: Schildwacht Protect + Cyber</p>
<p>Insured activities: managed service provider.</p>
<p>This policy is written on a claims-made basis with a retroactive date of 2026-01-01.</p>
<p>Limit of liability per claim: EUR 500,000. The deductible is EUR 2,500 each claim.</p>
<p>Net premium: EUR 2,400 per year.</p>""",
    """<h2>Covers and conditions</h2>
<p>The waiting period for business interruption is 24 hours and the indemnity period is 3 months.</p>
<p>Cyber extortion costs are covered up to EUR 250,000, of which the insured bears 20 % of each loss.</p>
<p>Territorial limits: the European Union.</p>
<p>You must report any incident within 24 hours to our hotline.</p>
<p>After any claim we may cancel this policy with 30 days' notice.</p>""",
]

#: The Dutch wording with its deductible clause written so the patterns cannot read a value, and
#: two different waiting periods (schedule vs conditions).
DUTCH_UNREADABLE = [
    DUTCH_WORDING[0].replace(
        "<p>Het eigen risico bedraagt € 10.000 per aanspraak.</p>",
        "<p>Het eigen risico is het bedrag dat op het polisblad bij de rubriek zelf te dragen staat vermeld.</p>",
    ),
    DUTCH_WORDING[1] + "<p>Voor uitval bij een cloudleverancier geldt een wachttijd van 24 uur.</p>",
    DUTCH_WORDING[2],
]


def render(pages: list[str], path: Path) -> Path:
    """Write ``pages`` (HTML fragments) as a PDF with one page each."""
    from weasyprint import HTML

    body = "".join(f'<section style="page-break-after: always">{p}</section>' for p in pages)
    style = "<style>@page { size: A4; margin: 2cm }</style>"
    html = f"<html><head><meta charset='utf-8'>{style}</head><body>{body}</body></html>"
    HTML(string=html).write_pdf(path)
    return path


def render_without_text(path: Path) -> Path:
    """A PDF with only shapes: what a scan looks like to a text-layer reader."""
    from weasyprint import HTML

    html = (
        "<html><body><div style='width: 12cm; height: 6cm; background: #888'></div>"
        "<div style='width: 8cm; height: 3cm; background: #444; margin-top: 1cm'></div></body></html>"
    )
    HTML(string=html).write_pdf(path)
    return path
