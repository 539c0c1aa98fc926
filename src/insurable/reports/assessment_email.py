"""A short plain-text summary of an assessment to paste into an e-mail (72 columns, no markup)."""

from __future__ import annotations

import textwrap

from insurable.reports.labels import label
from insurable.reports.parts import summary_sentences
from insurable.text import Lang
from insurable.underwriting.model import Assessment


def render_email(a: Assessment, lang: Lang = "en", width: int = 72) -> str:
    """The summary (verdict, terms, first steps, what no control lifts) as wrapped plain text."""
    lines = textwrap.wrap(f"{label('email_intro', lang)} {a.organisation}:", width)
    lines.append("")
    for sentence in summary_sentences(a, lang):
        lines += textwrap.wrap(sentence, width, initial_indent="- ", subsequent_indent="  ", break_long_words=False)
    if a.path:
        first = a.path[0]
        lines.append("")
        lines += textwrap.wrap(
            f"{label('what_to_do', lang)} ({first.name.get(lang)}): {first.remediation.get(lang)}",
            width,
            break_long_words=False,
        )
    lines.append("")
    lines += textwrap.wrap(label("indicative", lang), width)
    lines += textwrap.wrap(label("email_full", lang), width, break_long_words=False)
    return "\n".join(line.rstrip() for line in lines) + "\n"
