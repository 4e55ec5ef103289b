"""requirements.lock follows pyproject.toml, pins every package with hashes, and is what is installed.

A fresh machine installs only from the lock (dev.sh, .ci/run, packaging/build.sh), so main cannot
change behind the project's back when a library releases; these tests fail when the ranges in
pyproject.toml and the lock disagree, with the command that mends it.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
RELOCK = "run `bash dev.sh lock` and commit requirements.lock"


def _lock_module():
    spec = importlib.util.spec_from_file_location("lock", ROOT / "packaging" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock = _lock_module()


def _pins(text: str) -> list[tuple[Requirement, list[str]]]:
    """(name==version ; marker, its hashes) of each entry of a pip requirements file with hashes."""
    entries = []
    for block in re.split(r"\n(?=\S)", text):
        logical = block.replace("\\\n", " ")
        first = logical.split("#", 1)[0].strip()
        if not first:
            continue
        requirement_text, *options = re.split(r"\s+(?=--)", first)
        hashes = [option.split(":", 1)[1] for option in options if option.startswith("--hash=sha256:")]
        entries.append((Requirement(requirement_text), hashes))
    return entries


@pytest.fixture(scope="module")
def pins():
    return _pins(lock.LOCK.read_text(encoding="utf-8"))


def _declared() -> list[Requirement]:
    tables = lock.requirement_tables()
    texts = tables["dependencies"] + [text for extra in tables["optional-dependencies"].values() for text in extra]
    return [Requirement(text) for text in texts + tables["build-system"] + tables["install-tools"]]


def test_the_lock_was_made_from_this_pyproject():
    assert lock.recorded_digest() == lock.digest(), (
        f"pyproject.toml's requirements changed since requirements.lock was made: {RELOCK}.")


def test_a_changed_pin_is_caught(tmp_path):
    changed = tmp_path / "pyproject.toml"
    changed.write_text(lock.PYPROJECT.read_text(encoding="utf-8").replace('"babel>=2.16,<3"', '"babel>=2.16,<2.18"'),
                       encoding="utf-8")
    assert changed.read_text(encoding="utf-8") != lock.PYPROJECT.read_text(encoding="utf-8")
    assert lock.digest(changed) != lock.digest()


def test_every_declared_requirement_is_pinned_within_its_range(pins):
    by_name: dict[str, list[Requirement]] = {}
    for requirement, _hashes in pins:
        by_name.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    problems = []
    for declared in _declared():
        locked = by_name.get(canonicalize_name(declared.name), [])
        versions = [next(iter(pin.specifier)).version for pin in locked]
        if not versions:
            problems.append(f"{declared} is not in the lock")
        elif not all(declared.specifier.contains(version, prereleases=True) for version in versions):
            problems.append(f"{declared} is locked at {', '.join(versions)}")
    assert not problems, "; ".join(problems) + f": {RELOCK}."


def test_every_pin_is_exact_and_hashed(pins):
    assert len(pins) > 20
    for requirement, hashes in pins:
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{requirement} is not pinned exactly"
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", value) for value in hashes), f"{requirement} has no hash"


def test_the_platform_wheels_have_a_hash_each(pins):
    """The lock is universal: compiled packages carry hashes for Linux and Windows wheels alike."""
    for name in ("pyside6-essentials", "sqlcipher3", "pyrage", "cryptography"):
        hashes = next(hashes for requirement, hashes in pins if canonicalize_name(requirement.name) == name)
        assert len(hashes) >= 3, f"{name}: {len(hashes)} hashes, expected one per platform wheel"


def test_what_is_installed_is_what_is_locked(pins):
    environment = default_environment()
    wrong = []
    for requirement, _hashes in pins:
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        expected = next(iter(requirement.specifier)).version
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if installed != expected:
            wrong.append(f"{requirement.name} {installed} (lock: {expected})")
    assert not wrong, "the environment differs from requirements.lock: " + ", ".join(wrong) + \
        " (bash dev.sh rebuilds .venv from the lock)"


def test_pyproject_keeps_ranges_not_pins():
    data = tomllib.loads(lock.PYPROJECT.read_text(encoding="utf-8"))
    for text in data["project"]["dependencies"]:
        assert "==" not in text, f"{text}: pyproject.toml keeps compatible ranges; the lock holds the pins"
