"""The files a workspace names ([boundaries], [postcodes], [[sources]], [[lookups]],
[msoa_names]): each section checked, every file found, and turned into plain dataclasses."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .keys import existing_file, is_month, need, unknown_keys

BOUNDARY_LEVELS = ("oa", "lsoa", "msoa", "ward", "lad")
SMALL_AREA_ZIP = "ofcom-small-area-zip"  # Ofcom's release ZIP of output-area and postcode files
SOURCE_KINDS = (
    "ofcom-laua-coverage",
    "ofcom-full-fibre-takeup",
    "ons-gigabit-series",
    SMALL_AREA_ZIP,
)
_LOOKUP_KEYS = {"level", "file", "district", "code", "name", "licence", "attribution"}
LOOKUP_LEVELS = ("rgn", "ca", "group")
# Sources whose files do not say which month they describe: as_of must be given.
NEEDS_AS_OF = ("ofcom-laua-coverage", "ofcom-full-fibre-takeup")
_SOURCE_KEYS = {
    "key", "kind", "file", "as_of", "publisher", "title", "licence", "attribution", "origin",
    "published", "synthetic", "vintage",
}
_BOUNDARY_KEYS = {"file", "code", "name", "vintage"}
_MSOA_NAMES_KEYS = {"file", "code", "name", "licence", "attribution"}


@dataclass(frozen=True)
class Boundary:
    level: str
    file: Path
    code: str
    name: str | None
    vintage: str


@dataclass(frozen=True)
class Source:
    key: str
    kind: str
    file: Path
    as_of: str | None
    publisher: str
    title: str
    licence: str
    attribution: str
    origin: str
    published: str | None
    synthetic: bool
    vintage: str | None


@dataclass(frozen=True)
class Lookup:
    """A table placing districts in parents of one level: regions, combined authorities, or a
    council's own grouping (a county, a partnership)."""

    level: str
    file: Path
    district: str
    code: str
    name: str
    licence: str = ""
    attribution: str = ""


@dataclass(frozen=True)
class MsoaNames:
    """Readable MSOA names: the House of Commons Library's "MSOA Names" file (a CSV, one row per
    MSOA; Open Government Licence v3.0), or any file in its form. `code` and `name` are the column
    headings; None means the Library's own (msoa21cd/msoa21hclnm, or msoa11cd/msoa11hclnm)."""

    file: Path
    code: str | None
    name: str | None
    licence: str
    attribution: str


def parse_boundaries(config: Path, data: dict[str, Any]) -> dict[str, Boundary]:
    boundaries = {}
    for level, spec in data.get("boundaries", {}).items():
        if level not in BOUNDARY_LEVELS:
            raise ConfigError(
                f"{config}: [boundaries.{level}] is not a level here. Levels: {', '.join(BOUNDARY_LEVELS)}."
            )
        unknown_keys(config, f"[boundaries.{level}]", set(spec), _BOUNDARY_KEYS)
        boundaries[level] = Boundary(
            level=level,
            file=existing_file(config, spec.get("file"), f"[boundaries.{level}]"),
            code=need(config, spec, "code", f"[boundaries.{level}]"),
            name=spec.get("name"),
            vintage=need(config, spec, "vintage", f"[boundaries.{level}]"),
        )
    if "lad" not in boundaries:
        raise ConfigError(f"{config}: [boundaries.lad] is required (district boundaries).")
    return boundaries


def parse_postcodes(config: Path, data: dict[str, Any]) -> Path | None:
    if "postcodes" not in data:
        return None
    unknown_keys(config, "[postcodes]", set(data["postcodes"]), {"file"})
    return existing_file(config, data["postcodes"].get("file"), "[postcodes]")


def parse_sources(config: Path, data: dict[str, Any]) -> tuple[Source, ...]:
    sources = []
    seen: set[str] = set()
    for i, spec in enumerate(data.get("sources", []), start=1):
        source = _source(config, spec, f"[[sources]] number {i}")
        if source.key in seen:
            raise ConfigError(f"{config}: [[sources]] number {i}: key '{source.key}' is used twice. Give each "
                              "source its own key.")
        seen.add(source.key)
        sources.append(source)
    if kind_missing := [s for s in sources if s.kind == SMALL_AREA_ZIP and not s.vintage]:
        raise ConfigError(
            f"{config}: source '{kind_missing[0].key}' needs vintage = 'OA 2011' or 'OA 2021' "
            "(the output-area codes the release uses)."
        )
    return tuple(sources)


