"""Server-side SVG for the programme page: sites lit against the plan (a line chart with its
table beside it on the page), the site map (status by colour AND symbol, so it reads in grey
scale and for colour-blind readers) and a ward map of a scenario's change in reach (grey levels
with a hatch on the largest class). Everything is drawn without JavaScript and prints sharply."""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup, escape
from shapely import wkb
from shapely.geometry import MultiPolygon, Polygon

from ..months import month_words

# status -> (colour, symbol, label). Symbols differ in shape and fill, not only colour.
STATUS_STYLE = {
    "planned": ("#505a5f", "circle-open", "Planned (open circle)"),
    "surveyed": ("#1d70b8", "square-open", "Surveyed (open square)"),
    "build in progress": ("#f47738", "triangle", "Build in progress (triangle)"),
    "built": ("#4c2c92", "diamond", "Built (diamond)"),
    "lit": ("#00703c", "circle", "Lit (filled circle)"),
    "withdrawn": ("#d4351c", "cross", "Withdrawn (cross)"),
}
W, H = 560, 240
L, R, T, B = 48, 16, 14, 34


def progress_svg(series: list[dict[str, Any]], target: int | None, chart_id: str = "progress") -> Markup:
    """Sites lit (solid line) and, where the workspace sets a target, the planned trajectory
    (dashed), month by month. With no target there is no plan to draw: sites lit alone."""
    if len(series) < 2:
        return Markup("")
    planned = target is not None and all(p["planned"] is not None for p in series)
    hi = max(target or 0, max(p["lit"] for p in series), 1)
    pw, ph = W - L - R, H - T - B

    def x(i: int) -> float:
        return L + pw * i / (len(series) - 1)

    def y(v: float) -> float:
        return T + ph * (1 - v / hi)

    last = series[-1]
    desc = f"Sites lit: {last['lit']:,} by {month_words(last['month'])}"
    desc += (f" against {last['planned']:,.0f} planned; target {target:,}." if planned else
             "; no target has been set, so there is no plan to compare with.")
    title = "Sites lit against the planned trajectory" if planned else "Sites lit, month by month"
    parts = [f'<svg class="obs-chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
             'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{title}</title>',
             f'<desc id="{chart_id}-d">{escape(desc)}</desc>']
    step = 10 ** max(0, int(math.log10(hi)) - 0) // 2 or 1
    for tick in range(0, int(hi) + 1, max(step, 1)):
        parts.append(f'<line x1="{L}" x2="{W - R}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="obs-grid"/>'
                     f'<text x="{L - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" class="obs-axis">{tick:,}</text>')
    lit = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(p['lit']):.1f}" for i, p in enumerate(series))
    if planned:
        plan = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(p['planned']):.1f}" for i, p in enumerate(series))
        # presentation attributes, not style="": the Content-Security-Policy allows no inline styles
        parts.append(f'<path d="{plan}" fill="none" stroke="#505a5f" stroke-width="2" stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{x(len(series) - 1) - 4:.1f}" y="{y(last["planned"]) - 6:.1f}" text-anchor="end" '
                     'class="obs-axis">planned (dashed)</text>')
    parts.append(f'<path d="{lit}" class="obs-line"/>')
    parts.append(f'<text x="{x(len(series) - 1) - 4:.1f}" y="{y(last["lit"]) + 16:.1f}" text-anchor="end" '
                 f'class="obs-axis">{"lit (solid)" if planned else "sites lit"}</text>')
    years = [i for i, p in enumerate(series) if p["month"].endswith("-01")] or [0]
    for i in years:
        parts.append(f'<text x="{x(i):.1f}" y="{H - B + 16}" text-anchor="middle" class="obs-axis">'
                     f'{series[i]["month"][:4]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


class Frame:
    """Lon/lat to SVG coordinates: equirectangular, scaled by cos(latitude) (fine for a city region)."""

    def __init__(self, geoms: list[Any], width: int = 560) -> None:
        xs0, ys0, xs1, ys1 = zip(*(g.bounds for g in geoms), strict=True)
        self.x0, self.y0, self.x1, self.y1 = min(xs0), min(ys0), max(xs1), max(ys1)
        self.k = math.cos(math.radians((self.y0 + self.y1) / 2))
        self.scale = (width - 10) / max((self.x1 - self.x0) * self.k, 1e-9)
        self.width, self.height = width, int((self.y1 - self.y0) * self.scale) + 10

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return 5 + (lon - self.x0) * self.k * self.scale, 5 + (self.y1 - lat) * self.scale


def _path(frame: Frame, geom: Any) -> str:
    geom = geom.simplify(0.0005)  # about 50 m: under a pixel at this size, far fewer bytes
    polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom] if isinstance(geom, Polygon) else []
    out = []
    for p in polys:
        for ring in (p.exterior, *p.interiors):
            pts = [frame.xy(x, y) for x, y in ring.coords]
            out.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in pts) + "Z")
    return "".join(out)


