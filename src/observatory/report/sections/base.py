"""What every section of the report is made of: the `Section` a gatherer returns and the `Context`
it reads. Kept apart from the package's `__init__` (which re-exports both) so that the section
modules can import them without importing the registry that imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...store import Store
from ...workspace import Workspace


@dataclass
class Section:
    id: str
    title: str
    data: dict[str, Any] = field(default_factory=dict)
    omitted: str | None = None  # why the section is left out, in one sentence
    illustrative: bool = False


@dataclass
class Context:
    """What a section gatherer may read: the store, the workspace and the report year."""

    store: Store
    workspace: Workspace
    year: int


Gatherer = Callable[[Context], Section]
