"""A loss exceedance curve as a small, self-contained SVG (no plotting library needed).

The x axis is the return period (log scale), the y axis the annual loss. The same SVG string can be
embedded in the web app and in PDF reports.
"""

from __future__ import annotations

import math
from html import escape

from insurable.lossmodel.report import CurvePoint, LossReport

PALETTE = ("#1f4e79", "#2e8b57", "#c0504d", "#8064a2", "#f79646", "#4bacc6", "#9bbb59", "#7f7f7f", "#d4a017")


def _money(value: float) -> str:
    for div, unit in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            return f"€{value / div:.3g}{unit}"
    return f"€{value:.0f}"


def lec_svg(report: LossReport, *, width: int = 720, height: int = 420, by_peril: bool = True) -> str:
    """The ground-up, insured and retained exceedance curves (and optionally each peril's)."""
    series: list[tuple[str, tuple[CurvePoint, ...], str, float]] = [
        ("Ground-up", report.exceedance_curve, PALETTE[0], 2.5),
        ("Insured", report.insured.exceedance_curve, PALETTE[1], 2.0),
        ("Retained", report.retained.exceedance_curve, PALETTE[2], 2.0),
    ]
    if by_peril:
        for i, (pid, res) in enumerate(report.by_peril.items()):
            series.append((res.name or pid, res.exceedance_curve, PALETTE[3 + i % (len(PALETTE) - 3)], 1.0))
    points = [pt for _, curve, _, _ in series for pt in curve]
    left, right, top, bottom = 80, 190, 30, 50
    pw, ph = width - left - right, height - top - bottom
    rp_max = max((pt.return_period for pt in points), default=10.0)
    lx_min, lx_max = 0.0, math.log10(max(rp_max, 10.0))
    y_max = max((pt.loss for pt in points), default=0.0) or 1.0
    y_max = _nice(y_max)

    def sx(rp: float) -> float:
        return left + (math.log10(rp) - lx_min) / (lx_max - lx_min) * pw

    def sy(loss: float) -> float:
        return top + ph - loss / y_max * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape('Loss exceedance curve' + (f' - {report.name}' if report.name else ''))}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="18" font-size="13" font-weight="bold">Annual loss exceedance '
        f"({report.trials:,} trial-years, seed {report.seed})</text>",
    ]
    for i in range(6):
        v = y_max * i / 5
        y = sy(v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_money(v))}</text>')
    decade = 1.0
    while decade <= 10**lx_max + 1e-9:
        for m in (1, 2, 5):
            rp = decade * m
            if rp < 1 or math.log10(rp) > lx_max + 1e-9:
                continue
            x = sx(rp)
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#eee"/>')
            out.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle">{rp:g}</text>')
        decade *= 10
    out.append(
        f'<text x="{left + pw / 2}" y="{height - 10}" text-anchor="middle">Return period (years, log scale)</text>'
    )
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    for j, (label, curve, colour, stroke) in enumerate(series):
        pts = " ".join(f"{sx(pt.return_period):.1f},{sy(pt.loss):.1f}" for pt in curve)
        if pts:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{stroke}" points="{pts}"/>')
        ly = top + 10 + j * 16
        out.append(
            f'<line x1="{left + pw + 12}" y1="{ly}" x2="{left + pw + 32}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="{max(stroke, 1.5)}"/>'
        )
        out.append(f'<text x="{left + pw + 36}" y="{ly + 4}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _nice(value: float) -> float:
    exp = 10.0 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * exp:
            return float(m * exp)
    return float(10 * exp)