def _symbol(kind: str, x: float, y: float, colour: str) -> str:
    r = 3.2
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>'
    if kind == "circle-open":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="#fff" stroke="{colour}" stroke-width="1.4"/>'
    if kind == "square-open":
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" fill="#fff" '
                f'stroke="{colour}" stroke-width="1.4"/>')
    if kind == "triangle":
        return f'<path d="M{x:.1f},{y - r - 1:.1f}L{x + r + 0.5:.1f},{y + r:.1f}L{x - r - 0.5:.1f},{y + r:.1f}Z" fill="{colour}"/>'
    if kind == "diamond":
        return f'<path d="M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y:.1f}L{x:.1f},{y + r + 1:.1f}L{x - r - 1:.1f},{y:.1f}Z" fill="{colour}"/>'
    return (f'<path d="M{x - r:.1f},{y - r:.1f}L{x + r:.1f},{y + r:.1f}M{x + r:.1f},{y - r:.1f}L{x - r:.1f},{y + r:.1f}" '
            f'stroke="{colour}" stroke-width="1.8"/>')


def legend_symbol(status: str) -> Markup:
    colour, kind, _ = STATUS_STYLE[status]
    return Markup(f'<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">{_symbol(kind, 7, 7, colour)}</svg>')


def site_map_svg(shapes: list[tuple[str, bytes]], sites: list[dict[str, Any]], caption: str) -> Markup:
    geoms = [wkb.loads(bytes(g)) for _, g in shapes]
    if not geoms:
        return Markup("")
    frame = Frame(geoms)
    parts = [f'<svg class="obs-sitemap" width="100%" viewBox="0 0 {frame.width} {frame.height}" role="img" '
             f'aria-label="{escape(caption)}" xmlns="http://www.w3.org/2000/svg">',
             f'<path d="{"".join(_path(frame, g) for g in geoms)}" fill="#f3f2f1" stroke="#b1b4b6" stroke-width="0.6"/>']
    order = list(STATUS_STYLE)
    for s in sorted(sites, key=lambda s: order.index(s["status"]) if s["status"] in order else -1):
        if s["lat"] is None or s["status"] not in STATUS_STYLE:
            continue
        colour, kind, _ = STATUS_STYLE[s["status"]]
        x, y = frame.xy(s["lon"], s["lat"])
        parts.append(_symbol(kind, x, y, colour))
    parts.append("</svg>")
    return Markup("".join(parts))


CHANGE_CLASSES = ((0.0, "#ffffff", ""), (1.0, "#dddddd", ""), (5.0, "#a6a6a6", ""), (float("inf"), "#595959", "hatch"))


def change_class(change: float | None) -> int:
    if change is None or change <= 0:
        return 0
    return next(i for i, (hi, _, _) in enumerate(CHANGE_CLASSES) if change <= hi or i == len(CHANGE_CLASSES) - 1)


def change_map_svg(shapes: list[tuple[str, bytes]], change: dict[str, float | None], caption: str) -> Markup:
    """Wards shaded by the scenario's change in reach (percentage points): grey levels, darkest
    and hatched for the largest gains."""
    geoms = [(code, wkb.loads(bytes(g))) for code, g in shapes]
    if not geoms:
        return Markup("")
    frame = Frame([g for _, g in geoms])
    parts = [f'<svg class="obs-sitemap" width="100%" viewBox="0 0 {frame.width} {frame.height}" role="img" '
             f'aria-label="{escape(caption)}" xmlns="http://www.w3.org/2000/svg">',
             '<defs><pattern id="obs-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="6" height="6" fill="#595959"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="1.5"/></pattern></defs>']
    for code, g in geoms:
        c = change_class(change.get(code))
        _, fill, hatch = CHANGE_CLASSES[c]
        parts.append(f'<path d="{_path(frame, g)}" fill="{"url(#obs-hatch)" if hatch else fill}" stroke="#505a5f" '
                     f'stroke-width="0.5"><title>{escape(code)}: {change.get(code) or 0:+.1f} points</title></path>')
    parts.append("</svg>")
    return Markup("".join(parts))


CHANGE_LEGEND = ("no change", "up to 1 point", "1 to 5 points", "more than 5 points (hatched)")
