"""Server-side SVG charts, so the page and the PDF show the same picture.

The loss exceedance curve comes from :func:`insurable.lossmodel.lec_svg`; this module draws the
retained-versus-insured chart per deductible option from the assessment's loss section.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from insurable.text import Lang
from insurable.web.i18n import HUGE, Formatter, _, gettext

INSURED = "#1f6f43"
RETAINED = "#a33b20"


def retained_insured_svg(
    options: Sequence[Mapping[str, Any]],
    fmt: Formatter,
    labels: Mapping[str, str],
    *,
    chosen: float | None = None,
    width: int = 640,
    height: int = 300,
) -> str:
    """Stacked bars: mean annual loss you carry (retained) and the insurer pays (insured), per deductible.

    ``labels`` holds the translated ``title``, ``retained``, ``insured``, ``deductible`` and ``chosen``.
    """
    rows = [o for o in options if _plottable(o)]
    left, right, top, bottom = 90, 20, 40, 70
    pw, ph = width - left - right, height - top - bottom
    totals = [float(o.get("retained_mean") or 0) + float(o.get("insured_mean") or 0) for o in rows]
    y_max = _nice(max(totals, default=0.0) or 1.0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="ri-title" font-family="sans-serif" font-size="11">',
        f'<title id="ri-title">{escape(labels["title"])}</title>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="18" font-size="13" font-weight="bold">{escape(labels["title"])}</text>',
    ]
    for i in range(5):
        v = y_max * i / 4
        y = top + ph - v / y_max * ph
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt.money_short(v))}</text>')
    slot = pw / max(len(rows), 1)
    bar = min(60.0, slot * 0.6)
    for i, (o, total) in enumerate(zip(rows, totals, strict=True)):
        x = left + slot * i + (slot - bar) / 2
        retained = float(o.get("retained_mean") or 0)
        insured = float(o.get("insured_mean") or 0)
        h_ret = retained / y_max * ph
        h_ins = insured / y_max * ph
        base = top + ph
        tip = f"{labels['retained']}: {fmt.money(retained)}; {labels['insured']}: {fmt.money(insured)}"
        out.append(f"<g><title>{escape(tip)}</title>")
        out.append(
            f'<rect x="{x:.1f}" y="{base - h_ret:.1f}" width="{bar:.1f}" height="{h_ret:.1f}" fill="{RETAINED}"/>'
        )
        out.append(
            f'<rect x="{x:.1f}" y="{base - h_ret - h_ins:.1f}" width="{bar:.1f}" '
            f'height="{h_ins:.1f}" fill="{INSURED}"/>'
        )
        out.append("</g>")
        is_chosen = chosen is not None and abs(float(o["deductible"]) - chosen) < 0.5
        weight = ' font-weight="bold"' if is_chosen else ""
        out.append(
            f'<text x="{x + bar / 2:.1f}" y="{base + 16}" text-anchor="middle"{weight}>'
            f"{escape(fmt.money(float(o['deductible'])))}</text>"
        )
        if is_chosen:
            out.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 30}" text-anchor="middle">{escape(labels["chosen"])}</text>'
            )
        del total
    out.append(
        f'<text x="{left + pw / 2}" y="{height - 22}" text-anchor="middle">{escape(labels["deductible"])}</text>'
    )
    lx = left
    for colour, key in ((RETAINED, "retained"), (INSURED, "insured")):
        out.append(f'<rect x="{lx}" y="{height - 12}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{lx + 14}" y="{height - 3}">{escape(labels[key])}</text>')
        lx += 220
    out.append("</svg>")
    return "".join(out)


#: The English labels :func:`insurable.lossmodel.lec_svg` writes, as they appear between tags.
LEC_LABELS = (
    _("Ground-up"),
    _("Insured"),
    _("Retained"),
    _("Return period (years, log scale)"),
)
LEC_PHRASES = (_("Annual loss exceedance"), _("trial-years"), _("Loss exceedance curve"))


#: The amounts, tick numbers and title :func:`insurable.lossmodel.lec_svg` writes in English form.
_LEC_AMOUNT = re.compile(r">€(-?\d+(?:\.\d+)?)(bn|M|k)?<")
_LEC_TICK = re.compile(r'(text-anchor="middle">)(\d{4,})(</text>)')
_LEC_TITLE = re.compile(r"Annual loss exceedance \(([\d,]+) trial-years, seed (\d+)\)")
_UNITS = {"bn": 1e9, "M": 1e6, "k": 1e3, None: 1.0}


def localise_lec(svg: str, lang: Lang) -> str:
    """The exceedance-curve SVG with its English labels and amounts in ``lang`` (the chart itself is the
    loss model's): axis amounts in the locale's compact currency form, numbers grouped per locale."""
    fmt = Formatter(lang)
    svg = _LEC_AMOUNT.sub(
        lambda m: f">{escape(fmt.money_short(float(m.group(1)) * _UNITS[m.group(2)]))}<",
        svg,
    )
    svg = _LEC_TICK.sub(lambda m: m.group(1) + fmt.number(int(m.group(2))) + m.group(3), svg)
    title = gettext(lang, _("Annual loss exceedance (%(n)s simulated years, seed %(seed)s)"))
    svg = _LEC_TITLE.sub(
        lambda m: escape(title % {"n": fmt.number(int(m.group(1).replace(",", ""))), "seed": m.group(2)}),
        svg,
    )
    for label in LEC_LABELS:
        svg = svg.replace(f">{label}<", f">{escape(gettext(lang, label))}<")
    for phrase in LEC_PHRASES:
        svg = svg.replace(phrase, escape(gettext(lang, phrase)))
    return svg


#: The return periods the exceedance chart shows: where an SME decides (issue 12, item 8).
LEC_MAX_YEARS = 250.0
_LEC_COLOURS = {"ground_up": "#12324f", "insured": INSURED, "retained": RETAINED}


def exceedance_svg(
    curves: Mapping[str, Sequence[tuple[float, float]]],
    fmt: Formatter,
    labels: Mapping[str, str],
    *,
    width: int = 680,
    height: int = 360,
) -> str:
    """The annual loss exceedance curves, 1 to 250 years on a log axis, drawn in the interface language.

    ``curves`` maps ``ground_up``/``insured``/``retained`` to ``(return period, loss)`` points; points
    beyond 250 years are left out so the interesting part is not squeezed. ``labels`` holds the
    translated ``title``, ``x``, and one per curve. No seed, no trial count: those are in the table.
    """
    series = {
        key: [(rp, loss) for rp, loss in pts if 1.0 <= rp <= LEC_MAX_YEARS and abs(loss) < HUGE]
        for key, pts in curves.items()
    }
    left, right, top, bottom = 84, 16, 36, 70
    pw, ph = width - left - right, height - top - bottom
    y_max = _nice(max((loss for pts in series.values() for _rp, loss in pts), default=0.0) or 1.0)
    lx_max = math.log10(LEC_MAX_YEARS)

    def sx(rp: float) -> float:
        return left + math.log10(rp) / lx_max * pw

    def sy(loss: float) -> float:
        return top + ph - loss / y_max * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="lec-title" font-family="sans-serif" font-size="12">',
        f'<title id="lec-title">{escape(labels["title"])}</title>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="20" font-size="14" font-weight="bold">{escape(labels["title"])}</text>',
    ]
    for i in range(5):
        v = y_max * i / 4
        out.append(f'<line x1="{left}" y1="{sy(v):.1f}" x2="{left + pw}" y2="{sy(v):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end">{escape(fmt.money_short(v))}</text>')
    for rp in (1, 2, 5, 10, 25, 50, 100, 250):
        x = sx(rp)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle">{escape(fmt.number(rp))}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{top + ph + 34}" text-anchor="middle">{escape(labels["x"])}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    lx = left
    for key, pts in series.items():
        colour = _LEC_COLOURS.get(key, "#555")
        if pts:
            line = " ".join(f"{sx(rp):.1f},{sy(loss):.1f}" for rp, loss in pts)
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{line}"/>')
        out.append(
            f'<line x1="{lx}" y1="{height - 9}" x2="{lx + 18}" y2="{height - 9}" stroke="{colour}" stroke-width="3"/>'
        )
        out.append(f'<text x="{lx + 22}" y="{height - 5}">{escape(labels.get(key, key))}</text>')
        lx += pw // 3
    out.append("</svg>")
    return "".join(out)


def _plottable(option: Mapping[str, Any]) -> bool:
    """A deductible option whose figures can be drawn: finite and not absurd (an old snapshot may hold 1e308)."""
    values = (option.get("deductible"), option.get("retained_mean") or 0, option.get("insured_mean") or 0)
    return all(isinstance(v, int | float) and not isinstance(v, bool) and abs(v) < HUGE for v in values)


def _nice(value: float) -> float:
    import math

    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * exp >= value:
            return float(step * exp)
    return float(10 * exp)