def _source(config: Path, spec: dict[str, Any], where: str) -> Source:
    unknown_keys(config, where, set(spec), _SOURCE_KEYS)
    kind = need(config, spec, "kind", where)
    if kind not in SOURCE_KINDS:
        hint = difflib.get_close_matches(kind, SOURCE_KINDS, n=1)
        did = f" Did you mean '{hint[0]}'?" if hint else ""
        raise ConfigError(
            f"{config}: {where}: kind '{kind}' is not known.{did} Kinds: {', '.join(SOURCE_KINDS)}."
        )
    key = spec.get("key", kind)
    as_of = spec.get("as_of")
    if as_of is None and kind in NEEDS_AS_OF:
        raise ConfigError(
            f"{config}: {where} (key '{key}'): as_of is missing. A file of kind {kind} does not say which "
            "month it describes: add as_of = \"YYYY-MM\", Ofcom's snapshot month (the first six "
            "digits of its file name, e.g. 202507 -> as_of = \"2025-07\")."
        )
    if as_of is not None and not is_month(as_of):
        raise ConfigError(f"{config}: {where}: as_of '{as_of}' should be a month like '2025-07'.")
    return Source(
        key=key,
        kind=kind,
        file=existing_file(config, spec.get("file"), where),
        as_of=as_of,
        publisher=need(config, spec, "publisher", where),
        title=need(config, spec, "title", where),
        licence=need(config, spec, "licence", where),
        attribution=spec.get("attribution", ""),
        origin=spec.get("origin", ""),
        published=spec.get("published"),
        synthetic=bool(spec.get("synthetic", False)),
        vintage=spec.get("vintage"),
    )


def parse_lookups(config: Path, data: dict[str, Any]) -> tuple[Lookup, ...]:
    lookups = []
    for i, spec in enumerate(data.get("lookups", []), start=1):
        where = f"[[lookups]] number {i}"
        unknown_keys(config, where, set(spec), _LOOKUP_KEYS)
        level = need(config, spec, "level", where)
        if level not in LOOKUP_LEVELS:
            raise ConfigError(f"{config}: {where}: level '{level}' is not one of {', '.join(LOOKUP_LEVELS)}.")
        lookups.append(Lookup(level=level, file=existing_file(config, spec.get("file"), where),
                              district=need(config, spec, "district", where),
                              code=need(config, spec, "code", where), name=need(config, spec, "name", where),
                              licence=str(spec.get("licence", "")), attribution=str(spec.get("attribution", ""))))
    return tuple(lookups)


def parse_msoa_names(config: Path, data: dict[str, Any], boundaries: dict[str, Boundary]) -> MsoaNames | None:
    if "msoa_names" not in data:
        return None
    spec = data["msoa_names"]
    where = "[msoa_names]"
    if not isinstance(spec, dict):
        raise ConfigError(f"{config}: {where} must be a table (a line [msoa_names], then file = \"...\").")
    unknown_keys(config, where, set(spec), _MSOA_NAMES_KEYS)
    if "msoa" not in boundaries:
        raise ConfigError(
            f"{config}: {where} names MSOAs, but there is no [boundaries.msoa]. Add the MSOA boundaries "
            "(of the same year as the names file), or remove [msoa_names]."
        )
    for key in ("code", "name", "licence", "attribution"):
        if key in spec and (not isinstance(spec[key], str) or not spec[key].strip()):
            raise ConfigError(f"{config}: {where}.{key} must be text (a column heading for code and name).")
    return MsoaNames(
        file=existing_file(config, spec.get("file"), where),
        code=spec.get("code"),
        name=spec.get("name"),
        licence=spec.get("licence", "Open Government Licence v3.0"),
        attribution=spec.get("attribution", "Contains House of Commons Library MSOA Names data, "
                                            "licensed under the Open Government Licence v3.0"),
    )
