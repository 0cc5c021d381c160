"""Imports run one way: the CLI and code location on top, assets and gates below, configuration
at the bottom. A module that imports upward fails here with the line that does it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {"orchestration", "api", "assets", "expectations", "configuration", "synthetic", "bench"}
# What each package must never import (directly or lazily inside a function).
FORBIDDEN = {
    "configuration": PROJECT_PACKAGES - {"configuration"},
    "assets": {"orchestration", "api", "synthetic", "bench"},
    "expectations": {"orchestration", "api", "synthetic", "bench"},
    "synthetic": {"orchestration", "api", "bench"},
    # The dialer API sits beside the CLI: it reads what the pipeline publishes, never runs it.
    "api": {"orchestration", "synthetic", "bench"},
}


def imported_packages(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def upward_imports(package: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, imported in imported_packages(path)
        if imported in FORBIDDEN[package]
    ]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downward(package):
    assert upward_imports(package) == []


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "leaky.py"
    module.write_text("def f():\n    from orchestration.settings import RunSettings\n")
    assert (2, "orchestration") in imported_packages(module)
