"""The floors of the house: no import cycles between matchmaker's modules or packages, lazy
(function-level) imports included, and no module outside a search backend importing its engine.

Cycles hide a wrong layering (the catalog calling the importer that calls the catalog; the job
worker importing the features whose handlers it runs); type-only imports under TYPE_CHECKING
do not count.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "matchmaker"
# Modules allowed to import a search engine's own library.
ENGINE_MODULES = {"whoosh": {"matchmaker.search.whoosh_backend", "matchmaker.search.schemas",
                             "matchmaker.search.bulk", "matchmaker.search.fastpath"},
                  "tantivy": {"matchmaker.search.tantivy_backend"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported(path: Path, modules: set[str]) -> tuple[set[str], set[str]]:
    """(matchmaker modules, top-level external packages) that `path` imports anywhere."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    internal: set[str] = set()
    external: set[str] = set()

    def add(target: str) -> None:
        if target.startswith("matchmaker"):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target:
                internal.add(target)
        else:
            external.add(target.split(".")[0])

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                add(sub if sub in modules else target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    internal.discard(name)
    return internal, external


def graph(depth: int | None) -> dict[str, set[str]]:
    """Import edges between modules (depth None) or between names cut to `depth` parts."""
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    cut = (lambda m: m) if depth is None else (lambda m: ".".join(m.split(".")[:depth]))
    edges: dict[str, set[str]] = {}
    for name, path in paths.items():
        for target in imported(path, modules)[0]:
            if cut(target) != cut(name):
                edges.setdefault(cut(name), set()).add(cut(target))
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(edges):
        if v not in index:
            connect(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("depth", [None, 2], ids=["modules", "packages"])
def test_no_import_cycles(depth):
    assert cycles(graph(depth)) == []


def test_only_the_backends_import_their_search_engine():
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    offenders = {name: sorted(engines & set(ENGINE_MODULES))
                 for name, path in paths.items()
                 if (engines := imported(path, set(paths))[1] & set(ENGINE_MODULES))
                 and not all(name in ENGINE_MODULES[e] for e in engines)}
    assert offenders == {}


def test_every_internal_import_names_an_existing_module():
    """Lazy imports only fail when their line runs: a moved module must not leave one behind."""
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    missing = []
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                if target not in paths:
                    missing.append(f"{name}: {target}")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("matchmaker"):
                if node.module not in paths:
                    missing.append(f"{name}: {node.module}")
    assert missing == []
