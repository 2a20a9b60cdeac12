"""The `[programme]` table of observatory.toml: the programme's target (sites lit), the dates of
its plan, and the backbone reach distance. Every key is optional; a wrong one is a ConfigError
naming the key and the fix.

The target and the plan's dates are the council's own: a workspace that sets none has no target
(target, start_date and target_date are None) and every view says that no target has been set,
rather than measure the register against numbers the code would have to invent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import ConfigError

# The plan: the number of sites to light, from start_date to target_date. Given together or not at all.
PLAN_KEYS = ("target", "start_date", "target_date")
KEYS = {*PLAN_KEYS, "reach_distance_m", "withdrawn_leave_target"}
# A premises is within reach of a lit site within this straight-line distance unless the
# workspace says otherwise (programme.reach explains the model).
DEFAULT_DISTANCE_M = 200.0


@dataclass(frozen=True)
class ProgrammeConfig:
    target: int | None = None
    start_date: date | None = None
    target_date: date | None = None
    reach_distance_m: float = DEFAULT_DISTANCE_M
    # Whether a withdrawn site comes off the target (the programme re-baselined) or the target
    # stands and the forecast says it cannot be met as the register stands (the default).
    withdrawn_leave_target: bool = False

    @property
    def has_target(self) -> bool:
        """Whether the workspace sets a target: the number of sites to light, and by when."""
        return self.target is not None and self.target_date is not None

    @property
    def has_plan(self) -> bool:
        """Whether there is a planned trajectory to measure against (a target and its start date)."""
        return self.has_target and self.start_date is not None


def _date(config: Path, table: dict[str, Any], key: str) -> date:
    value = table[key]
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{config}: [programme] {key} = {value!r} is not a date. Write it as "
                          f'"YYYY-MM-DD", e.g. {key} = "2030-03-31".') from None


def _plan(config: Path, table: dict[str, Any]) -> tuple[int | None, date | None, date | None]:
    """The target and its dates, all three or none (no target set)."""
    given = [k for k in PLAN_KEYS if k in table]
    if not given:
        return None, None, None
    missing = [k for k in PLAN_KEYS if k not in table]
    if missing:
        raise ConfigError(f"{config}: [programme] sets {', '.join(given)} but not {', '.join(missing)}. The "
                          "programme's plan is its target (target = N, the sites to light) from start_date to "
                          'target_date ("YYYY-MM-DD"): give all three, or none while the programme has no target.')
    target = table["target"]
    if not isinstance(target, int) or isinstance(target, bool) or target <= 0:
        raise ConfigError(f"{config}: [programme] target = {target!r}: give the number of sites to light, "
                          "a whole number above 0 (target = N, the sites the programme is to light).")
    start, end = _date(config, table, "start_date"), _date(config, table, "target_date")
    if end <= start:
        raise ConfigError(f"{config}: [programme] target_date {end} is not after start_date {start}. "
                          "Swap them or fix the year.")
    return target, start, end


def parse(config: Path, table: Any) -> ProgrammeConfig:
    """The programme settings: no target where the table sets none, the default reach distance."""
    if not isinstance(table, dict):
        raise ConfigError(f"{config}: [programme] must be a table (target = N sites, target_date = ...).")
    unknown = set(table) - KEYS
    if unknown:
        raise ConfigError(f"{config}: unknown key {', '.join(sorted(unknown))} in [programme]. "
                          f"Allowed keys: {', '.join(sorted(KEYS))}.")
    target, start, end = _plan(config, table)
    distance = table.get("reach_distance_m", DEFAULT_DISTANCE_M)
    if not isinstance(distance, int | float) or isinstance(distance, bool) or not 0 < distance <= 5000:
        raise ConfigError(f"{config}: [programme] reach_distance_m = {distance!r}: give a distance in metres "
                          "above 0 and at most 5000 (e.g. reach_distance_m = 200).")
    leave = table.get("withdrawn_leave_target", False)
    if not isinstance(leave, bool):
        raise ConfigError(f"{config}: [programme] withdrawn_leave_target = {leave!r}: write true (a withdrawn site "
                          "comes off the target) or false (the target stands).")
    return ProgrammeConfig(target=target, start_date=start, target_date=end, reach_distance_m=float(distance),
                           withdrawn_leave_target=leave)
