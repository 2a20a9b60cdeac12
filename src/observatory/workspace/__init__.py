"""A workspace: a folder with an `observatory.toml` naming a region's sources and settings.

This package is the only reader of observatory.toml and the TOML files it names. The file is read
once, every section checked ([workspace], [build], [boundaries], [[sources]], [[lookups]],
[postcodes], [msoa_names], [programme], [records], [challenges], [metrics] and its file, [inclusion]), and turned
into plain dataclasses, so nothing after this package knows TOML. Every mistake is a ConfigError
that names the key and the fix.
"""

from .challenges import ChallengesConfig
from .inclusion import InclusionConfig
from .inputs import (
    BOUNDARY_LEVELS,
    LOOKUP_LEVELS,
    NEEDS_AS_OF,
    SOURCE_KINDS,
    Boundary,
    Lookup,
    MsoaNames,
    Source,
)
from .metrics import MetricsConfig
from .programme import ProgrammeConfig
from .records import RecordsConfig
from .schema import BUNDLED, CONFIG_NAME, Workspace, find, load
from .template import TEMPLATE, write_template
from .toml import read_toml

__all__ = [
    "BOUNDARY_LEVELS", "BUNDLED", "CONFIG_NAME", "ChallengesConfig", "LOOKUP_LEVELS", "NEEDS_AS_OF", "SOURCE_KINDS", "TEMPLATE",
    "Boundary", "InclusionConfig", "Lookup", "MetricsConfig", "MsoaNames", "ProgrammeConfig", "RecordsConfig",
    "Source", "Workspace", "find", "load", "read_toml", "write_template",
]
