"""The project's floors, read from its import graph (pure: runs without Django).

- ``mxnames`` (names, CURP) and the matching core import no Django and nothing above them;
- ``registry`` is the ground floor: it imports no other app of the project;
- the apps above it import only what stands below them (``ALLOWED``);
- no module-level import cycle, and no import of the project hidden inside a function
  (the way a cycle is usually papered over), Django's ``AppConfig.ready`` aside;
- ``public_site`` only reads: it has no models and calls no ORM write.

Migrations are left out: they name other apps' tables by design.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("mxnames", "registry", "imports", "matching", "public_site", "staff", "demo", "config")
# The matching app's Django adapter; every other module of matching/ is the pure core.
MATCHING_ADAPTER = frozenset({"adapter", "admin", "apps", "bulk", "keyindex", "linkage",
                              "models", "quality",
                              "selectors", "services", "tasks", "management"})
DJANGO_WORLD = ("django", "rest_framework", "guardian", "simple_history", "django_filters",
                "drf_spectacular", "celery")
ALLOWED = {
    "mxnames": set(),
    "matching_core": {"mxnames"},
    "registry": {"mxnames"},
    "matching": {"mxnames", "matching_core", "registry"},
    "imports": {"mxnames", "registry", "matching"},  # hands committed records to matching
    "public_site": {"mxnames", "registry"},
    "staff": {"mxnames", "registry", "matching", "imports"},
    "demo": {"mxnames", "registry", "matching", "matching_core", "imports"},
    "config": set(APPS) | {"matching_core"},
}
ORM_WRITES = frozenset({"save", "create", "bulk_create", "bulk_update", "get_or_create",
                        "update_or_create", "update"})
SQL_WRITE = re.compile(r"\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|TRUNCATE)\b", re.I)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _floor(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "matching" and len(parts) > 1 and parts[1] not in MATCHING_ADAPTER:
        return "matching_core"
    if parts == ["matching"]:
        return "matching_core"
    return parts[0]


def _sources() -> dict[str, ast.Module]:
    trees = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                trees[_module_name(path)] = ast.parse(path.read_text(encoding="utf-8"))
    return trees


SOURCES = _sources()


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """Return the modules an import statement names (``from a import b`` may name ``a.b``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level or not node.module:
        return []
    found = [node.module]
    found += [f"{node.module}.{alias.name}" for alias in node.names
              if f"{node.module}.{alias.name}" in SOURCES]
    return found


def _module_level_imports(tree: ast.Module) -> list[str]:
    names = []
    for node in tree.body:
        statements = [node] if isinstance(node, ast.Import | ast.ImportFrom) else [
            inner for inner in ast.walk(node) if isinstance(inner, ast.Import | ast.ImportFrom)
        ] if isinstance(node, ast.If | ast.Try) else []
        for statement in statements:
            names.extend(_imported(statement))
    return names


def _project_modules(names: list[str]) -> list[str]:
    return [name for name in names if name.split(".")[0] in APPS]


def test_every_floor_imports_only_what_stands_below_it():
    wrong = []
    for module, tree in SOURCES.items():
        floor = _floor(module)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _project_modules(_imported(node)):
                if target == "matching" and isinstance(node, ast.ImportFrom):
                    continue  # judged by the submodules it names
                target_floor = _floor(target)
                if target_floor != floor and target_floor not in ALLOWED[floor]:
                    wrong.append(f"{module} ({floor}) imports {target} ({target_floor})")
    assert wrong == []


@pytest.mark.parametrize("floor", ["mxnames", "matching_core"])
def test_the_pure_packages_import_no_django(floor):
    found = [f"{module} imports {name}"
             for module, tree in SOURCES.items() if _floor(module) == floor
             for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
             for name in _imported(node) if name.split(".")[0] in DJANGO_WORLD]
    assert found == []


def test_no_module_level_import_cycle():
    graph = {module: {target for target in _project_modules(_module_level_imports(tree))
                      if target in SOURCES and target != module}
             for module, tree in SOURCES.items()}
    assert _cycles(graph) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_project_import_hides_inside_a_function():
    hidden = []
    for module, tree in SOURCES.items():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if module.endswith(".apps") and function.name == "ready":
                continue  # Django's documented place for signal wiring
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and \
                        _project_modules(_imported(node)):
                    hidden.append(f"{module}.{function.name}")
    assert hidden == []


def test_public_site_has_no_models_and_writes_nothing():
    assert not (ROOT / "public_site" / "models.py").exists()
    writes = []
    for module, tree in SOURCES.items():
        if _floor(module) != "public_site":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ORM_WRITES:
                writes.append(f"{module}: .{node.func.attr}()")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "delete" and "cache" not in ast.unparse(node.func):
                writes.append(f"{module}: .delete()")
            if isinstance(node, ast.ImportFrom) and node.module == "django.db" \
                    and any(alias.name == "transaction" for alias in node.names):
                writes.append(f"{module}: imports transaction")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and SQL_WRITE.search(node.value):
                writes.append(f"{module}: SQL write {node.value[:40]!r}")
    assert writes == []


def test_the_checks_see_a_violation():
    # The rules above must be able to fail: an upward import, a cycle and a write.
    upward = ast.parse("from staff.views import staff_home")
    assert _floor("registry.models") == "registry"
    assert [_floor(t) for t in _project_modules(_imported(upward.body[0]))] == ["staff"]
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    assert SQL_WRITE.search("update registry_case set status = 'x'")
