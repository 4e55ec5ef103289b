"""The layering rules of docs/DESIGN.md section 8: Qt only in gui/, SQL only in store/."""

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
    """docs/DESIGN.md 8: store/ imports core and domain only; core/ is what every layer may use."""
    assert _upward_imports("store", ("sync", "ops", "cli", "gui", "documents")) == []
    assert _upward_imports("core", ("store", "sync", "ops", "cli", "gui", "documents")) == []


def test_the_layer_check_catches_a_planted_upward_import():
    planted = PACKAGE / "store" / "_planted_violation_for_test.py"
    planted.write_text("from fieldapp.sync import bundle\n")
    try:
        assert _upward_imports("store", ("sync",)) == ["store/_planted_violation_for_test.py: fieldapp.sync"]
    finally:
        planted.unlink()


# -- the GUI reaches the store through the session and the operations (docs/DESIGN.md 8) -------------
# The store modules the GUI may import: what opens, guards or destroys a vault as a whole, before or
# around a session. Everything about records goes through the session's attributes or fieldapp.ops.
GUI_STORE_ALLOWED = {
    "fieldapp.store.vault": "create and unlock a vault, and the naming rules the wizard checks as one types",
    "fieldapp.store.session": "the unlocked vault itself, through which every record is reached",
    "fieldapp.store.secret": "wipe the passphrase and key buffers the GUI held",
    "fieldapp.store.throttle": "the unlock screen tells how long the next try must wait",
    "fieldapp.store.shares": "recovery-key shares, typed and printed before any session exists",
    "fieldapp.store.quick_delete": "quick delete, offered on the unlock screen, before any session exists",
    "fieldapp.store.backup": "back up or restore a whole vault file, not records",
    "fieldapp.store.staging": "clear a killed restore's hidden folder at start, before any vault is open",
}
# Single names allowed from an otherwise closed store module, each with its reason.
GUI_STORE_NAMES_ALLOWED = {
    ("fieldapp.store.db", "DatabaseError"): "the wizard tells a disk full while loading places, not a crash",
}


def _store_imports_outside_allowlist(folder: str) -> list[str]:
    offenders = []
    for path in _modules():
        if PACKAGE / folder not in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                pairs = [(alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                # `from fieldapp.store import secret` imports the module fieldapp.store.secret.
                pairs = [(f"{node.module}.{alias.name}", None) if node.module == "fieldapp.store"
                         else (node.module, alias.name) for alias in node.names]
            else:
                continue
            for module, name in pairs:
                if not module.startswith("fieldapp.store"):
                    continue
                if module in GUI_STORE_ALLOWED or (module, name) in GUI_STORE_NAMES_ALLOWED:
                    continue
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {module}"
                                 + (f" ({name})" if name else ""))
    return sorted(offenders, key=lambda line: (line.split(":")[0], int(line.split(":")[1])))


def test_gui_reaches_the_store_only_through_the_session_and_the_operations():
    assert _store_imports_outside_allowlist("gui") == []


def test_the_gui_store_check_catches_a_planted_import():
    planted = PACKAGE / "gui" / "_planted_store_import_for_test.py"
    planted.write_text("def f():\n    from fieldapp.store.dashboard import Dashboard\n\n"
                       "from fieldapp.store import repositories\n")
    try:
        assert [line for line in _store_imports_outside_allowlist("gui") if "_planted" in line] == [
            "gui/_planted_store_import_for_test.py:2: fieldapp.store.dashboard (Dashboard)",
            "gui/_planted_store_import_for_test.py:4: fieldapp.store.repositories"]
    finally:
        planted.unlink()


def test_no_relative_imports():
    """The layer checks read absolute module names; a relative import would slip past them."""
    relative = [f"{path.relative_to(PACKAGE)}:{node.lineno}" for path in _modules()
                for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ImportFrom) and node.level]
    assert relative == []


# -- a class's underscore names are its own -----------------------------------------
# Each allowed reach into a private name, by file and expression, with its reason.
PRIVATE_ALLOWED = {
    ("documents/pathway_sheet.py", "flowable._content"):
        "reportlab's KeepTogether has no public way to its parts; the sheet measures them to fit one page",
}


