"""The shape of the code, beyond import-linter's contracts (pyproject.toml, run by `make test`):
no import cycle between the project's modules, counting imports inside functions; observatory.toml
read in one place; the command line's framework used by the command line alone."""

from __future__ import annotations

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("observatory", include_external_packages=True)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    mods = sorted(m for m in graph.modules if m.startswith("observatory"))
    edges = {m: sorted(d for d in graph.find_modules_directly_imported_by(m) if d.startswith("observatory"))
             for m in mods}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in mods:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    g = grimp.ImportGraph()
    for m in ("observatory", "observatory.a", "observatory.b", "observatory.c"):
        g.add_module(m)
    g.add_import(importer="observatory.a", imported="observatory.b")
    g.add_import(importer="observatory.b", imported="observatory.a")
    g.add_import(importer="observatory.c", imported="observatory.a")
    assert _cycles(g) == [["observatory.a", "observatory.b"]]


def test_no_import_cycle_between_the_projects_modules(graph: grimp.ImportGraph) -> None:
    assert _cycles(graph) == []


def test_observatory_toml_is_read_in_one_module(graph: grimp.ImportGraph) -> None:
    assert graph.find_modules_directly_imported_by("observatory.workspace.toml") >= {"tomllib"}
    assert graph.find_modules_that_directly_import("tomllib") == {"observatory.workspace.toml"}


def test_only_the_command_line_uses_typer(graph: grimp.ImportGraph) -> None:
    users = graph.find_modules_that_directly_import("typer")
    assert users and all(m == "observatory.cli" or m.startswith("observatory.cli.") for m in users), users
