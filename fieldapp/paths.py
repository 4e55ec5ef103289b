"""Where the app finds its own resources and the user's data; the one place that knows about freezing."""

import re
import sys
from pathlib import Path

import platformdirs

from fieldapp import APP_NAME


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def install_root() -> Path:
    """Folder holding translations/ and resources/ (the repository, or PyInstaller's bundle).

    Read-only for the app: a packaged install may sit in Program Files; user data goes to
    default_vault_dir() and to places the user picks.
    """
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def app_command() -> list[str]:
    """How to start this same app again (another window on another vault, e.g. after a restore)."""
    if is_frozen():
        return [sys.executable]
    return [sys.executable, "-m", "fieldapp"]


def translations_dir() -> Path:
    return install_root() / "translations"


def resources_dir() -> Path:
    return install_root() / "resources"


def default_vault_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "vault"


def shared_data_dir() -> Path | None:
    """The project's reference P-code files: bundled copy first, then ../shared beside a checkout."""
    for candidate in (resources_dir() / "pcodes", install_root().parent / "shared" / "data" / "pcodes"):
        if candidate.is_dir():
            return candidate
    return None


# -- the one thing kept outside the vault ---------------------------------------------------------
# The unlock screen and the first-run wizard must speak the language last used on this computer
# before any vault is open, so that language, and nothing else, is kept outside: a two-letter
# code in a file of its own in the platform's config folder.
LANGUAGE_FILE = "language"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def remembered_language() -> str | None:
    try:
        code = (config_dir() / LANGUAGE_FILE).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return None
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def remember_language(code: str) -> None:
    """Keep `code` for the next start (atomically); a config folder that cannot be written only
    means the next start uses the system's language."""
    if not re.fullmatch(r"[a-z]{2}", code or "") or remembered_language() == code:
        return
    from fieldapp.fileio import atomic_write

    try:
        atomic_write(config_dir() / LANGUAGE_FILE, code.encode("ascii"), mode=0o644)
    except OSError:
        pass
