"""Imports point down only (docs/architecture.md, "Layers").

Every module of the package is parsed; every import in it — at the top, inside a function, under
`TYPE_CHECKING`, relative (`from . import x`, `from ..storage import y`) or through
`importlib.import_module("paymentprocess....")` — is resolved to the package it names. A package
may import itself and any package of a *lower* layer; never one of its own layer or above. There
is no list of exceptions: a new package must be given a layer here, or this test fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import paymentprocess

ROOT = Path(paymentprocess.__file__).parent

# Top to bottom. `(root)` is paymentprocess/__init__.py (the version).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__main__",),
    ("cli",),
    ("api", "bench"),
    ("service",),
    ("outputs",),
    ("engine", "io", "synth"),
    ("rules", "reference"),
    ("storage",),
    ("logs",),
    ("config",),
    ("domain", "errors", "faults", "(root)"),
)
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


def _module_parts(path: Path) -> tuple[list[str], bool]:
    """Dotted parts of the module at `path` (under paymentprocess) and whether it is a package."""
    parts = ["paymentprocess", *path.relative_to(ROOT).with_suffix("").parts]
    if parts[-1] == "__init__":
        return parts[:-1], True
    return parts, False


def _package_of(dotted: str) -> str:
    """The first-level package (or top-level module) that `paymentprocess.x.y` belongs to."""
    parts = dotted.split(".")
    if len(parts) == 1:
        return "(root)"
    name = parts[1]
    is_module = (ROOT / name).is_dir() or (ROOT / f"{name}.py").is_file()
    return name if is_module else "(root)"


def imported_names(
    path: Path, module: tuple[list[str], bool] | None = None
) -> list[tuple[int, str]]:
    """(line, absolute dotted name) of every paymentprocess import in the file at `path`;
    `module` (dotted parts, is a package) when the file is not under the package itself."""
    parts, is_package = module or _module_parts(path)
    here = parts if is_package else parts[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if node.module is None or module == "paymentprocess":  # from . import x
                found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return [(line, name) for line, name in found if name.split(".")[0] == "paymentprocess"]


def upward(source: str, imports: list[tuple[int, str]], where: str) -> list[str]:
    """The imports of a module of package `source` that do not point to a lower layer."""
    wrong: list[str] = []
    for line, name in imports:
        target = _package_of(name)
        if target != source and RANK[target] <= RANK[source]:
            wrong.append(f"{where}:{line}: {source} imports {name} ({target})")
    return wrong


def upward_imports() -> list[str]:
    wrong: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        parts, _ = _module_parts(path)
        where = str(path.relative_to(ROOT.parent))
        wrong += upward(_package_of(".".join(parts)), imported_names(path), where)
    return wrong


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in ROOT.glob("*.py") if p.stem != "__init__"}
    assert sorted((packages | modules) - RANK.keys()) == []


def test_imports_point_down_only() -> None:
    assert upward_imports() == []


def test_the_claims_package_and_the_other_services_import_each_other_not() -> None:
    """`service.claims` (intake, lookup, listing) is a unit of its own inside the service layer:
    none of its modules imports another service module, and no other service module imports it,
    so the claims service and the payment runs can change apart (docs/architecture.md)."""
    claims = "paymentprocess.service.claims"
    wrong: list[str] = []
    for path in sorted((ROOT / "service").rglob("*.py")):
        inside = ".".join(_module_parts(path)[0]).startswith(claims)
        for line, name in imported_names(path):
            if not name.startswith("paymentprocess.service"):
                continue
            if inside != (name == claims or name.startswith(claims + ".")):
                wrong.append(f"{path.relative_to(ROOT.parent)}:{line}: imports {name}")
    assert wrong == []


def test_the_walk_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The checker itself: relative, function-level and importlib imports are all resolved, and
    each one above the importing package is reported."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from . import base\n"
        "from ..engine import pipeline\n"
        "from ..domain.money import parse_cents\n"
        "def later():\n"
        "    import paymentprocess.service.runs\n"
        "    import importlib\n"
        "    importlib.import_module('paymentprocess.api.app')\n"
    )
    imports = imported_names(probe, (["paymentprocess", "rules", "probe"], False))
    assert [name for _, name in imports] == [
        "paymentprocess.rules.base",
        "paymentprocess.engine",
        "paymentprocess.domain.money",
        "paymentprocess.service.runs",
        "paymentprocess.api.app",
    ]
    assert upward("rules", imports, "probe.py") == [
        "probe.py:2: rules imports paymentprocess.engine (engine)",
        "probe.py:5: rules imports paymentprocess.service.runs (service)",
        "probe.py:7: rules imports paymentprocess.api.app (api)",
    ]


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("paymentprocess", "(root)"),
        ("paymentprocess.__version__", "(root)"),
        ("paymentprocess.config", "config"),
        ("paymentprocess.storage.tables", "storage"),
    ],
)
def test_names_map_to_their_package(name: str, package: str) -> None:
    assert _package_of(name) == package
