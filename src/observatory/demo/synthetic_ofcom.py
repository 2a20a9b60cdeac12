"""SYNTHETIC Ofcom small-area fixed-coverage files for the West Yorkshire demo.

Nothing this module writes is real data below district level. Ofcom's output-area and postcode
coverage files cannot be fetched offline, so the bundled demo uses files *in Ofcom's real
schemas* (member names, column names, BOM, CRLF line endings, revision tokens) whose figures are
made up by a seeded, deterministic generator. Only the district totals are real: for each of the
five West Yorkshire districts every count column of the all-premises output-area file adds up
exactly to Ofcom's real July 2025 local-authority table (``ofcom_202507_fixed_laua_coverage_r01``).

Method, in plain words
----------------------
1. Geography. The 7,131 2011 output areas (OAs) are read from the vendored boundary file and
   repaired with ``shapely.make_valid``; their centroids and areas are taken in British National
   Grid (metres). Postcodes are placed in the OA their centroid falls in (STRtree, "within").
2. Premises. Each OA gets a weight: a log-normal "about 125 households" term, a growth term
   (new builds since 2011) and, near town centres, a heavy-tailed commercial/flats term. The real
   district premises total is shared out in proportion to these weights (largest remainder), so
   most OAs hold 100-250 premises and a few city-centre OAs hold 1,000 or more.
3. Network quality. A "quality" surface is built from two smooth random fields (random Fourier
   features, length scales 5 km and 1.5 km), proximity to town centres, some gigabit build-out
   clusters (bumps around randomly chosen, premises-weighted centres) and a penalty for rural OAs
   (large area, far from the district's centre), plus a little per-OA noise. Coverage is therefore
   spatially clustered and poorer at rural edges, not independent noise per area.
4. Counts, level by level, with exact district totals. Every count is allocated from a parent
   count with per-OA caps: capped proportional allocation (water-filling) of weights
   ``cap x logistic(k x (score - t))`` (``t`` calibrated per district) followed by largest
   remainder, which keeps both each OA's cap and the district total exactly. The chain is
   all premises -> unmatched -> unable to receive 30 -> 10 -> 5 -> 2 Mbit/s (each inside the
   last) -> below the USO (inside unable-10); SFBB = matched - unable-30; premises without gigabit
   (inside SFBB) -> without UFBB (inside those) -> without UFBB (100Mbit/s); NGA = SFBB plus a
   share of the unable-30 premises; FWA inside matched premises not below the USO. The speed
   bands then follow exactly: >=300 = UFBB, 30<300 = SFBB - UFBB, 10<30 = unable-30 - unable-10,
   5<10, 2<5, 0<2 from the cumulative "unable" counts; they sum to All Matched Premises. All these
   identities hold in the real West Yorkshire district rows (checked on load), so none is relaxed.
   Percentages are count / All Premises x 100 rounded to 1 dp, as in the real district table.
   Full fibre is not written below district level (Ofcom withholds it).
5. Residential file. Each OA's residential share is 80-97% (lower near town centres). The
   non-residential premises are drawn out of the OA's disjoint coverage classes by sequential
   hypergeometric sampling, so every residential count is <= the all-premises count and the
   residential file obeys the same nesting and band identities. Its totals match nothing real.
6. Postcodes. Within an OA the premises are imagined in a line ordered from best to worst
   served (gigabit first, then UFBB-only, ..., below 2 Mbit/s, unmatched last). Each postcode
   takes a segment of that line (its size is a random premises count; the order follows a
   fine-scale field so that good postcodes cluster) and its percentages are the share of its
   segment inside each coverage interval. Postcodes are thus mostly all-or-nothing (gigabit 0 or
   100) while their premises-weighted mean equals the OA's percentage. Postcodes outside West
   Yorkshire (same postcode areas) get, per postcode sector, the profile of one of the 25 rural
   West Yorkshire OAs (area over 0.25 km2) nearest the sector, picked at random; unlocated postcodes get the percentages of the OA most common among their
   postcode district's located postcodes (else the area's most common OA).
7. Revisions. As in real releases, one file is reissued: ``..._pc_coverage_r02_HX.csv`` is the
   corrected file and, like Ofcom's reissues, has no UTF-8 BOM. The ZIP keeps the superseded
   ``..._pc_coverage_r01_HX.csv`` with deliberately stale values (gigabit a few points lower:
   about 7% of gigabit postcodes shown without gigabit), so a reader that keeps r01 instead of
   r02 is detectable. Readers must keep, for each (level, residential, postcode area), only the
   file with the highest revision token; :func:`latest_revisions` does that.

Determinism: a single ``numpy.random.default_rng(seed)`` stream, rows sorted by code, fixed
``%.1f`` float formatting, fixed ZIP member order, timestamps ``(2025, 7, 1, 0, 0, 0)``,
permissions and compression level; the same seed gives the same bytes.

Where: :mod:`~observatory.demo.oa_coverage` (steps 1-5, over
:mod:`~observatory.demo.exact_allocation`), :mod:`~observatory.demo.postcode_coverage` (step 6)
and :mod:`~observatory.demo.ofcom_schema` (Ofcom's names, columns, revisions and file bytes);
this module puts them together (and step 7's stale file) into the release ZIP.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from observatory.demo.oa_coverage import DISTRICTS, LAUA_CSV, OA_GEOJSON, model_oas
from observatory.demo.oa_coverage import load_inputs as _load_inputs
from observatory.demo.ofcom_schema import (
    AREAS,
    BOM,
    REISSUED_AREA,
    RELEASE,
    csv_bytes,
    latest_revisions,
    member_names,
    number_column,
    oa_frame,
    oa_member,
    pc_member,
    write_zip,
)
from observatory.demo.postcode_coverage import postcode_frames

# Re-exported: tests and scripts/generate_demo_coverage.py reach these through this module.
__all__ = [
    "AREAS",
    "BOM",
    "DEFAULT_OUT",
    "DEFAULT_SEED",
    "DISTRICTS",
    "LAUA_CSV",
    "OA_GEOJSON",
    "REISSUED_AREA",
    "generate",
    "latest_revisions",
    "member_names",
    "number_column",
]

DEFAULT_SEED = 20250701
DEFAULT_OUT = Path("coverage/202507_fixed_broadband_coverage_r01_SYNTHETIC.zip")


def _readme(seed: int) -> bytes:
    text = f"""SYNTHETIC DATA - NOT OFCOM DATA BELOW DISTRICT LEVEL

