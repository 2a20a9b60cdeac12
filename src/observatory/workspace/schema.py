"""A workspace: a folder with an `observatory.toml` naming a region's sources.

The file is read once, checked completely, and turned into plain dataclasses so nothing after this
module knows TOML. Every mistake becomes a ConfigError that names the key and the fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ConfigError
from .challenges import ChallengesConfig
from .challenges import parse as parse_challenges
from .inclusion import InclusionConfig
from .inclusion import parse as parse_inclusion
from .inputs import (
    Boundary,
    Lookup,
    MsoaNames,
    Source,
    parse_boundaries,
    parse_lookups,
    parse_msoa_names,
    parse_postcodes,
    parse_sources,
)
from .keys import need, unknown_keys
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

_TOP_KEYS = {"workspace", "build", "boundaries", "postcodes", "sources", "code_changes", "lookups", "records",
             "programme", "metrics", "inclusion", "msoa_names", "challenges"}


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


def _parse(config: Path, data: dict[str, Any]) -> Workspace:
    unknown_keys(config, "the top level", set(data), _TOP_KEYS)
    ws = need(config, data, "workspace", "the file")
    unknown_keys(config, "[workspace]", set(ws), {"name", "region_code", "region_name", "districts"})
    districts = need(config, ws, "districts", "[workspace]")
    if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts):
        raise ConfigError(f"{config}: [workspace].districts must be a list of district codes.")
    build = data.get("build", {})
    unknown_keys(config, "[build]", set(build), {"suppress_below"})
    suppress = build.get("suppress_below", 5)
    if not isinstance(suppress, int) or suppress < 0:
        raise ConfigError(f"{config}: [build].suppress_below must be a whole number >= 0.")
    boundaries = parse_boundaries(config, data)
    region_code = need(config, ws, "region_code", "[workspace]")
    return Workspace(
        msoa_names=parse_msoa_names(config, data, boundaries),
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
        postcodes=parse_postcodes(config, data),
        sources=parse_sources(config, data),
        code_changes=dict(data.get("code_changes", {})),
        lookups=parse_lookups(config, data),
    )
