"""The package's layers and import graph: these fail when a change breaks the architecture.

Imports go downward only (cli → daemon/routine/service/doctor → desktop/store/library/planner →
bases), there are no cycles, the planner stays pure and the running daemon carries no CLI.
"""

from __future__ import annotations

import ast
import json
import os
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import deskbreak

PACKAGE = Path(deskbreak.__file__).parent
REPO = PACKAGE.parent


def all_modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its __init__.py)."""
    found = {"deskbreak": PACKAGE / "__init__.py"}
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="deskbreak."):
        relative = Path(*info.name.split(".")[1:])
        found[info.name] = (
            PACKAGE / relative / "__init__.py" if info.ispkg else PACKAGE / f"{relative}.py"
        )
    return found


MODULES = all_modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at module level or inside functions; not `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _import_nodes(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _import_nodes(node)


def imports_of(name: str) -> set[str]:
    """The package's own modules that module `name` imports (lazily or not)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:  # relative: from . import x / from .y import z
            parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            base = f"{parent}.{base}" if base else parent
        for alias in node.names:
            # `from deskbreak.daemon import control` imports a module; `import x from y` a name.
            submodule = f"{base}.{alias.name}"
            targets.add(submodule if submodule in MODULES else base)
    return {target for target in targets if target in MODULES and target != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    state: dict[str, str] = {}  # "open" while on the current path, then "done"
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_import_walk_sees_lazy_imports_and_skips_type_checking_ones() -> None:
    assert "deskbreak.planner.model" in GRAPH["deskbreak.planner.schedule"]  # module level
    assert "deskbreak.daemon.commands" in GRAPH["deskbreak.daemon.core"]  # inside a function
    assert "deskbreak.daemon.core" not in GRAPH["deskbreak.daemon.commands"]  # TYPE_CHECKING
    tree = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(tree) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_has_no_import_cycles() -> None:
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


@pytest.mark.parametrize("layer", ["library", "planner"])
def test_library_and_planner_import_nothing_from_daemon_cli_or_desktop(layer: str) -> None:
    upper = ("deskbreak.daemon", "deskbreak.cli", "deskbreak.desktop", "deskbreak.entry")
    wrong = {
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if name.startswith(f"deskbreak.{layer}")
        for target in targets
        if target.startswith(upper)
    }
    assert wrong == set()


def loaded_after_importing(*names: str) -> set[str]:
    """The modules a fresh interpreter holds after importing `names` (and nothing else)."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(names)!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    loaded: list[str] = json.loads(done.stdout)
    return set(loaded)


def in_layer(layer: str) -> list[str]:
    return [name for name in MODULES if name == layer or name.startswith(f"{layer}.")]


def test_importing_the_planner_loads_no_toml_sqlite_asyncio_or_subprocess() -> None:
    loaded = loaded_after_importing(*in_layer("deskbreak.planner"))
    assert "deskbreak.planner.schedule" in loaded
    assert loaded & {"tomllib", "sqlite3", "asyncio", "subprocess", "deskbreak.config"} == set()


def test_importing_the_daemon_loads_no_typer_click_or_rich() -> None:
    loaded = loaded_after_importing(*in_layer("deskbreak.daemon"))
    assert {"deskbreak.daemon.core", "apscheduler"} <= loaded
    assert loaded & {"typer", "click", "rich"} == set()


def test_importing_the_library_loads_nothing_from_daemon_cli_or_desktop() -> None:
    loaded = loaded_after_importing(*in_layer("deskbreak.library"))
    assert "deskbreak.library.rotation" in loaded
    assert loaded & {"deskbreak.daemon", "deskbreak.cli", "deskbreak.desktop", "asyncio"} == set()
