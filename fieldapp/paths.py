"""Where the app finds its own resources and the user's data; the one place that knows about freezing."""

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
