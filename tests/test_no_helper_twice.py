"""No helper is defined twice in fieldapp/ (issue 14): a function written again in another module
is a rule that will one day be changed in one place and not the other."""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "fieldapp"
# Under this many AST nodes a body is too small to be a helper worth sharing (`return value`).
MIN_NODES = 6
# Two same-name functions whose bodies' AST dumps are this alike are one helper copied and edited.
# Measured on fieldapp/ before issue 14: real copies scored 0.85 and more; same-name helpers that do
# another job 0.75 and less (yes_no: a translated label in gui/, a fixed code in an export).
SIMILAR = 0.8


def _functions(package: Path):
    """(module path, function) for every module-level function of the package."""
    for path in sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path.relative_to(package).as_posix(), node


def _without_annotations(node: ast.AST) -> ast.AST:
    for leaf in ast.walk(node):
        if isinstance(leaf, ast.arg):
            leaf.annotation = None
        elif isinstance(leaf, (ast.FunctionDef, ast.AsyncFunctionDef)):
            leaf.returns = None
    return node


def _body(function: ast.FunctionDef) -> list[ast.stmt]:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    return body


def _shape(function: ast.FunctionDef) -> str:
    """The function's parameters and body, docstring and annotations left out."""
    copy = _without_annotations(ast.parse(ast.unparse(function)).body[0])
    return ast.dump(copy.args) + ast.dump(ast.Module(body=_body(copy), type_ignores=[]))


def _size(function: ast.FunctionDef) -> int:
    return sum(1 for statement in _body(function) for _ in ast.walk(statement))


def _alike(shape: str, other: str) -> float:
    """How alike two shapes are, 0 to 1, compared token by token (names, values, punctuation)."""
    tokens = re.compile(r"\w+|[^\w\s]")
    return difflib.SequenceMatcher(None, tokens.findall(shape), tokens.findall(other), autojunk=False).ratio()


def helpers_defined_twice(package: Path = PACKAGE) -> list[str]:
    """Pairs of module-level functions in different modules that are one helper written twice:
    the same body under any names (at least MIN_NODES nodes), or the same name and parameters
    with bodies at least SIMILAR alike. Methods are left out: same-name methods are the norm
    (Qt overrides, repository hooks)."""
    found = [(module, function, _shape(function)) for module, function in _functions(package)
             if _size(function) >= MIN_NODES]
    copies = []
    for index, (module, function, shape) in enumerate(found):
        for other_module, other, other_shape in found[index + 1:]:
            if module == other_module:
                continue
            if shape == other_shape:
                why = "same body"
            elif function.name == other.name and [a.arg for a in function.args.args] == [
                    a.arg for a in other.args.args] and _alike(shape, other_shape) >= SIMILAR:
                why = "same name, nearly the same body"
            else:
                continue
            copies.append(f"{module}:{function.lineno} {function.name} ~ "
                          f"{other_module}:{other.lineno} {other.name} ({why})")
    return copies


def test_no_helper_is_defined_twice():
    assert helpers_defined_twice() == []


SAY = '''
def {name}(message: str, quiet: bool = False) -> None:
    """Print a line for the user unless quiet."""
    if not quiet:
        print(message, flush=True)
'''
EDITED_SAY = '''
def _say(message, quiet=False):
    if quiet:
        return
    print(message, flush=True)
'''
UNRELATED = '''
def _say(label, text):
    label.setText(text)
    label.setVisible(bool(text))
'''


def test_the_check_catches_a_planted_copy_renamed_or_edited(tmp_path):
    package = tmp_path / "fieldapp"
    (package / "cli").mkdir(parents=True)
    (package / "gui").mkdir()
    (package / "cli" / "common.py").write_text(SAY.format(name="say"))
    (package / "cli" / "backup.py").write_text(SAY.format(name="_print_line"))  # renamed, same body
    (package / "cli" / "sync.py").write_text(EDITED_SAY)
    (package / "gui" / "page.py").write_text(UNRELATED)  # another _say, another job
    (package / "gui" / "tiny.py").write_text("def same(value):\n    return value\n")
    (package / "gui" / "other.py").write_text("def same(value):\n    return value\n")
    assert helpers_defined_twice(package) == [
        "cli/backup.py:2 _print_line ~ cli/common.py:2 say (same body)",
    ]
    (package / "cli" / "sync.py").write_text(EDITED_SAY.replace("_say", "say").replace("(message, quiet=False)",
                                                                                      "(message, quiet: bool = False)"))
    assert helpers_defined_twice(package) == [
        "cli/backup.py:2 _print_line ~ cli/common.py:2 say (same body)",
        "cli/common.py:2 say ~ cli/sync.py:2 say (same name, nearly the same body)",
    ]
