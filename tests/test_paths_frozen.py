"""Frozen-state detection: the packaged app reads its resources from the bundle, starts itself by
its own program, and keeps user data out of the install folder."""

from __future__ import annotations

import os
import sys

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from fieldapp import i18n, paths


def test_the_packaged_app_reads_the_bundle_and_restarts_itself(monkeypatch, tmp_path):
    assert not paths.is_frozen()
    assert paths.app_command()[1:] == ["-m", "fieldapp"]
    assert (paths.translations_dir() / "fr" / "LC_MESSAGES" / "fieldapp.po").is_file()

    bundle = tmp_path / "fieldapp" / "_internal"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "fieldapp" / "fieldapp"))
    assert paths.is_frozen()
    assert paths.app_command() == [str(tmp_path / "fieldapp" / "fieldapp")]
    assert paths.translations_dir() == bundle / "translations"
    assert paths.resources_dir() == bundle / "resources"
    assert bundle not in paths.default_vault_dir().parents


def test_the_packaged_app_trusts_its_compiled_catalog_whatever_the_file_times(monkeypatch, tmp_path):
    folder = tmp_path / "_internal" / "translations" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    source = paths.translations_dir() / "fr" / "LC_MESSAGES" / "fieldapp.po"
    (folder / "fieldapp.po").write_bytes(b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                                         b'msgid "Alerts"\nmsgstr "from the po"\n')
    with open(source, "rb") as handle:
        catalog = read_po(handle)
    with open(folder / "fieldapp.mo", "wb") as handle:
        write_mo(handle, catalog)
    os.utime(folder / "fieldapp.mo", (1_000_000, 1_000_000))  # copied first: older than the .po
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    monkeypatch.setattr(i18n, "_catalogs", {})
    i18n.set_language("fr")
    assert i18n._("Alerts") == "Alertes"
