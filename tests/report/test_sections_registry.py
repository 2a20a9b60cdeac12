"""The report's sections: one registry in report order, and capability packages that never import
the report (the report is a view over them)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import observatory
from observatory.report.sections import SECTIONS

SRC = Path(observatory.__file__).parent
LIBRARIES = ("records", "programme", "strategy", "inclusion", "challenges")


def test_the_registry_lists_the_sections_in_report_order() -> None:
    ids = [sys.modules[gather.__module__].ID for gather in SECTIONS]
    assert ids == ["metrics", "inclusion", "programme", "actions", "care-record", "challenges"]


def _imports(path: Path) -> list[str]:
    """Every module a file imports, as an absolute name (relative imports resolved)."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names += [module] + [f"{module}.{a.name}" for a in node.names]
    return names


def test_no_capability_package_imports_the_report() -> None:
    offenders = [
        f"{path.relative_to(SRC)}: {name}"
        for library in LIBRARIES
        for path in sorted((SRC / library).rglob("*.py"))
        for name in _imports(path)
        if name == "observatory.report" or name.startswith("observatory.report.")
    ]
    assert offenders == []
