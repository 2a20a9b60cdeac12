"""The annual update written once for the whole test run (once per xdist worker: a package's
fixture is written again each time a worker comes back to the package), over the bundled
workspace built and seeded as `make demo` seeds it (`seeded_workspace`, tests/conftest.py), so
every section is present (test_report.py, test_report_terms.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from observatory import workspace
from observatory.report import write_report


def pdf_text_of(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="session")
def report(seeded_workspace: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("report")
    return write_report(workspace.load(seeded_workspace), out=out)


@pytest.fixture(scope="session")
def pdf_text(report) -> str:
    return pdf_text_of(report.pdf)
