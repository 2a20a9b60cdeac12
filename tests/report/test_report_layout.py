"""The paper's print styles keep its text readable (issue 23): body text at least 10 pt, and no
table, rule or note set below 8 pt, however much the body is tightened to fit about twelve pages."""

from __future__ import annotations

import re

from observatory.report.render import HERE

CSS = (HERE / "templates" / "report.css").read_text(encoding="utf-8")


def _sizes_in_pt(css: str) -> list[float]:
    sizes = [float(v) for v in re.findall(r"font-size:\s*([\d.]+)pt", css)]
    sizes += [float(v) for v in re.findall(r"\bfont:\s*(?:bold\s+)?([\d.]+)pt", css)]
    return sizes


def test_body_text_is_at_least_ten_point():
    body = re.search(r"^html\s*\{\s*font:\s*([\d.]+)pt", CSS, re.M)
    assert body and float(body.group(1)) >= 10


def test_no_text_is_set_below_eight_point():
    sizes = _sizes_in_pt(CSS)
    assert sizes and min(sizes) >= 8, sorted(sizes)[:3]
    # sizes relative to their parent (em) never shrink below 8 pt of the smallest table text (9 pt)
    for em in (float(v) for v in re.findall(r"font-size:\s*([\d.]+)em", CSS)):
        assert 9 * em >= 8, em
