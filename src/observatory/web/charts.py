"""Time-series charts as inline SVG: rendered on the server, readable without JavaScript, and
printed as sharp vectors. Each chart has a text title and description for screen readers; the
figures themselves are in the table beside it."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from ..months import month_words


def _short_month(month: str) -> str:
    """'2025-07' -> 'Jul 2025': an axis label as people write it."""
    words = month_words(month)
    return f"{words[:3]} {words[-4:]}" if words != month else month

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
        f"{label}: {first['value']:.1f}% in {month_words(first['release'])} to {last['value']:.1f}% in "
        f"{month_words(last['release'])}, over {len(known)} releases."
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
            f"<title>{month_words(p['release'])}: {p['value']:.1f}%</title></circle>"
        )
        if i % step == 0 or i == len(known) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'class="obs-axis">{_short_month(p["release"])}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    step = 10 if span <= 60 else 20
    start = lo - lo % step
    return [v for v in (start + k * step for k in range(0, 12)) if lo <= v <= hi]


BAR_HEIGHT, BAR_GAP, BAR_LEFT = 26, 8, 150


def bars_svg(rows: list[dict[str, Any]], label: str, unit: str, colours: dict[str, str],
             target: float | None = None, england: float | None = None, chart_id: str = "bars") -> Markup:
    """A horizontal bar per area, value written at its end: where a map would have a handful of
    areas, lengths compare figures a tenth of a point apart honestly and colours need not.
    The axis starts at zero, so bar lengths are proportional to the figures."""
    known = [r for r in rows if r["value"] is not None]
    if not known:
        return Markup("")
    hi = max([r["value"] for r in known] + [v for v in (target, england) if v is not None])
    hi = 100.0 if unit == "%" and hi > 50 else (hi * 1.15 or 1.0)
    width = WIDTH - BAR_LEFT - 70
    height = TOP + 6 + len(known) * (BAR_HEIGHT + BAR_GAP) + 24

    def x(v: float) -> float:
        return BAR_LEFT + width * v / hi

    def fmt(v: float) -> str:
        if unit != "%":
            return f"{v:,.0f} {unit}"
        text = f"{v:.1f}"
        if text == "0.0" and v > 0:
            text = "<0.1"
        return text + "%"

    desc = "; ".join(f"{r['area_name']}: {fmt(r['value'])}" for r in known)
    parts = [
        f'<svg class="obs-chart obs-bars" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(label)} by area</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, r in enumerate(known):
        y0 = TOP + 6 + i * (BAR_HEIGHT + BAR_GAP)
        parts.append(
            f'<text x="{BAR_LEFT - 8}" y="{y0 + BAR_HEIGHT * 0.68:.1f}" text-anchor="end" class="obs-axis">'
            f"{escape(r['area_name'])}</text>"
            f'<rect x="{BAR_LEFT}" y="{y0}" width="{max(x(r["value"]) - BAR_LEFT, 1):.1f}" height="{BAR_HEIGHT}" '
            f'fill="{colours.get(r["area_code"], "#bdbdbd")}" stroke="#505a5f" stroke-width="0.5"/>'
            f'<text x="{x(r["value"]) + 6:.1f}" y="{y0 + BAR_HEIGHT * 0.68:.1f}" class="obs-axis">{fmt(r["value"])}</text>'
        )
    bottom = TOP + 6 + len(known) * (BAR_HEIGHT + BAR_GAP)
    # the target labelled above the bars, England below, so the two never overlap
    for value, name, cls, label_y in ((target, "target", "obs-target", TOP - 4),
                                      (england, "England", "obs-england", bottom + 16)):
        if value is not None:
            parts.append(
                f'<line x1="{x(value):.1f}" x2="{x(value):.1f}" y1="{TOP}" y2="{bottom}" class="{cls}"/>'
                f'<text x="{x(value):.1f}" y="{label_y}" text-anchor="middle" class="obs-axis">'
                f"{name} {fmt(value)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


BAR_COLOUR = "#1d70b8"


def bars_for(view: dict[str, Any]) -> Markup:
    """The map view's bar chart: its areas, highest first, every bar in one colour (a handful of
    areas is compared by length and by the England line, not by map classes that would make a
    0.1-point gap look like a jump). Where every share rounds to the same figure (premises below
    the USO: 0.0% in every district, as Ofcom publishes it) but the premises behind them differ,
    the bars show the premises."""
    colours = {r["area_code"]: BAR_COLOUR for r in view["figures"]}
    ind = view["indicator"]
    known = [r for r in view["figures"] if r["value"] is not None]
    shares = {round(r["value"], 1) for r in known}
    counts = {r["numerator"] for r in known if r.get("numerator") is not None}
    if len(shares) == 1 and len(counts) > 1:
        rows = [dict(r, value=r["numerator"]) for r in known if r.get("numerator") is not None]
        rows.sort(key=lambda r: -r["value"])
        return bars_svg(rows, f"{ind['label']} (premises)", "premises", colours, chart_id="map-bars")
    rows = sorted(view["figures"], key=lambda r: (r["value"] is None, -(r["value"] or 0)))
    return bars_svg(rows, ind["label"], ind["unit"], colours, view.get("target"), view.get("england"), "map-bars")


LABEL_GAP = 13  # the least distance between two direct labels' baselines, in SVG units


def label_positions(wanted: list[float], gap: float, lowest: float, highest: float) -> list[float]:
    """Heights for labels that want to sit at `wanted` (in any order), at least `gap` apart, within
    [lowest, highest], each moved as little as the others allow (their order kept)."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    ys = [min(max(wanted[i], lowest), highest) for i in order]
    for k in range(1, len(ys)):  # push down past the one above
        ys[k] = max(ys[k], ys[k - 1] + gap)
    if ys and ys[-1] > highest:  # then back up from the bottom where that ran off the chart
        ys[-1] = highest
        for k in range(len(ys) - 2, -1, -1):
            ys[k] = min(ys[k], ys[k + 1] - gap)
    # a cluster pushed down by the spreading is centred on what its labels wanted
    out = [0.0] * len(wanted)
    k = 0
    while k < len(ys):
        j = k
        while j + 1 < len(ys) and ys[j + 1] - ys[j] <= gap + 1e-9:
            j += 1
        shift = sum(wanted[order[i]] for i in range(k, j + 1)) / (j - k + 1) - sum(ys[k:j + 1]) / (j - k + 1)
        room_up = ys[k] - lowest if k == 0 else ys[k] - out[order[k - 1]] - gap
        room_down = highest - ys[j] if j == len(ys) - 1 else ys[j + 1] - ys[j] - gap
        shift = max(-room_up, min(room_down, shift))
        for i in range(k, j + 1):
            out[order[i]] = ys[i] + shift
        k = j + 1
    return out


