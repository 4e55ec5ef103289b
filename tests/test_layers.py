"""The layering rules of DESIGN.md section 8: Qt only in gui/, SQL only in store/."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "fieldapp"
SQL = re.compile(r"\b(select\s.+\sfrom|insert\s+(or\s+\w+\s+)?into|update\s+\w+\s+set|delete\s+from|"
                 r"create\s+(table|index|virtual|trigger)|pragma\s+\w+)", re.IGNORECASE)


def _modules():
    return [p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts]


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_module_outside_gui_imports_qt():
    offenders = []
    for path in _modules():
        if PACKAGE / "gui" in path.parents:
            continue
        if any(name.split(".")[0] in ("PySide6", "shiboken6") for name in _imports(ast.parse(path.read_text()))):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_no_sql_outside_store():
    offenders = []
    for path in _modules():
        if PACKAGE / "store" in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def test_the_core_loads_without_qt():
    code = ("import sys, fieldapp.cli, fieldapp.store.vault, fieldapp.demo, fieldapp.domain.validation; "
            "import pkgutil, importlib, fieldapp\n"
            "for m in pkgutil.walk_packages(fieldapp.__path__, 'fieldapp.'):\n"
            "    if not m.name.startswith(('fieldapp.gui', 'fieldapp.__main__')): importlib.import_module(m.name)\n"
            "assert 'PySide6' not in sys.modules, 'Qt was imported'\n"
            "print('core-loaded')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "core-loaded"


def _upward_imports(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    offenders = []
    for path in _modules():
        if PACKAGE / folder not in path.parents:
            continue
        for name in _imports(ast.parse(path.read_text())):
            if name.startswith(tuple(f"fieldapp.{layer}" for layer in forbidden)):
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    return offenders


def test_store_and_core_import_nothing_above_them():
    """DESIGN.md 8: store/ imports core and domain only; core/ is what every layer may use."""
    assert _upward_imports("store", ("sync", "ops", "cli", "gui", "documents")) == []
    assert _upward_imports("core", ("store", "sync", "ops", "cli", "gui", "documents")) == []


def test_the_layer_check_catches_a_planted_upward_import():
    planted = PACKAGE / "store" / "_planted_violation_for_test.py"
    planted.write_text("from fieldapp.sync import bundle\n")
    try:
        assert _upward_imports("store", ("sync",)) == ["store/_planted_violation_for_test.py: fieldapp.sync"]
    finally:
        planted.unlink()
