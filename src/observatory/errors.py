"""The observatory's one exception tree.

    ObservatoryError            anything the observatory reports to a user (exit code 2)
    +-- InputError              a source file is missing, unreadable or has a bad value
    |   +-- BadCells            several bad cells (or columns) of one file, listed in one message
    +-- ConfigError             observatory.toml is wrong (a typo, a missing key, a bad path)
    +-- StoreError              the store is missing, stale, or a query against it is refused
    +-- NotFoundError           an area, indicator or release that the store does not hold
    +-- NotPublishedError       a figure the publisher does not publish at that level (full fibre below districts)

Every message says what was found, what was expected and how to fix it, so that the CLI, the web app
and the report can show it as it is, without a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
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
        where = self.where()
        return Path(self.file).name + (", " if where else ": ") + self.detail()

    def where(self) -> str:
        """'row 3, column "date"' (as much of it as is known), without the file."""
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        return ", ".join(where)

    def detail(self) -> str:
        """The message without the file's name: where, the problem, what was expected, the fix."""
        where = self.where()
        text = (f"{where}: " if where else "") + self.problem
        if self.expected:
            text += f" Expected {self.expected}."
        if self.fix:
            text += f" {self.fix}"
        return text


class BadCells(InputError):
    """Every problem found in one file, reported at once (sources.tabular collects them).

    `problems` are InputErrors of the same file, each naming its row (as a spreadsheet shows it:
    the header is row 1) and column. This error's own row, column, problem, expected and fix are
    those of the first problem, so code that reads an InputError reads this one the same way; with
    one problem its message is that problem's, and with several it lists the first `shown` of them
    and says how many more there are.
    """

    def __init__(self, file: str | Path, problems: Sequence[InputError], *, shown: int = 20) -> None:
        if not problems:
            raise ValueError("BadCells needs at least one problem")
        self.problems = list(problems)
        self.shown = max(1, shown)
        first = self.problems[0]
        super().__init__(file, first.problem, row=first.row, column=first.column, expected=first.expected,
                         fix=first.fix)

    def _message(self) -> str:
        if len(self.problems) == 1:
            return super()._message()
        lines = [f"{Path(self.file).name}: {len(self.problems)} problems (rows are numbered as a spreadsheet "
                 "shows them: the header is row 1)."]
        lines += [f"- {p.detail()}" for p in self.problems[: self.shown]]
        more = len(self.problems) - self.shown
        if more > 0:
            lines.append(f"- ... and {more} more ({len(self.problems)} in all): fix these and try again to see "
                         "the rest.")
        return "\n".join(lines)


class ConfigError(ObservatoryError):
    """observatory.toml is wrong."""


class StoreError(ObservatoryError):
    """The store is missing, or a request against it is refused."""


class NoRecordsYet(StoreError):
    """A dashboard that has never had a records database (a council that has not started its
    records): nothing to read, and not a fault to restore. The web answers 404 with the reason."""


class NotFoundError(ObservatoryError):
    """An area, indicator or release the store does not hold."""


class NotPublishedError(ObservatoryError):
    """A figure the publisher withholds at that level; the observatory never imputes it."""
