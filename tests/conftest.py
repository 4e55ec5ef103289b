"""Shared fixtures. Vaults live in tmp_path; creating one costs two scrypt runs (about 4 s), so a
template vault is made once per session and copied, and tests unlock copies with the fast
X25519 recovery slot unless the passphrase itself is under test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fieldapp.i18n import set_language  # noqa: E402
from fieldapp.store.vault import Vault  # noqa: E402

PASSPHRASE = "correct horse battery staple"
USER = "amina"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PCODES = SHARED_DATA / "pcodes"


@pytest.fixture(autouse=True)
def private_config_folder(tmp_path_factory, monkeypatch):
    """The language remembered outside the vault (fieldapp/paths.py) goes to a folder of the test's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(scope="session")
def template_vault(tmp_path_factory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("template") / "vault"
    session, recovery_key = Vault.create(path, "Beni field office", "BNI", USER, PASSPHRASE)
    session.close()
    return path, recovery_key


@pytest.fixture
def vault_copy(template_vault, tmp_path) -> tuple[Path, str]:
    """A fresh copy of the template vault: (path, recovery key). Passphrase is PASSPHRASE."""
    source, recovery_key = template_vault
    target = tmp_path / "vault"
    shutil.copytree(source, target)
    return target, recovery_key


@pytest.fixture
def session(vault_copy):
    path, recovery_key = vault_copy
    opened = Vault(path).unlock_with_recovery(recovery_key, USER)
    yield opened
    opened.close()
