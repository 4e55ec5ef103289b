"""The lock file: every Python package a fieldapp machine installs, pinned with its hashes.

`bash dev.sh lock` runs `python packaging/lock.py`, which asks uv to resolve pyproject.toml (the
runtime dependencies, every extra, and the build and install tools) for every platform at once,
with the hashes of every file of each pinned release (Linux and Windows wheels alike), and writes
requirements.lock. Its first line records a digest of the requirement ranges it was made from, so
tests/test_lock.py can tell when pyproject.toml changed without relocking.

Installing from it (dev.sh, .ci/run, packaging/build.sh; the README's IT section for Windows):
    python -m pip install --require-hashes --no-deps -r requirements.lock
    python -m pip install --no-deps --no-build-isolation -e .
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
DIGEST_PREFIX = "# pyproject-requirements-sha256: "
# The oldest Python the app supports; uv resolves for it and every newer one (markers keep the rest).
PYTHON = "3.11"
# What installs the rest: pip itself, and the build backend of the editable install (pyproject's
# build-system), installed without build isolation so nothing is fetched unpinned.
INSTALL_TOOLS = ["pip>=24"]


def requirement_tables(pyproject: Path = PYPROJECT) -> dict:
    """Everything in pyproject.toml that decides what the lock must hold."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    return {
        "requires-python": project.get("requires-python", ""),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
        "build-system": data.get("build-system", {}).get("requires", []),
        "install-tools": INSTALL_TOOLS,
    }


def digest(pyproject: Path = PYPROJECT) -> str:
    canonical = json.dumps(requirement_tables(pyproject), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def recorded_digest(lock: Path = LOCK) -> str | None:
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line[len(DIGEST_PREFIX):].strip()
    return None


def main() -> int:
    tables = requirement_tables()
    uv = Path(sys.executable).with_name("uv")
    with tempfile.TemporaryDirectory() as folder:
        tools = Path(folder) / "install-tools.in"
        tools.write_text("\n".join(tables["build-system"] + INSTALL_TOOLS) + "\n", encoding="utf-8")
        command = [str(uv), "pip", "compile", str(PYPROJECT), str(tools), "--all-extras",
                   "--universal", "--python-version", PYTHON, "--generate-hashes",
                   "--no-emit-index-url",
                   "--custom-compile-command", "bash dev.sh lock"]
        # PyPI only: the lock must be the same whatever this machine's pip configuration adds.
        environment = {name: value for name, value in os.environ.items() if not name.startswith(("UV_", "PIP_"))}
        environment.update(UV_INDEX_URL="https://pypi.org/simple", UV_NO_CONFIG="1")
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=environment)
    if result.returncode != 0:
        print(result.stderr.strip(), file=sys.stderr)
        return 1
    # uv names the temporary input in "via" comments; name what it stands for instead.
    body = result.stdout.replace(str(tools), "build and install tools").replace(str(ROOT) + "/", "")
    header = (f"{DIGEST_PREFIX}{digest()}\n"
              "# Every package of every platform, pinned with the hashes of all its files. Do not edit:\n"
              "# change the ranges in pyproject.toml, then run `bash dev.sh lock` (packaging/lock.py).\n")
    LOCK.write_text(header + body, encoding="utf-8")
    pins = sum(1 for line in body.splitlines() if "==" in line and not line.startswith((" ", "#")))
    print(f"wrote {LOCK.relative_to(ROOT)}: {pins} pinned releases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
