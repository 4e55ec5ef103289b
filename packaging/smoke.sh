#!/usr/bin/env bash
# Smoke test of the built folder (Linux, offscreen): the frozen program alone, no Python, no
# network, no user data folder touched. Usage: bash packaging/smoke.sh [dist/fieldapp]
set -euo pipefail
DIST=$(cd "${1:-dist/fieldapp}" && pwd)
APP="$DIST/fieldapp"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The frozen app must not write to its install folder nor to the real user data folder.
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/data" XDG_CONFIG_HOME="$WORK/home/config"
export QT_QPA_PLATFORM=offscreen FIELDAPP_LANG=en
unset FIELDAPP_PASSPHRASE FIELDAPP_NEW_PASSPHRASE FIELDAPP_USER
mkdir -p "$HOME"
passed=0
. "$(dirname "$0")/x11.sh"
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { echo "FAILED: $*" >&2; echo "smoke: $passed passed, 1 failed"; exit 1; }
run() { "$APP" "$@" >"$WORK/out.txt" 2>&1 || { cat "$WORK/out.txt" >&2; fail "fieldapp $*"; }; }
before=$(cd "$DIST" && find . -type f -printf '%p %s %T@\n' | sort | sha256sum)

# 1. The program starts and knows its version (the package's own).
run --version
grep -qx "fieldapp $(cd "$(dirname "$0")/.." && sed -n 's/^__version__ = "\(.*\)"/\1/p' fieldapp/__init__.py)" \
  "$WORK/out.txt" || fail "--version printed $(cat "$WORK/out.txt")"
ok "--version: $(cat "$WORK/out.txt")"

# 2. What the spec left out is needed by nothing left in (a missing library fails only when first
# loaded). Desktop libraries such as Wayland's are the laptop's own and may be absent here.
missing=$(find "$DIST" -name '*.so*' -type f -exec ldd {} + 2>/dev/null | grep 'not found' |
          grep -E 'libQt6|libpyside|libshiboken|libpython|libicu|libcairo|libpango|libgdk_pixbuf|libatk|libepoxy' |
          sort -u || true)
[ -z "$missing" ] || fail "libraries not found: $missing"
# If the app prints through Qt, it must reach real printers, not only PDF files.
if ls "$DIST"/_internal/PySide6/QtPrintSupport.* >/dev/null 2>&1; then
  ls "$DIST"/_internal/PySide6/Qt/plugins/printsupport/*cups* >/dev/null 2>&1 || fail "no CUPS print plugin"
  # Print pages are rendered by PDFium: its library must sit beside its bindings.
  if grep -q '"pypdfium2' "$(dirname "$0")/../pyproject.toml"; then
    ls "$DIST"/_internal/pypdfium2_raw/*pdfium* >/dev/null 2>&1 || fail "PDFium library missing"
  fi
fi
ok "no bundled library needs one the spec left out"

# 3. A demo vault (gazetteer and directory from the bundled resources, migrations from the bundle).
run --vault "$WORK/beni" demo --records 300 --recovery-file "$WORK/beni-recovery.txt"
export FIELDAPP_PASSPHRASE=demo-passphrase
run --vault "$WORK/beni" verify
ok "demo vault created and verified"

# 4. A French referral-pathway sheet, read back: French catalog, fonts and PDF output.
run --vault "$WORK/beni" pathway-sheet --area CD61 --lang fr -o "$WORK/circuit.pdf"
pdftotext "$WORK/circuit.pdf" "$WORK/circuit.txt"
grep -qi "circuit de référencement" "$WORK/circuit.txt" || fail "the sheet has no French title"
grep -q "72 heures" "$WORK/circuit.txt" || fail "the sheet has no French health-first box"
grep -q "Nord-Kivu" "$WORK/circuit.txt" || fail "the sheet does not name its area"
ok "French referral-pathway sheet"
run --vault "$WORK/beni" report --from 2020-01-01 --to 2030-12-31 --lang fr -o "$WORK/rapport.pdf"
pdftotext "$WORK/rapport.pdf" "$WORK/rapport.txt"
grep -q "Référencements par type d'incident" "$WORK/rapport.txt" || fail "the French report has no referral table"
ok "French period report with charts"

# 5. A bundle from the field office, imported at headquarters (each enrolled the other's card).
FIELDAPP_NEW_PASSPHRASE="headquarters passphrase" run --vault "$WORK/hq" init --site "Headquarters" \
  --office-code HQ --user hq --recovery-file "$WORK/hq-recovery.txt"
FIELDAPP_PASSPHRASE="headquarters passphrase" run --vault "$WORK/hq" site-role headquarters
run --vault "$WORK/beni" site-card -o "$WORK/beni.card"
FIELDAPP_PASSPHRASE="headquarters passphrase" run --vault "$WORK/hq" site-card -o "$WORK/hq.card"
run --vault "$WORK/beni" enrol "$WORK/hq.card" --yes
FIELDAPP_PASSPHRASE="headquarters passphrase" run --vault "$WORK/hq" enrol "$WORK/beni.card" --yes
mkdir "$WORK/usb"
run --vault "$WORK/beni" export-bundle --to HQ -o "$WORK/usb"
FIELDAPP_PASSPHRASE="headquarters passphrase" run --vault "$WORK/hq" import-bundle "$WORK"/usb/*.fieldbundle
FIELDAPP_PASSPHRASE="headquarters passphrase" run --vault "$WORK/hq" stats --json
referrals=$(sed -n 's/.*"total": \([0-9]*\).*/\1/p' "$WORK/out.txt" | head -1)
[ "${referrals:-0}" -gt 0 ] || fail "headquarters received no referral"
ok "bundle exported and imported at headquarters ($referrals referrals)"