def _private_names_defined(tree: ast.AST) -> set[str]:
    """Underscore names this module gives its own classes and objects: methods, class attributes,
    and `self._x = …` attributes (so a class may use them on another instance of itself)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        names.add(leaf.id)
                    elif (isinstance(leaf, ast.Attribute) and isinstance(leaf.value, ast.Name)
                          and leaf.value.id in ("self", "cls")):
                        names.add(leaf.attr)
    return {name for name in names if name.startswith("_")}


def _private_reaches() -> list[str]:
    offenders = []
    for path in _modules():
        tree = ast.parse(path.read_text())
        own = _private_names_defined(tree)
        relative = str(path.relative_to(PACKAGE))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fieldapp"):
                offenders += [f"{relative}:{node.lineno}: from {node.module} import {alias.name}"
                              for alias in node.names if alias.name.startswith("_") and alias.name != "_"
                              and not alias.name.endswith("__")]
                continue
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_") or node.attr == "_":
                continue
            if node.attr.startswith("__") and node.attr.endswith("__"):
                continue  # Python's own protocol names
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
                continue
            if node.attr in own:
                continue  # the module's own class, used on another of its instances
            expression = ast.unparse(node)
            if (relative, expression) in PRIVATE_ALLOWED:
                continue
            offenders.append(f"{relative}:{node.lineno}: {expression}")
    return sorted(offenders, key=lambda line: (line.split(":")[0], int(line.split(":")[1])))


def test_no_module_reaches_into_another_ones_private_names():
    assert _private_reaches() == []


def test_the_private_name_check_catches_planted_reaches():
    planted = PACKAGE / "store" / "_planted_private_reach_for_test.py"
    planted.write_text("from fieldapp.store.vault import _not_ours\n\n\n"
                       "def backup(session, vault):\n    key = session._key\n    return vault._open('x', key)\n")
    try:
        assert [line for line in _private_reaches() if "_planted" in line] == [
            "store/_planted_private_reach_for_test.py:1: from fieldapp.store.vault import _not_ours",
            "store/_planted_private_reach_for_test.py:5: session._key",
            "store/_planted_private_reach_for_test.py:6: vault._open"]
    finally:
        planted.unlink()

# -- the command line: only the entry point imports it (docs/DESIGN.md 8) ------------------------------
ENTRY_POINT = "__main__.py"
CLI = "fieldapp.cli"


def _absolute_imports(path: Path, package_root: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved, `from a import b` counted as `a.b` too,
    and a module named in a string constant (importlib.import_module("fieldapp.cli"))."""
    here = list(path.relative_to(package_root.parent).parts[:-1])  # the package a relative import starts from
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(here[:len(here) - node.level + 1] if node.level else [])
            module = ".".join(filter(None, [base, node.module or ""]))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"[\w.]+(:\w+)?",
                                                                                             node.value):
            names.add(node.value.split(":")[0])  # also "module:Name", as gui/main_window.py names its pages
    return names


def _cli_importers(package_root: Path) -> list[str]:
    """Modules outside cli/ that import the command line, the entry point excepted."""
    offenders = []
    for path in sorted(p for p in package_root.rglob("*.py") if "__pycache__" not in p.parts):
        relative = path.relative_to(package_root)
        if relative.parts[0] == "cli" or str(relative) == ENTRY_POINT:
            continue
        if any(name == CLI or name.startswith(CLI + ".") for name in _absolute_imports(path, package_root)):
            offenders.append(relative.as_posix())
    return offenders


def test_only_the_entry_point_imports_the_command_line():
    assert _cli_importers(PACKAGE) == []
    assert CLI in _absolute_imports(PACKAGE / ENTRY_POINT, PACKAGE)  # and it does: the check looks at real imports


def test_the_command_line_check_catches_every_way_of_importing_it(tmp_path):
    package = tmp_path / "fieldapp"
    planted = {
        "__main__.py": "from fieldapp.cli import main\n",  # allowed: the entry point
        "cli/__init__.py": "from fieldapp.cli import common\n",  # allowed: the package itself
        "gui/sync_page.py": "from fieldapp.cli.sync import counts_line\n",
        "ops/find.py": "from fieldapp import cli\n",
        "documents/report.py": "import fieldapp.cli.documents as commands\n",
        "sync/merge.py": "from ..cli import common\n",
        "store/session.py": "import importlib\nimportlib.import_module('fieldapp.cli')\n",
        "gui/main_window.py": "PAGES = ['fieldapp.cli.sync:cmd_sites']\n",
        "domain/vocab.py": "from fieldapp.client import x\nfrom fieldapp.clinic import y\n",  # not the cli
        "core/hlc.py": "from fieldapp import core\n",
    }
    for name, text in planted.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    assert _cli_importers(package) == ["documents/report.py", "gui/main_window.py", "gui/sync_page.py", "ops/find.py",
                                       "store/session.py", "sync/merge.py"]


def test_the_command_line_helpers_are_defined_once():
    """Opening a session, reading passphrases, confirm, say…: in cli/common.py, not again in a command module."""
    common = PACKAGE / "cli" / "common.py"
    helpers = {node.name for node in ast.parse(common.read_text()).body if isinstance(node, ast.FunctionDef)}
    assert {"say", "confirm", "open_session", "read_passphrase"} <= helpers
    again = [f"{path.relative_to(PACKAGE)}: {node.name}" for path in _modules()
             if PACKAGE / "cli" in path.parents and path != common
             for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") in helpers]
    assert again == []
