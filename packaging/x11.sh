# Shared by smoke.sh and fresh-machine.sh: start the app on a real X server (Xvfb, xcb platform
# plugin), wait for its window to paint, take the X server's screenshot, then close both.
#   x11_window PROGRAM VAULT PNG [CHROOT]   (sets X11_COLOURS; returns 1 with a reason in $PNG.log)
# With CHROOT, PROGRAM and VAULT are paths inside it and the X socket is shared through /tmp.

x11_window() {
  local program=$1 vault=$2 png=$3 root=${4:-} log=${3%.png}.log display xvfb app colours waited
  for tool in Xvfb import identify; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (bash dev.sh package installs it)" >"$log"; return 1; }
  done
  display=$(( 90 + RANDOM % 400 ))
  while [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
  Xvfb ":$display" -screen 0 1366x768x24 -nolisten tcp >"$log.xvfb" 2>&1 &
  xvfb=$!
  for _ in $(seq 50); do [ -S "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
  if [ -n "$root" ]; then
    chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DISPLAY=":$display" QT_QPA_PLATFORM=xcb \
      FIELDAPP_LANG=fr "$program" --vault "$vault" >"$log" 2>&1 &
  else
    DISPLAY=":$display" QT_QPA_PLATFORM=xcb "$program" --vault "$vault" >"$log" 2>&1 &
  fi
  app=$!
  colours=0
  # An empty Xvfb screen has 1 or 2 colours; a painted unlock window has hundreds (text, anti-aliasing).
  for waited in $(seq 60); do
    sleep 0.5
    kill -0 "$app" 2>/dev/null || break
    import -display ":$display" -window root "$png" 2>/dev/null || continue
    colours=$(identify -format %k "$png" 2>/dev/null || echo 0)
    [ "$colours" -gt 64 ] && { sleep 1; import -display ":$display" -window root "$png"; break; }
  done
  X11_COLOURS=$(identify -format %k "$png" 2>/dev/null || echo 0)
  local alive=0
  kill -0 "$app" 2>/dev/null && alive=1
  kill "$app" 2>/dev/null; wait "$app" 2>/dev/null
  kill "$xvfb" 2>/dev/null; wait "$xvfb" 2>/dev/null
  if [ "$alive" = 0 ]; then echo "the app exited before painting" >>"$log"; return 1; fi
  if grep -qi "could not load the qt platform plugin\\|could not connect to display" "$log"; then return 1; fi
  [ "${X11_COLOURS:-0}" -gt 64 ] || { echo "the screen stayed blank ($X11_COLOURS colours)" >>"$log"; return 1; }
}
