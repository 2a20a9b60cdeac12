"""The observatory's one exception tree.

    ObservatoryError            anything the observatory reports to a user (exit code 2)
    +-- InputError              a source file is missing, unreadable or has a bad value
    +-- ConfigError             observatory.toml is wrong (a typo, a missing key, a bad path)
    +-- StoreError              the store is missing, stale, or a query against it is refused
    +-- NotFoundError           an area, indicator or release that the store does not hold
    +-- NotPublishedError       a figure the publisher does not publish at that level (full fibre below districts)

Every message says what was found, what was expected and how to fix it, so that the CLI, the web app
and the report can show it as it is, without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class ObservatoryError(Exception):
    """Base of every error the observatory reports to a user."""

    exit_code = 2


class InputError(ObservatoryError):
    """A bad source file: names the file, and where known the row and column."""

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.problem = problem
        self.expected = expected
        self.fix = fix
        super().__init__(self._message())

    def _message(self) -> str:
        where = [Path(self.file).name]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        text = ", ".join(where) + f": {self.problem}"
        if self.expected:
            text += f" Expected {self.expected}."
        if self.fix:
            text += f" {self.fix}"
        return text


class ConfigError(ObservatoryError):
    """observatory.toml is wrong."""


class StoreError(ObservatoryError):
    """The store is missing, or a request against it is refused."""


class NotFoundError(ObservatoryError):
    """An area, indicator or release the store does not hold."""


class NotPublishedError(ObservatoryError):
    """A figure the publisher withholds at that level; the observatory never imputes it."""
