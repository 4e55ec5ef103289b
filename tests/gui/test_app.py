"""`fieldapp` with no subcommand opens the window: the wizard when there is no vault yet."""

import os
import subprocess
import sys


def test_fieldapp_without_a_command_starts_the_desktop_app(tmp_path):
    shot = tmp_path / "window.png"
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", FIELDAPP_SCREENSHOT=str(shot), FIELDAPP_LANG="fr")
    done = subprocess.run([sys.executable, "-m", "fieldapp", "--vault", str(tmp_path / "vault")],
                          env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert not (tmp_path / "vault").exists()  # the wizard only writes once the user creates the vault


def test_the_command_line_never_imports_qt(tmp_path):
    code = ("import sys; from fieldapp.cli import main; main(['--vault', sys.argv[1], 'stats']) ; "
            "print('PySide6' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "none")], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip().endswith("False")
