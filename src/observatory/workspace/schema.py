"""A workspace: a folder with an `observatory.toml` naming a region's sources.

The file is read once, checked completely, and turned into plain dataclasses so nothing after this
module knows TOML. Every mistake becomes a ConfigError that names the key and the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ConfigError
from .challenges import ChallengesConfig
from .challenges import parse as parse_challenges
from .inclusion import InclusionConfig
from .inclusion import parse as parse_inclusion
from .metrics import MetricsConfig
from .metrics import parse_section as parse_metrics
from .programme import ProgrammeConfig
from .programme import parse as parse_programme
from .records import RecordsConfig
from .records import parse as parse_records
from .toml import read_toml

T = TypeVar("T")

CONFIG_NAME = "observatory.toml"
BUNDLED = Path(__file__).resolve().parents[3] / "examples" / "west-yorkshire"

BOUNDARY_LEVELS = ("oa", "lsoa", "msoa", "ward", "lad")
SOURCE_KINDS = (
    "ofcom-laua-coverage",
    "ofcom-full-fibre-takeup",
    "ons-gigabit-series",
    "ofcom-small-area-zip",
)
_TOP_KEYS = {"workspace", "build", "boundaries", "postcodes", "sources", "code_changes", "lookups", "records",
             "programme", "metrics", "inclusion", "msoa_names", "challenges"}
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


@dataclass(frozen=True)
class Workspace:
    root: Path
    name: str
    region_code: str
    region_name: str
    districts: tuple[str, ...]
    suppress_below: int
    boundaries: dict[str, Boundary]
    postcodes: Path | None
    sources: tuple[Source, ...]
    code_changes: dict[str, str] = field(default_factory=dict)
    lookups: tuple[Lookup, ...] = ()
    msoa_names: MsoaNames | None = None
    # the sections beyond coverage, each parsed and checked with the rest of the file
    programme: ProgrammeConfig = field(default_factory=ProgrammeConfig)
    records: RecordsConfig = field(default_factory=RecordsConfig)
    challenges: ChallengesConfig = field(default_factory=ChallengesConfig)
    # [metrics] and [inclusion] are parsed with the rest, but a mistake in one of them (or in the
    # metrics file) is kept, not raised at once: a typo in metrics.toml must not stop a coverage
    # build. Reading the section raises it, with the same message, wherever it is needed.
    metrics_section: MetricsConfig | ConfigError | None = None
    inclusion_section: InclusionConfig | ConfigError | None = None
    # how the workspace was chosen: "given", "found" (observatory.toml in this folder or a parent)
    # or "bundled" (no workspace anywhere up from here: the bundled demo)
    chosen: str = "given"

    @property
    def metrics(self) -> MetricsConfig | None:
        """The strategy metrics (None when the workspace defines none); a ConfigError if broken."""
        return _section(self.metrics_section)

    @property
    def inclusion(self) -> InclusionConfig | None:
        """The exclusion-risk settings (None without [inclusion]); a ConfigError if broken."""
        return _section(self.inclusion_section)

    @property
    def has_inclusion(self) -> bool:
        return self.inclusion_section is not None

    def problems(self) -> list[str]:
        """The sections that could not be read, each with its message (for `observatory check`)."""
        return [str(s) for s in (self.metrics_section, self.inclusion_section) if isinstance(s, ConfigError)]

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def store_path(self) -> Path:
        return self.root / "build" / "observatory.duckdb"

    def settings_files(self) -> list[Path]:
        """The files the settings are read from (observatory.toml and the metrics file): a change
        to one of them means the settings must be read again."""
        files = [self.config_path]
        if self.metrics_section is not None and not isinstance(self.metrics_section, ConfigError):
            files.append(self.metrics_section.file)
        return files

    def input_files(self) -> list[Path]:
        files = [self.config_path, *(b.file for b in self.boundaries.values())]
        files += [s.file for s in self.sources] + [lk.file for lk in self.lookups]
        if self.postcodes:
            files.append(self.postcodes)
        if self.msoa_names:
            files.append(self.msoa_names.file)
        return files


def _section(value: T | ConfigError | None) -> T | None:
    if isinstance(value, ConfigError):
        raise ConfigError(str(value))
    return value


def _kept(parse: Callable[[], T]) -> T | ConfigError:
    try:
        return parse()
    except ConfigError as exc:
        return exc


def find(start: Path | None = None) -> Path | None:
    """The nearest folder holding an observatory.toml: this one or a parent (as git finds .git)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def load(path: str | Path | None = None) -> Workspace:
    """Read and check a workspace folder (or its observatory.toml).

    With no path: the workspace whose observatory.toml is in the current folder or a parent; only
    where there is none, the bundled West Yorkshire demo (`chosen` says which, so the CLI can say so).
    """
    chosen = "given"
    if path:
        root = Path(path)
    elif (found := find()) is not None:
        root, chosen = found, "found"
    else:
        root, chosen = BUNDLED, "bundled"
    if root.name != CONFIG_NAME and (root.is_file() or root.suffix == ".toml"):
        if not root.exists():
            raise ConfigError(
                f"Configuration file {root} does not exist. Give the workspace folder that holds "
                f"its {CONFIG_NAME}."
            )
        raise ConfigError(
            f"{root} is a file, not a workspace folder. Give the folder holding the workspace's "
            f"{CONFIG_NAME} (the configuration must have that name)."
        )
    config = root if root.name == CONFIG_NAME else root / CONFIG_NAME
    root = config.parent
    if not root.exists():
        raise ConfigError(
            f"Workspace folder {root} does not exist. Give the path of a folder holding "
            f"{CONFIG_NAME}, or create one with `observatory init {root}`."
        )
    if not config.exists():
        raise ConfigError(
            f"No {CONFIG_NAME} in {root}. Create one with `observatory init {root}` and fill it in."
        )
    if config.is_dir():
        raise ConfigError(f"{config} is a folder, not a file. The configuration must be a TOML file of that name.")
    ws = _parse(config, read_toml(config))
    return ws if chosen == "given" else _replace(ws, chosen=chosen)


