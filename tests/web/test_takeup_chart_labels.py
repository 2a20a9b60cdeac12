"""/takeup's district chart: a reference point's name (England, the region) is drawn inside the
chart's box wherever the point falls, so no label is clipped at a phone's width or a desktop's
(the SVG scales to its box, so inside the viewBox is inside the box at any width). Kept beside the
report's tests because the paper shows the same take-up figures."""

from __future__ import annotations

import re

import pytest

from observatory.web.takeup import CHAR_W, W, scatter

REGION = "West Yorkshire Combined Authority"


def _labels(svg: str) -> list[tuple[float, str, str]]:
    return [(float(x), anchor, text) for x, anchor, text in
            re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)" class="obs-axis">([^<]+)</text>', svg)]


def _extent(x: float, anchor: str, text: str) -> tuple[float, float]:
    width = CHAR_W * len(text)
    start = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return start, start + width


@pytest.mark.parametrize("availability", [73.0, 84.0, 89.4, 94.9])
def test_a_reference_label_stays_inside_the_chart(availability: float) -> None:
    points = [{"code": "E08000032", "name": "Bradford", "availability": 72.0, "takeup": 25.0},
              {"code": "E08000035", "name": "Leeds", "availability": 95.0, "takeup": 56.0}]
    reference = [{"code": "E47000003", "name": REGION, "availability": availability, "takeup": 42.1}]
    svg = str(scatter(points, "availability", "takeup", "available", "taken up", "Take-up", "t", reference))
    (x, anchor, text), = [label for label in _labels(svg) if label[2] == REGION]
    left, right = _extent(x, anchor, text)
    assert 0 <= left and right <= W, (availability, left, right)
