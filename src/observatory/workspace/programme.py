"""The `[programme]` table of observatory.toml: the programme's target (sites lit), the dates of
its plan, and the backbone reach distance. Every key is optional; a wrong one is a ConfigError
naming the key and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import ConfigError

KEYS = {"target", "start_date", "target_date", "reach_distance_m", "withdrawn_leave_target"}
# A premises is within reach of a lit site within this straight-line distance unless the
# workspace says otherwise (programme.reach explains the model).
DEFAULT_DISTANCE_M = 200.0


@dataclass(frozen=True)
class ProgrammeConfig:
    target: int = 1400
    start_date: date = date(2019, 4, 1)
    target_date: date = date(2027, 3, 31)
    reach_distance_m: float = DEFAULT_DISTANCE_M
    # Whether a withdrawn site comes off the target (the programme re-baselined) or the target
    # stands and the forecast says it cannot be met as the register stands (the default).
    withdrawn_leave_target: bool = False
    # the keys observatory.toml gave: a workspace that sets no target has none of its own, and the
    # views say so rather than present these defaults as its plan
    given: frozenset[str] = field(default=frozenset())

    @property
    def has_target(self) -> bool:
        return "target" in self.given


def _date(config: Path, table: dict[str, Any], key: str, default: date) -> date:
    value = table.get(key, default)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{config}: [programme] {key} = {value!r} is not a date. Write it as "
                          f'"YYYY-MM-DD", e.g. {key} = "{default.isoformat()}".') from None


def parse(config: Path, table: Any) -> ProgrammeConfig:
    """The programme settings (the defaults where the table is absent or empty)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{config}: [programme] must be a table (target = N sites, target_date = ...).")
    unknown = set(table) - KEYS
    if unknown:
        raise ConfigError(f"{config}: unknown key {', '.join(sorted(unknown))} in [programme]. "
                          f"Allowed keys: {', '.join(sorted(KEYS))}.")
    base = ProgrammeConfig()
    target = table.get("target", base.target)
    if not isinstance(target, int) or isinstance(target, bool) or target <= 0:
        raise ConfigError(f"{config}: [programme] target = {target!r}: give the number of sites to light, "
                          "a whole number above 0 (target = N, the sites the programme is to light).")
    distance = table.get("reach_distance_m", base.reach_distance_m)
    if not isinstance(distance, int | float) or isinstance(distance, bool) or not 0 < distance <= 5000:
        raise ConfigError(f"{config}: [programme] reach_distance_m = {distance!r}: give a distance in metres "
                          "above 0 and at most 5000 (e.g. reach_distance_m = 200).")
    start = _date(config, table, "start_date", base.start_date)
    end = _date(config, table, "target_date", base.target_date)
    if end <= start:
        raise ConfigError(f"{config}: [programme] target_date {end} is not after start_date {start}. "
                          "Swap them or fix the year.")
    leave = table.get("withdrawn_leave_target", base.withdrawn_leave_target)
    if not isinstance(leave, bool):
        raise ConfigError(f"{config}: [programme] withdrawn_leave_target = {leave!r}: write true (a withdrawn site "
                          "comes off the target) or false (the target stands).")
    return ProgrammeConfig(target=target, start_date=start, target_date=end, reach_distance_m=float(distance),
                           withdrawn_leave_target=leave, given=frozenset(table))
