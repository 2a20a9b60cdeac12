"""Time-series charts as inline SVG: rendered on the server, readable without JavaScript, and
printed as sharp vectors. Each chart has a text title and description for screen readers; the
figures themselves are in the table beside it."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 30, 14, 38


def series_svg(
    points: list[dict[str, Any]], label: str, target: float | None = None, chart_id: str = "c"
) -> Markup:
    known = [p for p in points if p["value"] is not None]
    if len(known) < 2:
        return Markup("")
    values = [p["value"] for p in known] + ([target] if target is not None else [])
    lo = max(0.0, (min(values) // 10) * 10 - 10 if min(values) > 10 else 0.0)
    hi = min(100.0, (max(values) // 10 + 1) * 10) if max(values) <= 100 else max(values)
    if hi <= lo:
        hi = lo + 10
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + plot_w * (i / (len(known) - 1))

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - lo) / (hi - lo))

    first, last = known[0], known[-1]
    desc = (
        f"{label}: {first['value']:.1f}% at {first['release']} to {last['value']:.1f}% at "
        f"{last['release']}, over {len(known)} releases."
    )
    parts = [
        f'<svg class="obs-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(label)} over time</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for tick in _ticks(lo, hi):
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" class="obs-grid"/>'
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" class="obs-axis">{tick:g}%</text>'
        )
    if target is not None and lo <= target <= hi:
        ty = y(target)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" class="obs-target"/>'
            f'<text x="{WIDTH - RIGHT}" y="{ty - 4:.1f}" text-anchor="end" class="obs-axis">'
            f"target {target:g}%</text>"
        )
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(p['value']):.1f}" for i, p in enumerate(known))
    parts.append(f'<path d="{path}" class="obs-line"/>')
    step = max(1, len(known) // 6)
    for i, p in enumerate(known):
        # Hollow markers for illustrative (synthetic) figures: shape, not colour, says so.
        cls = "obs-point obs-point--illustrative" if p["synthetic"] else "obs-point"
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(p["value"]):.1f}" r="3.5" class="{cls}">'
            f"<title>{p['release']}: {p['value']:.1f}%</title></circle>"
        )
        if i % step == 0 or i == len(known) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'class="obs-axis">{p["release"]}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    step = 10 if span <= 60 else 20
    start = lo - lo % step
    return [v for v in (start + k * step for k in range(0, 12)) if lo <= v <= hi]
