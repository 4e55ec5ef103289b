#!/usr/bin/env bash
# Build the one-folder package dist/fieldapp/ with PyInstaller, then run its smoke test (Linux).
# Run through `bash dev.sh package`, which sets up .venv first; Windows: see the README.
set -euo pipefail
cd "$(dirname "$0")/.."
# dev.sh installed PyInstaller with everything else, from requirements.lock (hashes checked).
.venv/bin/python -c "import PyInstaller" 2>/dev/null || { echo "PyInstaller is missing: run through bash dev.sh package" >&2; exit 1; }
started=$(date +%s)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/fieldapp.spec
echo "build: $(( $(date +%s) - started )) s; dist/fieldapp: $(du -sm dist/fieldapp | cut -f1) MB"
bash packaging/smoke.sh dist/fieldapp
