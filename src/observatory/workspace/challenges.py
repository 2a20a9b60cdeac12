"""The `[challenges]` table of observatory.toml: how long residents' personal data is kept, how
many reports an area needs before its count is shown, the days each body has to answer, and the
limits of the public form. Every key is optional; a wrong one is a ConfigError naming the key and
the fix.

    [challenges]
    retention_days = 365          # contact details and evidence erased this long after the last change
    public_min_count = 3          # an area's count is shown only from this many reports
    check_days = 10               # days to check a new report
    operator_days = 60            # days the operator has to answer (the FCC's 60 days)
    ofcom_days = 60
    programme_days = 90           # the national programme's open market or public review
    max_upload_kb = 5120          # largest evidence file
    rate_limit = 5                # reports one client may make ...
    rate_window_minutes = 60      # ... in this many minutes
    evidence_folder = "private/challenge-evidence"   # under the workspace, never under the web root
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError

WHOLE = {
    "retention_days": (1, 3650), "public_min_count": (1, 1000), "check_days": (1, 365),
    "operator_days": (1, 365), "ofcom_days": (1, 365), "programme_days": (1, 365),
    "max_upload_kb": (1, 51_200), "rate_limit": (1, 1000), "rate_window_minutes": (1, 10_080),
}
KEYS = {*WHOLE, "evidence_folder"}
DEFAULT_EVIDENCE = "private/challenge-evidence"


@dataclass(frozen=True)
class ChallengesConfig:
    retention_days: int = 365
    public_min_count: int = 3
    check_days: int = 10
    operator_days: int = 60
    ofcom_days: int = 60
    programme_days: int = 90
    max_upload_kb: int = 5120
    rate_limit: int = 5
    rate_window_minutes: int = 60
    evidence_folder: str = DEFAULT_EVIDENCE

    def days_for(self, sent_to: str) -> int:
        """The days `sent_to` (operator, Ofcom or national programme) has to answer."""
        return {"operator": self.operator_days, "Ofcom": self.ofcom_days,
                "national programme": self.programme_days}[sent_to]

    def evidence_dir(self, root: Path) -> Path:
        return (root / self.evidence_folder).resolve()


def parse(config: Path, table: Any) -> ChallengesConfig:
    """The challenge settings (the defaults where the table is absent or empty)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{config}: [challenges] must be a table (retention_days = 365, ...).")
    unknown = set(table) - KEYS
    if unknown:
        raise ConfigError(f"{config}: unknown key {', '.join(sorted(unknown))} in [challenges]. "
                          f"Allowed keys: {', '.join(sorted(KEYS))}.")
    values: dict[str, Any] = {}
    for key, (lo, hi) in WHOLE.items():
        if key not in table:
            continue
        v = table[key]
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise ConfigError(f"{config}: [challenges] {key} = {v!r}: give a whole number from {lo} to {hi:,} "
                              f"(e.g. {key} = {getattr(ChallengesConfig(), key)}).")
        values[key] = v
    if "evidence_folder" in table:
        folder = table["evidence_folder"]
        if not isinstance(folder, str) or not folder.strip() or Path(folder).is_absolute() or ".." in Path(folder).parts:
            raise ConfigError(f"{config}: [challenges] evidence_folder = {folder!r}: give a folder inside the "
                              f'workspace, e.g. evidence_folder = "{DEFAULT_EVIDENCE}".')
        if Path(folder).parts[:1] in (("build",), ("web",), ("static",)):
            raise ConfigError(f"{config}: [challenges] evidence_folder must not be under build/ or a web folder: "
                              "evidence holds personal data and is never served as a file.")
        values["evidence_folder"] = folder.strip()
    return ChallengesConfig(**values)
