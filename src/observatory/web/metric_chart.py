"""A metric's chart as inline SVG: its history (points and line), the fitted trend to the target
date (dashed), the bootstrap band around the trend (shaded), and the target (a cross at the
target date with a dotted line). Drawn on the server; presentation attributes only (the site's
Content-Security-Policy allows no inline style); a title and description say the same in words,
and the page's table holds every figure."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from ..months import day_words, year_of
from ..strategy.status import fmt

WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 16, 40


def metric_svg(m: dict[str, Any], chart_id: str = "metric-chart") -> Markup:
    points = [(year_of(v["date"]), v["value"]) for v in m["values"]]
    if not points:
        return Markup("")
    target_x, target_y = year_of(m["target"]["date"]), m["target"]["value"]
    trend = [(x, y) for x, y in m.get("trend") or []]
    band = [(x, lo, hi) for x, lo, hi in m.get("band") or []]
    xs = [x for x, _ in points] + [target_x] + [x for x, _ in trend]
    ys = [y for _, y in points] + [target_y] + [y for _, y in trend] + [v for _, lo, hi in band for v in (lo, hi)]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if m["unit"] == "%":
        y0, y1 = max(0.0, y0 - 2), min(100.0, y1 + 2)
    else:
        pad = (y1 - y0) * 0.08 or 1.0
        y0, y1 = max(0.0, y0 - pad) if y0 >= 0 else y0 - pad, y1 + pad
    x1 = x1 if x1 > x0 else x0 + 1
    y1 = y1 if y1 > y0 else y0 + 1
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + pw * (x - x0) / (x1 - x0)

    def sy(y: float) -> float:
        return TOP + ph * (1 - (y - y0) / (y1 - y0))

    unit = m["unit"]
    desc = (f"{m['display_title']}: {len(points)} values from {fmt(points[0][1], unit)} to {fmt(points[-1][1], unit)}; "
            f"target {fmt(target_y, unit)} by {day_words(m['target']['date'])}. {m['words']}")
    parts = [f'<svg class="obs-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-t '
             f'{chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(m["display_title"])}: history, trend and target</title>',
             f'<desc id="{chart_id}-d">{escape(desc)}</desc>']
    for k in range(5):
        v = y0 + (y1 - y0) * k / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#b1b4b6" '
                     f'stroke-width="0.5"/><text x="{LEFT - 6}" y="{sy(v) + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#505a5f">{escape(_tick(v, unit))}</text>')
    for year in range(int(x0) + 1, int(x1) + 1):
        parts.append(f'<text x="{sx(year):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
                     f'fill="#505a5f">{year}</text><line x1="{sx(year):.1f}" x2="{sx(year):.1f}" '
                     f'y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 4}" stroke="#505a5f"/>')
    if band:
        upper = " ".join(f"{sx(x):.1f},{sy(hi):.1f}" for x, _, hi in band)
        lower = " ".join(f"{sx(x):.1f},{sy(lo):.1f}" for x, lo, _ in reversed(band))
        parts.append(f'<polygon points="{upper} {lower}" fill="#1d70b8" fill-opacity="0.15" stroke="none">'
                     "<title>80% band: where the trend is likely to run (eight times in ten)</title></polygon>")
    if trend:
        d = " ".join(f"{'M' if i == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}" for i, (x, y) in enumerate(trend))
        parts.append(f'<path d="{d}" fill="none" stroke="#1d70b8" stroke-width="2" stroke-dasharray="6 4">'
                     "<title>Fitted trend</title></path>")
    ty = sy(target_y)
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#0b0c0c" '
                 f'stroke-width="1" stroke-dasharray="2 3"/>'
                 f'<path d="M{sx(target_x) - 6:.1f},{ty - 6:.1f} L{sx(target_x) + 6:.1f},{ty + 6:.1f} '
                 f'M{sx(target_x) - 6:.1f},{ty + 6:.1f} L{sx(target_x) + 6:.1f},{ty - 6:.1f}" stroke="#0b0c0c" '
                 f'stroke-width="2.5"><title>Target {escape(fmt(target_y, unit))} by {day_words(m["target"]["date"])}</title></path>'
                 f'<text x="{sx(target_x) - 8:.1f}" y="{ty - 8:.1f}" text-anchor="end" font-size="12" fill="#0b0c0c">'
                 f'target {escape(fmt(target_y, unit))}</text>')
    hist = sorted(points)
    d = " ".join(f"{'M' if i == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}" for i, (x, y) in enumerate(hist))
    parts.append(f'<path d="{d}" fill="none" stroke="#0b0c0c" stroke-width="2"/>')
    for v in m["values"]:
        x, y = year_of(v["date"]), v["value"]
        # hollow markers for illustrative values: shape, not colour, says so
        fill = "#ffffff" if v["illustrative"] else "#0b0c0c"
        parts.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3.5" fill="{fill}" stroke="#0b0c0c" '
                     f'stroke-width="1.5"><title>{escape(v.get("when") or day_words(v["date"]))}: {escape(fmt(y, unit))}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _tick(v: float, unit: str) -> str:
    if unit == "%":
        return f"{v:.0f}%"
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:.1f}"
