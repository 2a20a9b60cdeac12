"""The annual update: one command writes the board's report, HTML and PDF, from the store and
records the dashboard reads.

`write_report()` reads as the report is made: choose the year, gather each section (coverage and
its maps, then the optional sections, each left out with a sentence where the workspace lacks its
data), render the HTML, write the PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..app import Observatory
from ..errors import ConfigError, StoreError
from ..glossary import places_from
from ..overview import region_of
from ..pipeline.suppression import threshold_of
from ..workspace import Workspace
from ..workspace.additions import what_to_add
from ..workspace.metrics import MetricsConfig
from . import about, render
from .coverage import coverage
from .coverage_maps import MAP_INDICATOR, coverage_maps
from .period import default_year, month_words
from .sections import Context, optional_sections, sources

FORMATS = ("html", "pdf")
STEPS = ("Gathering figures", "Drawing maps", "Gathering records and metrics", "Writing HTML", "Writing PDF")


@dataclass
class Written:
    year: int
    html: Path | None
    pdf: Path | None
    pages: int | None = None


def write_report(ws: Workspace, year: int | None = None, out: Path | None = None,
                 formats: tuple[str, ...] = FORMATS, progress: Callable[[str | None], None] | None = None) -> Written:
    step = progress or (lambda name: None)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(f"--format '{','.join(formats)}' is not known. Use html, pdf or html,pdf.")
    if not ws.store_path.exists():
        raise StoreError(f"No store at {ws.store_path}. Run `observatory build` first.")
    out = Path(out) if out else ws.root / "build" / "report"
    with Observatory(ws).store as store:  # its derived figures following the records
        step(STEPS[0])
        releases = store.releases()
        newest = default_year(releases)
        year = year or newest
        if year > newest or year < 2000:
            raise ConfigError(
                f"--year {year}: the store's newest release is {month_words(max(r['as_of'] for r in releases if r['as_of']))}, "
                f"so the latest annual update it can write is for {newest}. Use --year {newest} or earlier."
            )
        ctx = Context(store, ws, year)
        targets = _targets(ws)
        cov = coverage(store, year, targets)
        step(STEPS[1])
        maps = coverage_maps(store, year, targets=targets)
        step(STEPS[2])
        extra = optional_sections(ctx)
        appendix = sources.gather(ctx)
        meta = store.meta()
        sfbb = targets.target("sfbb") if targets is not None else None
        places = places_from(store, region_of(store), sfbb.value if sfbb is not None else None)
        # the levels the workspace lacks, and what to add to get them (the ward map and table)
        lacking = [what_to_add(level, bool(store.names(level)), reader=True) for level in ("ward",)
                   if not store.releases_of(MAP_INDICATOR, level)]
    written_at = about.now_utc()
    document = render.html({
        "title": f"{ws.name}: digital infrastructure annual update {year}",
        "workspace": ws.name,
        "year": year,
        "coverage": cov,
        "maps": maps,
        "sections": extra,
        "sources": appendix,
        "built": meta.get("built", ""),
        "suppress_below": threshold_of(meta),
        "places": places,
        "lacking": lacking,
        "written": date.today().isoformat(),
        "illustrative": cov["illustrative"] or any(m["illustrative"] for m in maps)
        or any(s.illustrative for s in extra) or appendix.illustrative,
    })
    out.mkdir(parents=True, exist_ok=True)
    written = Written(year, None, None)
    if "html" in formats:
        step(STEPS[3])
        written.html = _atomic_write(out / "index.html", document.encode("utf-8"))
    if "pdf" in formats:
        step(STEPS[4])
        tmp = out / f".annual-update-{year}.pdf.tmp"
        written.pages = render.pdf(document, tmp)
        written.pdf = tmp.replace(out / f"annual-update-{year}.pdf")
    about.record(out, year, written.pages, written_at, meta.get("built", ""))
    step(None)
    return written


def _targets(ws: Workspace) -> MetricsConfig | None:
    """The strategy's coverage targets; none when the metrics file is broken (its section says why)."""
    try:
        return ws.metrics
    except ConfigError:
        return None


def _atomic_write(path: Path, data: bytes) -> Path:
    """Write beside, then rename: a reader never sees half a report."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    return tmp.replace(path)
