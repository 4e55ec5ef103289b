#!/usr/bin/env bash
# One entry point for newcomers and CI: installs what is missing, then runs the app or the tests.
#   bash dev.sh run     set up, create a demo vault on first use, start the app on it
#   bash dev.sh test    set up, run the whole test suite
#   bash dev.sh package set up, build the packaged app in dist/fieldapp and smoke-test it
#   bash dev.sh bench   set up, run the benchmark suite (docs/PERFORMANCE.md), not part of the tests
# Any further arguments go to the app (run) or to pytest (test).
set -euo pipefail
cd "$(dirname "$0")"

# Debian/Ubuntu packages: venv for Python, the shared libraries Qt loads even offscreen, gettext's
# msgfmt (catalog checks), age (bundle interoperability test), poppler-utils (reading PDFs back).
SYSTEM_PACKAGES=(python3-venv libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0
                 gettext age poppler-utils)

missing=()
if command -v dpkg >/dev/null 2>&1; then
  for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "Please install these Debian packages first: ${missing[*]}" >&2; exit 1; fi
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "fieldapp needs Python 3.11 or newer; $("$PYTHON" --version 2>&1) found." >&2; exit 1; }

# The virtual environment is rebuilt only when pyproject.toml changes.
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "Setting up the Python environment in .venv (first run takes a few minutes)…"
  rm -rf .venv
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  touch "$stamp"
fi

# Compiled catalogs are build output (not in git).
.venv/bin/pybabel compile --use-fuzzy -d translations -D fieldapp >/dev/null 2>&1 || true

command=${1:-run}
shift || true
case "$command" in
  run)
    if [ ! -d .demo-vault ]; then
      .venv/bin/fieldapp --vault .demo-vault demo --records 2000 --recovery-file .demo-vault-recovery.txt
    fi
    echo "Starting fieldapp on .demo-vault (user demo, passphrase demo-passphrase)…"
    exec .venv/bin/fieldapp --vault .demo-vault "$@"
    ;;
  test)
    exec .venv/bin/python -m pytest "$@"
    ;;
  package)
    exec bash packaging/build.sh "$@"
    ;;
  bench)
    exec .venv/bin/python benchmarks/run.py "$@"
    ;;
  *)
    echo "usage: bash dev.sh run|test|package|bench [arguments]" >&2; exit 2 ;;
esac