# 6. A backup restored into a new folder with the recovery key, verified.
run --vault "$WORK/beni" backup -o "$WORK/usb/beni.fieldbackup"
run restore "$WORK/usb/beni.fieldbackup" --vault "$WORK/restored" --recovery-file "$WORK/beni-recovery.txt"
run --vault "$WORK/restored" verify
ok "backup restored and verified"

# 7. The window: start with no subcommand, paint, save a screenshot, quit.
FIELDAPP_SCREENSHOT="$WORK/window.png" timeout 60 "$APP" --vault "$WORK/beni" >"$WORK/out.txt" 2>&1 \
  || { cat "$WORK/out.txt" >&2; fail "the window did not start and quit"; }
[ "$(head -c 8 "$WORK/window.png" | od -An -tx1 | tr -d ' ')" = "89504e470d0a1a0a" ] || fail "no PNG screenshot"
[ "$(stat -c %s "$WORK/window.png")" -gt 5000 ] || fail "the screenshot is blank"
cp "$WORK/window.png" "${SMOKE_SCREENSHOT:-$DIST/../smoke-window.png}"
ok "window painted ($(stat -c %s "$WORK/window.png") bytes of PNG)"

# 8. A real window on an X server: the xcb platform plugin and every library it loads, under Xvfb
# (not offscreen), seen through the X server's own screenshot of the screen.
x11_window "$APP" "$WORK/beni" "$WORK/x11.png" || fail "no window on the X server: $(tail -3 "$WORK/x11.log" 2>/dev/null)"
cp "$WORK/x11.png" "${SMOKE_X11_SCREENSHOT:-$DIST/../smoke-x11.png}"
ok "X11 window painted under Xvfb (xcb plugin): $X11_COLOURS colours, screenshot $(cd "$DIST/.." && pwd)/smoke-x11.png"

# 9. Nothing was written inside the install folder, nor into the real user data folder.
after=$(cd "$DIST" && find . -type f -printf '%p %s %T@\n' | sort | sha256sum)
[ "$before" = "$after" ] || fail "the app wrote inside its install folder"
ok "install folder unchanged"

echo "folder size: $(du -sm "$DIST" | cut -f1) MB"
echo "smoke: $passed passed, 0 failed"
