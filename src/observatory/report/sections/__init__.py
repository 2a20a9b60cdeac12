"""The report's sections beyond coverage. Each is gathered by one function that returns a Section:
its data, or the sentence saying why the workspace cannot fill it (a section is left out with that
sentence, never shown as an empty table or an error).

One module per section, each with `gather(ctx) -> Section`. `SECTIONS` is the one list of the
report's optional sections, in report order: the report gathers exactly these, in this order.
`sources.gather` is the appendix (every release in the store), drawn after the methodology.

The capability packages (records, programme, strategy, inclusion) are libraries the sections read;
none of them imports the report. Every records-based section asks `_records.records_or_reason`
whether the workspace has a records database.
"""

from __future__ import annotations

from . import actions, care_record, challenges, inclusion, metrics, programme, sources
from .base import Context, Gatherer, Section

__all__ = ["SECTIONS", "Context", "Gatherer", "Section", "optional_sections", "sources"]

# The optional sections, in report order.
SECTIONS: tuple[Gatherer, ...] = (
    metrics.gather,      # "Metrics by priority"
    inclusion.gather,    # "Where to act: digital inclusion"
    programme.gather,    # "The Full Fibre programme"
    actions.gather,      # "The board's actions"
    care_record.gather,  # "The Shared Care Record"
    challenges.gather,   # "Where the map is wrong, and where availability is not enough"
)


def optional_sections(ctx: Context) -> list[Section]:
    """Every section in SECTIONS, in order, each gathered or left out with its sentence."""
    return [gather(ctx) for gather in SECTIONS]
