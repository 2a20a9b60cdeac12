"""Take-up, availability and risk in one view (/takeup and /api/v1/takeup): the districts' full-
fibre take-up against availability, each with its exclusion-risk score and England for reference,
as a chart with its data table; and small areas' gigabit availability against exclusion risk,
naming "high availability, high risk: support is the gap" and "both poor: infrastructure first".

Every point of a chart is a link (reachable by keyboard, with the area's figures in its name) to
the area's profile, and every point is a row of the table beside it."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from ..challenges import takeup
from ..errors import NotFoundError, ObservatoryError
from ..inclusion.priority import rows as risk_rows
from .inclusion import model_of
from .render import render, snapshot_of, workspace_of

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["take-up"])
SmallLevel = Literal["ward", "lsoa"]
NO_RISK = "This dashboard has no exclusion-risk index, so areas are shown without a risk score."


def _risks(request: Request, level: str) -> tuple[dict[str, takeup.Risk], str | None, bool]:
    """Risk per area at `level`, the reason there is none, and whether the index is illustrative."""
    try:
        model = model_of(request)
        comparison = "ca" if level == "lad" else None
        return takeup.risks_from_rows(risk_rows(model.compute(level, comparison))), None, model.illustrative
    except NotFoundError:  # no [inclusion] settings
        return {}, NO_RISK, False
    except ObservatoryError as exc:
        return {}, f"The exclusion-risk index could not be computed, so areas are shown without a risk score: {exc}", False


def answer(request: Request, level: str = "ward") -> dict[str, Any]:
    store = snapshot_of(request).store
    ws = workspace_of(request)
    region = ws.region_code if ws is not None else None
    lad_risk, reason, illus_lad = _risks(request, "lad")
    if ws is not None:
        districts = list(ws.districts)
    else:
        try:
            districts = sorted(r["area_code"] for r in store.figures("lad", "full_fibre_takeup"))
        except ObservatoryError:
            districts = []
    data = {"districts": takeup.districts(store, districts, lad_risk, region)}
    small_risk, _, illus_small = _risks(request, level)
    data["small_areas"] = (takeup.small_areas(store, level, small_risk, region=region) if small_risk else
                           {"level": level, "rows": [], "support_gap": [], "infrastructure_first": [],
                            "threshold": None, "threshold_words": ""})
    data.update(level=level, risk_missing=reason, groups=[takeup.SUPPORT_GAP, takeup.INFRASTRUCTURE_FIRST],
                illustrative=bool(illus_small or data["small_areas"].get("illustrative")
                                  or any(r["synthetic"] for r in data["districts"]["rows"])))
    data["districts"]["illustrative_risk"] = illus_lad
    return data


W, H, L, R, T, B = 560, 320, 52, 20, 16, 44


def _scale(lo: float, hi: float, a: float, b: float):  # noqa: ANN202
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) * (b - a) / span


# The axis text is 11 px Arial (the dashboard's .obs-axis); its widest characters average under
# 6.5 px, so a label of n characters needs at most 6.5 n px.
CHAR_W = 6.5


def _label_x(cx: float, text: str) -> tuple[float, str]:
    """Where a point's label starts and how it is anchored: to the right of the point, or to its
    left where it would run past the chart's right edge (the chart's box clips it, at any width)."""
    width = CHAR_W * len(text)
    if cx + 8 + width <= W - 2:
        return cx + 8, "start"
    if cx - 8 - width >= 2:
        return cx - 8, "end"
    return min(max(cx, 2 + width / 2), W - 2 - width / 2), "middle"


def scatter(points: list[dict[str, Any]], x: str, y: str, xlabel: str, ylabel: str, title: str, chart_id: str,
            reference: list[dict[str, Any]] = (), lines: tuple[float | None, float | None] = (None, None),
            shade: str | None = None) -> Markup:
    """A scatter chart whose every point is a keyboard-reachable link naming its figures."""
    pts = [p for p in points if p.get(x) is not None and p.get(y) is not None]
    refs = [p for p in reference if p.get(x) is not None and p.get(y) is not None]
    if not pts:
        return Markup("")
    xs = [p[x] for p in pts + refs]
    ys = [p[y] for p in pts + refs]
    x0, x1 = min(xs) - 2, max(xs) + 2
    y0, y1 = min(ys) - 2, max(ys) + 2
    sx, sy = _scale(x0, x1, L, W - R), _scale(y0, y1, H - B, T)
    out = [f'<svg class="obs-chart" viewBox="0 0 {W} {H}" role="group" aria-labelledby="{chart_id}-t" '
           'xmlns="http://www.w3.org/2000/svg">', f'<title id="{chart_id}-t">{escape(title)}</title>',
           f'<line x1="{L}" x2="{W - R}" y1="{H - B}" y2="{H - B}" stroke="#0b0c0c"/>',
           f'<line x1="{L}" x2="{L}" y1="{T}" y2="{H - B}" stroke="#0b0c0c"/>',
           f'<text x="{(L + W - R) / 2}" y="{H - 8}" text-anchor="middle" class="obs-axis">{escape(xlabel)}</text>',
           f'<text x="14" y="{(T + H - B) / 2}" text-anchor="middle" class="obs-axis" '
           f'transform="rotate(-90 14 {(T + H - B) / 2})">{escape(ylabel)}</text>']
    for v in (x0, (x0 + x1) / 2, x1):
        out.append(f'<text x="{sx(v):.1f}" y="{H - B + 16}" text-anchor="middle" class="obs-axis">{v:.0f}</text>')
    for v in (y0, (y0 + y1) / 2, y1):
        out.append(f'<text x="{L - 6}" y="{sy(v) + 4:.1f}" text-anchor="end" class="obs-axis">{v:.0f}</text>')
    lx, ly = lines
    if lx is not None and x0 <= lx <= x1:
        out.append(f'<line x1="{sx(lx):.1f}" x2="{sx(lx):.1f}" y1="{T}" y2="{H - B}" stroke="#505a5f" stroke-dasharray="4 3"/>')
    if ly is not None and y0 <= ly <= y1:
        out.append(f'<line x1="{L}" x2="{W - R}" y1="{sy(ly):.1f}" y2="{sy(ly):.1f}" stroke="#505a5f" stroke-dasharray="4 3"/>')
    for p in refs:
        cx, cy = sx(p[x]), sy(p[y])
        tx, anchor = _label_x(cx, p["name"])
        out.append(f'<path d="M{cx - 6:.1f},{cy:.1f}H{cx + 6:.1f}M{cx:.1f},{cy - 6:.1f}V{cy + 6:.1f}" stroke="#0b0c0c" '
                   f'stroke-width="2"/><text x="{tx:.1f}" y="{max(cy - 6, 12):.1f}" text-anchor="{anchor}" '
                   f'class="obs-axis">{escape(p["name"])}</text>')
    for p in pts:
        cx, cy = sx(p[x]), sy(p[y])
        dark = bool(shade and p.get(shade))
        label = f"{p['name']}: {xlabel} {p[x]:.1f}, {ylabel} {p[y]:.1f}"
        if p.get("risk") is not None and "risk" not in (x, y):
            label += f", exclusion risk {p['risk']:.1f}"
        if p.get("group"):
            label += f" ({p['group']})"
        out.append(f'<a href="/areas/{escape(p["code"])}" class="obs-point" aria-label="{escape(label)}">'
                   f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{"#d4351c" if dark else "#1d70b8"}" '
                   f'stroke="#0b0c0c" stroke-width="1"><title>{escape(label)}</title></circle></a>')
    out.append("</svg>")
    return Markup("".join(out))


@router.get("/takeup")
def takeup_page(request: Request, level: SmallLevel = "ward") -> Response:
    data = answer(request, level)
    d, s = data["districts"], data["small_areas"]
    england = next((r for r in d["reference"] if r["code"] == takeup.ENGLAND), None)
    district_chart = scatter(
        d["rows"], "availability", "takeup", "full fibre available (% of premises)",
        "taken up (% of premises reached)", "Districts' full-fibre take-up against availability; red: in the "
        "region's highest exclusion risk", "takeup-chart", d["reference"],
        (england["availability"], england["takeup"]) if england else (None, None), shade="high_risk")
    risk_line = min((r["risk"] for r in s["rows"] if r["high_risk"]), default=None)
    small_chart = scatter(
        s["rows"], "availability", "risk", "gigabit-capable (% of premises)", "exclusion risk (0-10)",
        f"{'Wards' if level == 'ward' else 'LSOAs'}: availability against exclusion risk; red: support is the gap "
        "or infrastructure first", "risk-chart", (), (s["threshold"], risk_line), shade="high_risk")
    return render(request, "takeup.html", data, title="Take-up, availability and risk",
                  district_chart=district_chart, small_chart=small_chart)


@api.get("/takeup", summary="Full-fibre take-up against availability and exclusion risk (districts), and availability "
                            "against risk (wards or LSOAs)")
def takeup_api(request: Request, level: SmallLevel = "ward") -> dict[str, Any]:
    return answer(request, level)
