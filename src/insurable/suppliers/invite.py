"""The e-mail that asks a supplier to answer and share (Dutch or English). Pure."""

from __future__ import annotations

from insurable.text import Lang

__all__ = ["invitation_message"]

SUBJECT = {
    "nl": "{client} vraagt {supplier} om verzekerings- en beveiligingsgegevens",
    "en": "{client} asks {supplier} for insurance and security evidence",
}
BODY = {
    "nl": (
        "{client} houdt bij welke leveranciers aan haar eisen voor verzekering en beveiliging voldoen "
        "(NIS2 art. 21, lid 2, onder d).\n\n"
        "Log in op {base}/supplier-requests met dit e-mailadres om te zien wat {client} van "
        "{supplier} vraagt. U vult de vragenlijst één keer in en kiest per klant of u een samenvatting "
        "(oordeel, maatregelen, NIS2-status) of de volledige beoordeling deelt. U kunt dat altijd intrekken.\n\n"
        "Heeft u nog geen account, maak het dan binnen 14 dagen aan met deze link (alleen voor u):\n{signup}\n"
    ),
    "en": (
        "{client} keeps track of which suppliers meet its insurance and security requirements "
        "(NIS2 Art. 21(2)(d)).\n\n"
        "Log in at {base}/supplier-requests with this e-mail address to see what {client} asks of "
        "{supplier}. You answer the questionnaire once and choose per client whether to share a summary "
        "(verdict, controls, NIS2 status) or the full assessment. You can revoke it at any time.\n\n"
        "If you have no account yet, create it within 14 days with this link (for you only):\n{signup}\n"
    ),
}


def invitation_message(client: str, supplier: str, base: str, lang: Lang, signup: str) -> tuple[str, str]:
    """Subject and body of the request e-mail; ``signup`` is the one-time link to create an account."""
    return (
        SUBJECT[lang].format(client=client, supplier=supplier),
        BODY[lang].format(client=client, supplier=supplier, base=base, signup=signup),
    )
