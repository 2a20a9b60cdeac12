"""The annual update written once for the whole package: the bundled workspace built and seeded
as `make demo` seeds it, so every section is present (test_report.py, test_report_terms.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory import pipeline, workspace
from observatory.cli import app
from observatory.report import write_report

from ..conftest import copy_workspace


def pdf_text_of(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="package")
def seeded_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled workspace built and seeded as `make demo` does (see the Makefile's records target)."""
    root = copy_workspace(tmp_path_factory.mktemp("seeded") / "west-yorkshire")
    pipeline.run(workspace.load(root))
    runner = CliRunner()
    for args in (["records", "upgrade"], ["records", "seed-demo", "--if-empty"], ["sites", "seed-demo", "--if-empty"],
                 ["metrics", "seed-demo", "--if-empty"]):
        result = runner.invoke(app, [*args, "-w", str(root)])
        assert result.exit_code == 0, (args, result.output)
    return root


@pytest.fixture(scope="package")
def report(seeded_workspace: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("report")
    return write_report(workspace.load(seeded_workspace), out=out)


@pytest.fixture(scope="package")
def pdf_text(report) -> str:
    return pdf_text_of(report.pdf)
