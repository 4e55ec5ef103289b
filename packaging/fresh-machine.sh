#!/usr/bin/env bash
# The pristine-machine check: does the frozen folder need anything from the machine that built it?
# Builds a minimal Debian 12 root (debootstrap --variant=minbase, cached), adds only the libraries
# a Linux desktop already has (DESKTOP_PACKAGES below), copies dist/fieldapp into it, and runs the
# smoke steps there: --version, a demo vault, a French referral-pathway sheet, the window on a
# real X server (Xvfb runs outside; the root sees only its socket). Prints what the package still
# expects from the system. Usage (root): bash packaging/fresh-machine.sh [dist/fieldapp]
# Skipped, with one line saying why, when not root or when Debian's packages cannot be reached.
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=$(cd "${1:-dist/fieldapp}" && pwd)
CACHE=${FIELDAPP_FRESH_CACHE:-/var/cache/fieldapp-fresh-machine}
SUITE=bookworm
# What any desktop with an X11 or Wayland session has installed: Xlib and the core xcb extensions
# that Mesa and cairo pull in, xkbcommon, fontconfig and a font, OpenGL/EGL (libglvnd), D-Bus,
# GLib, the Wayland client libraries. Not in this list, so the package must carry them: the xcb
# utility libraries Qt's xcb plugin needs (cursor, icccm, image, keysyms, render-util, util).
DESKTOP_PACKAGES=(libx11-6 libx11-xcb1 libxcb1 libxcb-render0 libxcb-shm0 libxcb-xfixes0 libxcb-randr0
                  libxcb-sync1 libxcb-shape0 libxcb-xkb1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
                  libfreetype6 fonts-dejavu-core libgl1 libegl1 libdbus-1-3 libglib2.0-0
                  libwayland-client0 libwayland-cursor0 libwayland-egl1)

skip() { echo "fresh-machine: skipped: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap and chroot)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (bash dev.sh package installs it)"
. packaging/x11.sh

started=$(date +%s)
key=$(printf '%s\n' "$SUITE" "${DESKTOP_PACKAGES[@]}" | sha256sum | cut -c1-12)
tarball="$CACHE/$SUITE-minbase-desktop-$key.tar"
ROOT=$(mktemp -d /var/tmp/fieldapp-fresh.XXXXXX)
cleanup() {
  for mount in "$ROOT/tmp/.X11-unix" "$ROOT/dev" "$ROOT/proc"; do
    mountpoint -q "$mount" 2>/dev/null && umount -l "$mount"
  done
  rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT

if [ ! -f "$tarball" ]; then
  echo "fresh-machine: building a minimal Debian 12 root with the desktop libraries (cached in $CACHE)…"
  mkdir -p "$CACHE"
  # debootstrap's default mirror; the same archive this machine's apt uses.
  if ! timeout 600 debootstrap --variant=minbase "$SUITE" "$ROOT" >"$ROOT.debootstrap.log" 2>&1; then
    tail -3 "$ROOT.debootstrap.log"
    rm -f "$ROOT.debootstrap.log"
    skip "Debian's packages cannot be reached (debootstrap failed)"
  fi
  rm -f "$ROOT.debootstrap.log"
  mount -t proc proc "$ROOT/proc"
  chroot "$ROOT" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${DESKTOP_PACKAGES[@]}" >/dev/null
  chroot "$ROOT" apt-get clean
  umount "$ROOT/proc"
  tar -C "$ROOT" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
else
  tar -C "$ROOT" -xf "$tarball"
fi
prepared=$(date +%s)

mkdir -p "$ROOT/opt" "$ROOT/tmp/.X11-unix" "$ROOT/work"
cp -a "$DIST" "$ROOT/opt/fieldapp"
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
mount --bind /tmp/.X11-unix "$ROOT/tmp/.X11-unix"
inside() { chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$@"; }
passed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { echo "FAILED: $*" >&2; echo "fresh-machine: $passed passed, 1 failed"; exit 1; }

# What the frozen folder's libraries need that is neither inside the folder nor on this desktop
# (the program's loader puts _internal/ on the library path, as LD_LIBRARY_PATH does here).
libraries() { inside LD_LIBRARY_PATH=/opt/fieldapp/_internal /bin/sh -c \
                'find /opt/fieldapp -name "*.so*" -type f -exec ldd {} + 2>/dev/null'; }
missing=$(libraries |
          grep 'not found' | awk '{print $1}' | sort -u | tr '\n' ' ' || true)
[ -z "$missing" ] || fail "libraries the desktop lacks and the package does not carry: $missing"
ok "every library the package loads is in it or on a desktop"

out=$(inside /opt/fieldapp/fieldapp --version) || fail "--version: $out"
ok "--version: $out"

inside /opt/fieldapp/fieldapp --vault /work/beni demo --records 200 --recovery-file /work/recovery.txt \
  >"$ROOT/work/demo.txt" 2>&1 || fail "demo vault: $(tail -2 "$ROOT/work/demo.txt")"
ok "demo vault created"

inside FIELDAPP_PASSPHRASE=demo-passphrase FIELDAPP_LANG=fr /opt/fieldapp/fieldapp --vault /work/beni \
  pathway-sheet --area CD61 --lang fr -o /work/circuit.pdf >"$ROOT/work/sheet.txt" 2>&1 ||
  fail "French sheet: $(tail -2 "$ROOT/work/sheet.txt")"
text=$(pdftotext "$ROOT/work/circuit.pdf" - 2>/dev/null || true)
case "$text" in *"72 heures"*) ;; *) fail "the French sheet has no French text" ;; esac
ok "French referral-pathway sheet written and read back"

x11_window /opt/fieldapp/fieldapp /work/beni "$ROOT/work/window.png" "$ROOT" ||
  fail "no window on the X server: $(tail -3 "$ROOT/work/window.log" 2>/dev/null)"
cp "$ROOT/work/window.png" "${FRESH_SCREENSHOT:-$DIST/../fresh-machine-x11.png}"
ok "window painted on the X server ($X11_COLOURS colours)"

# What the package expects from the system, for the README's IT section.
expected=$(libraries |
           awk '$3 ~ /^\// && $3 !~ /^\/opt\/fieldapp/ {print $1}' | sort -u | tr '\n' ' ')
echo "libraries taken from the system: $expected"
echo "time: $((prepared - started)) s to prepare the root, $(( $(date +%s) - prepared )) s for the checks"
echo "fresh-machine: $passed passed, 0 failed"
