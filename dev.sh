#!/usr/bin/env bash
# One entry point for newcomers and CI: installs what is missing, then runs the app or the tests.
#   bash dev.sh run     set up, create a demo vault on first use, start the app on it
#   bash dev.sh test    set up, run the whole test suite
#   bash dev.sh package set up, build the packaged app in dist/fieldapp and smoke-test it
#   bash dev.sh bench   set up, run the benchmark suite (docs/PERFORMANCE.md), not part of the tests
#   bash dev.sh lock    resolve pyproject.toml's ranges again into requirements.lock (on purpose)
#   bash dev.sh catalog extract the strings, update the French catalog, report what needs translating
# Any further arguments go to the app (run) or to pytest (test).
set -euo pipefail
cd "$(dirname "$0")"

# Debian/Ubuntu packages: venv for Python; what Qt loads even offscreen; what its X11 (xcb) and
# Wayland platform plugins load to open a window on a desktop (PySide6 6.5+ needs libxcb-cursor0);
# gettext's msgfmt (catalog checks), age (bundle interoperability test), poppler-utils (reading PDFs).
SYSTEM_PACKAGES=(python3-venv libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0
                 libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
                 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
                 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0
                 libwayland-client0 libwayland-cursor0 libwayland-egl1
                 gettext age poppler-utils)
# Only to build and smoke-test the package: a headless X server, screenshots, a pristine Debian root.
if [ "${1:-run}" = package ]; then
  SYSTEM_PACKAGES+=(xvfb imagemagick x11-utils debootstrap)
fi

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

# The virtual environment holds exactly what requirements.lock pins, checked against its hashes
# (packaging/lock.py says how the lock is made); it is rebuilt when the lock changes.
stamp=.venv/.installed-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "Setting up the Python environment in .venv from requirements.lock (first run takes a few minutes)…"
  rm -rf .venv
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
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
  lock)
    .venv/bin/python packaging/lock.py
    echo "Review the change (git diff requirements.lock), run bash dev.sh test, then commit it."
    ;;
  catalog)
    # --no-wrap keeps one line per entry (the catalog's layout), so diffs show only what changed.
    .venv/bin/pybabel --quiet extract --no-wrap -F babel.cfg -k N_ -k NC_:1c,2 -k pgettext:1c,2 -k ngettext:1,2 \
      --project fieldapp --version "$(.venv/bin/python -c 'import fieldapp; print(fieldapp.__version__)')" \
      --copyright-holder "fieldapp contributors" -o translations/fieldapp.pot .
    # update keeps the catalog's own Plural-Forms header (CLDR's three French forms) and its entries.
    .venv/bin/pybabel --quiet update --no-wrap -i translations/fieldapp.pot -d translations -D fieldapp \
      --ignore-obsolete
    msgfmt --check --statistics -o /dev/null translations/fr/LC_MESSAGES/fieldapp.po
    echo "Translate every new or fuzzy French entry (README, Translations), then: bash dev.sh test tests/test_catalog.py"
    ;;
  *)
    echo "usage: bash dev.sh run|test|package|bench|lock|catalog [arguments]" >&2; exit 2 ;;
esac
