"""Screenshots of the app on a throw-away demo vault, for the README:
`python -m fieldapp.gui.screenshots OUTDIR` writes unlock.png, one PNG per page, and the Home page
in French. Runs offscreen; nothing is kept but the PNG files.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from fieldapp.demo import create_demo_vault  # noqa: E402
from fieldapp.gui.app import create_application  # noqa: E402
from fieldapp.gui.context import AppContext  # noqa: E402
from fieldapp.gui.main_window import MainWindow  # noqa: E402
from fieldapp.gui.qt_i18n import apply_language  # noqa: E402
from fieldapp.gui.screenshot import png_bytes  # noqa: E402
from fieldapp.fileio import atomic_write  # noqa: E402
from fieldapp.store.vault import Vault  # noqa: E402

SIZE = (1200, 760)
SETTLE_MS = 700  # pages fill their lists and counters in workers after being shown


def _settle(ms: int = SETTLE_MS) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def compact(png: bytes, colours: int = 128) -> bytes:
    """A palette PNG a quarter the size, for files committed to the repository (Pillow comes with reportlab)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        image.convert("RGB").quantize(colours).save(out, "PNG", optimize=True)
    return out.getvalue()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "page"


def take(outdir: Path, records: int = 400) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    app = create_application([sys.argv[0]])
    apply_language("en")

    def save(window, name: str) -> None:
        _settle()
        path = outdir / f"{name}.png"
        atomic_write(path, compact(png_bytes(window)), mode=0o644)
        written.append(path)

    with tempfile.TemporaryDirectory() as folder:
        vault_path = Path(folder) / "vault"
        session, _recovery_key, _counts = create_demo_vault(vault_path, records)
        context = AppContext()
        window = MainWindow(context, Vault(vault_path))
        window.resize(*SIZE)
        window.show()
        try:
            save(window, "unlock")
            window.on_unlocked(session)
            for number, page in enumerate(window.pages, start=1):
                window.show_page(page)
                save(window, f"{number:02d}-{_slug(page.KIND or page.TITLE)}")
            window.show_page(window.pages[0])
            apply_language("fr", context)
            save(window, "home-fr")
        finally:
            apply_language("en", context)
            if context.is_unlocked:
                context.drop_session()
            session.close()
            window.close()
            app.processEvents()
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m fieldapp.gui.screenshots OUTDIR", file=sys.stderr)
        return 2
    for path in take(Path(argv[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
