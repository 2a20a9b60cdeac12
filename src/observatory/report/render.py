"""The report as HTML (self-contained: styles and images inline, no scripts) and as a tagged PDF.

WeasyPrint writes the PDF from the same HTML with print CSS: running headers, page numbers, a
contents list with page numbers, and the PDF/UA variant so the PDF is tagged, with its language and
title taken from the document (WeasyPrint docs, "PDF/UA").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..months import day_words
from .period import month_words
from .terms import definitions, link_terms

HERE = Path(__file__).parent


def environment() -> Environment:
    env = Environment(loader=PackageLoader("observatory.report", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v, d=1: "" if v is None else f"{v:.{d}f}%"
    env.filters["count"] = lambda v: "" if v is None else f"{v:,.0f}"
    env.filters["month"] = month_words
    env.filters["change"] = change_words
    env.filters["day"] = day_words
    return env


def html(context: dict[str, Any]) -> str:
    """The report, with the glossary's terms it uses defined at the end and linked (terms.py): drawn
    once to find which terms appear, then again with their definitions."""
    css = (HERE / "templates" / "report.css").read_text(encoding="utf-8")
    template = environment().get_template("report.html")
    _, used = link_terms(template.render(css=css, terms=[], **context))
    defined = definitions(used, context.get("suppress_below"), context.get("places"))
    return link_terms(template.render(css=css, terms=defined, **context))[0]


def pdf(document: str, path: Path) -> int:
    """Write the PDF; its number of pages."""
    import weasyprint  # imported here: it loads Pango, which only the PDF needs

    laid_out = weasyprint.HTML(string=document, base_url=str(HERE)).render(pdf_variant="pdf/ua-1")
    laid_out.write_pdf(path, pdf_variant="pdf/ua-1")
    return len(laid_out.pages)


def change_words(change: float) -> str:
    """A change in percentage points, rounded once: '+1.3 pts', '−0.4 pts', 'no change'."""
    text = f"{abs(change):.1f}"
    if text == "0.0":
        return "no change"
    return f"{'+' if change > 0 else '−'}{text} pts"