def _replace(ws: Workspace, **changes: Any) -> Workspace:
    return replace(ws, **changes)


def _unknown(config: Path, where: str, keys: set[str], allowed: set[str]) -> None:
    for key in sorted(keys - allowed):
        hint = difflib.get_close_matches(key, sorted(allowed), n=1)
        did = f" Did you mean '{hint[0]}'?" if hint else ""
        raise ConfigError(
            f"{config}: unknown key '{key}' in {where}.{did} Allowed keys: {', '.join(sorted(allowed))}."
        )


def _need(config: Path, table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise ConfigError(f"{config}: {where} needs '{key}'. Add it (see `observatory init`).")
    return table[key]


def _file(config: Path, value: Any, where: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{config}: {where}.file must be a path (a string).")
    p = (config.parent / value).resolve()
    if p.is_dir():
        raise ConfigError(f"{config}: {where}.file = '{value}' is a folder, not a file. Name the file itself.")
    if not p.exists():
        raise ConfigError(
            f"{config}: {where}.file = '{value}' does not exist (looked for {p}). "
            "Fix the path (relative to the workspace folder) or add the file."
        )
    return p


def _parse(config: Path, data: dict[str, Any]) -> Workspace:
    _unknown(config, "the top level", set(data), _TOP_KEYS)
    ws = _need(config, data, "workspace", "the file")
    _unknown(config, "[workspace]", set(ws), {"name", "region_code", "region_name", "districts"})
    districts = _need(config, ws, "districts", "[workspace]")
    if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts):
        raise ConfigError(f"{config}: [workspace].districts must be a list of district codes.")
    build = data.get("build", {})
    _unknown(config, "[build]", set(build), {"suppress_below"})
    suppress = build.get("suppress_below", 5)
    if not isinstance(suppress, int) or suppress < 0:
        raise ConfigError(f"{config}: [build].suppress_below must be a whole number >= 0.")

    boundaries = {}
    for level, spec in data.get("boundaries", {}).items():
        if level not in BOUNDARY_LEVELS:
            raise ConfigError(
                f"{config}: [boundaries.{level}] is not a level here. Levels: {', '.join(BOUNDARY_LEVELS)}."
            )
        _unknown(config, f"[boundaries.{level}]", set(spec), _BOUNDARY_KEYS)
        boundaries[level] = Boundary(
            level=level,
            file=_file(config, spec.get("file"), f"[boundaries.{level}]"),
            code=_need(config, spec, "code", f"[boundaries.{level}]"),
            name=spec.get("name"),
            vintage=_need(config, spec, "vintage", f"[boundaries.{level}]"),
        )
    if "lad" not in boundaries:
        raise ConfigError(f"{config}: [boundaries.lad] is required (district boundaries).")

    postcodes = None
    if "postcodes" in data:
        _unknown(config, "[postcodes]", set(data["postcodes"]), {"file"})
        postcodes = _file(config, data["postcodes"].get("file"), "[postcodes]")

    sources = []
    seen: set[str] = set()
    for i, spec in enumerate(data.get("sources", []), start=1):
        where = f"[[sources]] number {i}"
        _unknown(config, where, set(spec), _SOURCE_KEYS)
        kind = _need(config, spec, "kind", where)
        if kind not in SOURCE_KINDS:
            hint = difflib.get_close_matches(kind, SOURCE_KINDS, n=1)
            did = f" Did you mean '{hint[0]}'?" if hint else ""
            raise ConfigError(
                f"{config}: {where}: kind '{kind}' is not known.{did} Kinds: {', '.join(SOURCE_KINDS)}."
            )
        key = spec.get("key", kind)
        if key in seen:
            raise ConfigError(f"{config}: {where}: key '{key}' is used twice. Give each source its own key.")
        seen.add(key)
        as_of = spec.get("as_of")
        if as_of is None and kind in NEEDS_AS_OF:
            raise ConfigError(
                f"{config}: {where} (key '{key}'): as_of is missing. A file of kind {kind} does not say which "
                "month it describes: add as_of = \"YYYY-MM\", Ofcom's snapshot month (the first six "
                "digits of its file name, e.g. 202507 -> as_of = \"2025-07\")."
            )
        if as_of is not None and not _is_month(as_of):
            raise ConfigError(f"{config}: {where}: as_of '{as_of}' should be a month like '2025-07'.")
        sources.append(
            Source(
                key=key,
                kind=kind,
                file=_file(config, spec.get("file"), where),
                as_of=as_of,
                publisher=_need(config, spec, "publisher", where),
                title=_need(config, spec, "title", where),
                licence=_need(config, spec, "licence", where),
                attribution=spec.get("attribution", ""),
                origin=spec.get("origin", ""),
                published=spec.get("published"),
                synthetic=bool(spec.get("synthetic", False)),
                vintage=spec.get("vintage"),
            )
        )
    if kind_missing := [s for s in sources if s.kind == "ofcom-small-area-zip" and not s.vintage]:
        raise ConfigError(
            f"{config}: source '{kind_missing[0].key}' needs vintage = 'OA 2011' or 'OA 2021' "
            "(the output-area codes the release uses)."
        )
    lookups = []
    for i, spec in enumerate(data.get("lookups", []), start=1):
        where = f"[[lookups]] number {i}"
        _unknown(config, where, set(spec), _LOOKUP_KEYS)
        level = _need(config, spec, "level", where)
        if level not in LOOKUP_LEVELS:
            raise ConfigError(f"{config}: {where}: level '{level}' is not one of {', '.join(LOOKUP_LEVELS)}.")
        lookups.append(Lookup(level=level, file=_file(config, spec.get("file"), where),
                              district=_need(config, spec, "district", where),
                              code=_need(config, spec, "code", where), name=_need(config, spec, "name", where),
                              licence=str(spec.get("licence", "")), attribution=str(spec.get("attribution", ""))))
    region_code = _need(config, ws, "region_code", "[workspace]")
    return Workspace(
        msoa_names=_msoa_names(config, data, boundaries),
        programme=(programme := parse_programme(config, data.get("programme", {}))),
        records=parse_records(config, data.get("records", {})),
        challenges=parse_challenges(config, data.get("challenges", {})),
        metrics_section=_kept(lambda: parse_metrics(config, data.get("metrics"), region_code, tuple(districts),
                                                    programme)),
        inclusion_section=_kept(lambda: parse_inclusion(config, data["inclusion"])) if "inclusion" in data else None,
        root=config.parent,
        name=ws.get("name", config.parent.name),
        region_code=region_code,
        region_name=ws.get("region_name", ws.get("name", "")),
        districts=tuple(districts),
        suppress_below=suppress,
        boundaries=boundaries,
        postcodes=postcodes,
        sources=tuple(sources),
        code_changes=dict(data.get("code_changes", {})),
        lookups=tuple(lookups),
    )


def _msoa_names(config: Path, data: dict[str, Any], boundaries: dict[str, Boundary]) -> MsoaNames | None:
    if "msoa_names" not in data:
        return None
    spec = data["msoa_names"]
    where = "[msoa_names]"
    if not isinstance(spec, dict):
        raise ConfigError(f"{config}: {where} must be a table (a line [msoa_names], then file = \"...\").")
    _unknown(config, where, set(spec), _MSOA_NAMES_KEYS)
    if "msoa" not in boundaries:
        raise ConfigError(
            f"{config}: {where} names MSOAs, but there is no [boundaries.msoa]. Add the MSOA boundaries "
            "(of the same year as the names file), or remove [msoa_names]."
        )
    for key in ("code", "name", "licence", "attribution"):
        if key in spec and (not isinstance(spec[key], str) or not spec[key].strip()):
            raise ConfigError(f"{config}: {where}.{key} must be text (a column heading for code and name).")
    return MsoaNames(
        file=_file(config, spec.get("file"), where),
        code=spec.get("code"),
        name=spec.get("name"),
        licence=spec.get("licence", "Open Government Licence v3.0"),
        attribution=spec.get("attribution", "Contains House of Commons Library MSOA Names data, "
                                            "licensed under the Open Government Licence v3.0"),
    )


def _is_month(text: Any) -> bool:
    return (
        isinstance(text, str)
        and len(text) == 7
        and text[4] == "-"
        and text[:4].isdigit()
        and text[5:].isdigit()
        and 1 <= int(text[5:]) <= 12
    )