Every figure in the output-area and postcode files of this ZIP is synthetic. The files were
generated by the Digital Observatory demo generator (observatory.demo.synthetic_ofcom,
run via scripts/generate_demo_coverage.py) with seed {seed}, for demonstration only.

They use Ofcom's real file names, column names and layout (Connected Nations fixed broadband
coverage, July 2025 snapshot, release {RELEASE}), so that the observatory's readers can be shown
working, but the values are made up.

What is real: for each West Yorkshire district (Bradford E08000032, Calderdale E08000033,
Kirklees E08000034, Leeds E08000035, Wakefield E08000036), the counts in
{oa_member(False)} add up exactly to Ofcom's real July 2025 local-authority table
({LAUA_CSV.name}). Nothing below district level is real: not the output-area counts, not the
residential file, not any postcode value.

Revisions: {pc_member(REISSUED_AREA, revision=2)} is a reissue that replaces
{pc_member(REISSUED_AREA)} (kept here with deliberately stale values).
Always use the highest revision of each file.

Full fibre is not given below district level (Ofcom withholds it).
Output areas are 2011 output areas. Boundaries: ONS (OGL v3.0). District totals: Ofcom (OGL v3.0).
"""
    return text.replace("\n", "\r\n").encode("utf-8")


def generate(repo_data_dir: Path, out_zip: Path, seed: int = DEFAULT_SEED) -> Path:
    """Write the SYNTHETIC release ZIP ``out_zip`` from the vendored data under
    ``repo_data_dir`` (``examples/west-yorkshire/data``); same seed, same bytes."""
    inp = _load_inputs(str(Path(repo_data_dir).resolve()))
    rng = np.random.default_rng(seed)
    model = model_oas(inp, rng)
    pcs = postcode_frames(inp, model, rng)

    members: dict[str, bytes] = {
        "README_SYNTHETIC.txt": _readme(seed),
        oa_member(False): csv_bytes(oa_frame(inp.oa_code, inp.district.columns, model.counts)),
        oa_member(True): csv_bytes(oa_frame(inp.oa_code, inp.district.columns, model.res_counts)),
    }
    gig_pct = "Gigabit availability (% premises)"
    for area in AREAS:
        df_all = pcs["all"][pcs["all"]["postcode area"] == area].reset_index(drop=True)
        df_res = pcs["res"][pcs["res"]["postcode area"] == area].reset_index(drop=True)
        if area == REISSUED_AREA:
            stale = df_all.copy()
            had = stale[gig_pct].to_numpy() > 0
            drop = had & (rng.random(len(stale)) < 0.07)
            stale.loc[drop, gig_pct] = 0.0
            members[pc_member(area)] = csv_bytes(stale)
            members[pc_member(area, revision=2)] = csv_bytes(df_all, bom=False)
        else:
            members[pc_member(area)] = csv_bytes(df_all)
        members[pc_member(area, residential=True)] = csv_bytes(df_res)
    return write_zip(out_zip, members)
