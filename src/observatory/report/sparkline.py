"""Sparklines as small inline SVG: sharp on paper, no script, with a text alternative."""

from __future__ import annotations

from markupsafe import Markup, escape

W, H, PAD = 110, 26, 3


def sparkline(values: list[float], label: str) -> Markup:
    """A line through the values (oldest first) with the last point marked; '' with fewer than two."""
    if len(values) < 2:
        return Markup("")
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0

    def xy(i: int, v: float) -> tuple[float, float]:
        return (PAD + (W - 2 * PAD) * i / (len(values) - 1), H - PAD - (H - 2 * PAD) * (v - lo) / span)

    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(values)))
    lx, ly = xy(len(values) - 1, values[-1])
    return Markup(
        f'<svg class="spark" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{escape(label)}">'
        f'<polyline points="{pts}" fill="none" stroke="#000" stroke-width="1.4"/>'
        f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="2.4" fill="#000"/></svg>'
    )