# Line styles for several areas on one chart: dash patterns as well as colours, so lines can be
# told apart in grey print and by people who do not see the colours (ColorBrewer Dark2).
LINE_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
LINE_DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 2 1 2")


def lines_svg(lines: list[dict[str, Any]], label: str, unit: str, chart_id: str = "lines") -> Markup:
    """Several areas over time on a true time axis (months spaced by the time between them, not
    one step per release), each line labelled at its end; England in black, thicker."""
    points = [p for line in lines for p in line["points"]]
    if len(points) < 2:
        return Markup("")

    def t(month: str) -> float:
        return int(month[:4]) + (int(month[5:7]) - 1) / 12

    t0, t1 = min(t(m) for m, _ in points), max(t(m) for m, _ in points)
    if t1 <= t0:
        return Markup("")
    values = [v for _, v in points]
    lo = 0.0 if min(values) < 20 else (min(values) // 10) * 10
    hi = 100.0 if unit == "%" else max(values) * 1.05
    width, height, left, right, top, bottom = 640, 300, 44, 120, 14, 30
    pw, ph = width - left - right, height - top - bottom

    def x(month: str) -> float:
        return left + pw * (t(month) - t0) / (t1 - t0)

    def y(v: float) -> float:
        return top + ph * (1 - (v - lo) / (hi - lo))

    desc = "; ".join(f"{line['name']}: {line['points'][0][1]:.1f}% in {month_words(line['points'][0][0])} to "
                     f"{line['points'][-1][1]:.1f}% in {month_words(line['points'][-1][0])}" for line in lines)
    parts = [f'<svg class="obs-chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(label)} over time, by district, with England</title>',
             f'<desc id="{chart_id}-d">{escape(desc)}</desc>']
    for tick in _ticks(lo, hi):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="obs-grid"/>'
                     f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" class="obs-axis">{tick:g}%</text>')
    for year in range(int(t0) + (t0 > int(t0)), int(t1) + 1):
        xx = left + pw * (year - t0) / (t1 - t0)
        parts.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{height - bottom}" class="obs-grid"/>'
                     f'<text x="{xx:.1f}" y="{height - bottom + 16}" text-anchor="middle" class="obs-axis">{year}</text>')
    ordered = sorted(lines, key=lambda ln: ln["england"])
    styles = [("#0b0c0c", "") if line["england"] else (LINE_COLOURS[i % len(LINE_COLOURS)],
                                                       LINE_DASHES[i % len(LINE_DASHES)])
              for i, line in enumerate(ordered)]
    for line, (colour, dash) in zip(ordered, styles, strict=True):
        path = " ".join(f"{'M' if j == 0 else 'L'}{x(m):.1f},{y(v):.1f}" for j, (m, v) in enumerate(line["points"]))
        parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{3 if line["england"] else 2}"'
                     + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
    # Direct labels in a column right of the plot, each as near its line's last point as the
    # others allow, joined to that point by a thin leader line: a label never sits beside
    # another line's end.
    ends = [(x(line["points"][-1][0]), y(line["points"][-1][1])) for line in ordered]
    placed = label_positions([ey for _, ey in ends], LABEL_GAP, top + 4, height - bottom)
    label_x = left + pw + 14
    for line, (colour, _), (ex, ey), ly in zip(ordered, styles, ends, placed, strict=True):
        parts.append(f'<polyline points="{ex:.1f},{ey:.1f} {left + pw + 4:.1f},{ey:.1f} {label_x - 3:.1f},{ly:.1f}" '
                     f'fill="none" stroke="{colour}" stroke-width="1" class="obs-leader"/>'
                     f'<text x="{label_x:.1f}" y="{ly + 4:.1f}" class="obs-axis" style="fill:{colour}">'
                     f'{escape(line["name"])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
