"""Key material in memory (store/secret.py) and key slots in a child process (store/keyderive.py).
No Qt: what the window sees of these is in tests/gui/test_secrets_after_lock.py."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyrage
import pytest
import sqlcipher3
from pyrage import x25519

from fieldapp.store import db, keyderive, secret


def test_scrub_overwrites_a_bytes_and_an_ascii_str_in_place():
    raw = os.urandom(32)
    text = "AGE-SECRET-KEY-1" + os.urandom(24).hex().upper()
    assert secret.scrub(raw) and secret.scrub(text)
    assert raw == bytes(32) and text == "\0" * len(text)
    assert not secret.scrub("é" * 20)  # not the layout it knows: left alone
    assert not secret.scrub(b"short")


def test_key_literal_and_hex_buffers():
    key = bytearray(os.urandom(32))
    assert secret.key_literal(key) == f"x'{bytes(key).hex()}'".encode()
    assert secret.hex_to_buffer(secret.buffer_to_hex(key)) == key
    assert secret.hex_to_buffer(b"00Ff7a") == bytearray(b"\x00\xff\x7a")
    with pytest.raises(ValueError):
        secret.hex_to_buffer(b"0g")


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="reads /proc/self/mem")
def test_freed_strings_are_overwritten():
    # A freed str stays readable where it was until its block is reused: the scrub reuses it.
    # Read through /proc/self/mem: the block's memory may have gone back to the system.
    marker = os.urandom(16).hex()
    texts = [f"BNI-2026-{n:04d} {marker}" for n in range(2000)]
    spots = [(id(text) + sys.getsizeof("") - 1, text.encode()) for text in texts[::50]]
    del texts
    assert secret.scrub_free_python_memory() > 0
    memory = os.open("/proc/self/mem", os.O_RDONLY)
    try:
        left = [spot for spot, expected in spots if _peek(memory, spot, len(expected)) == expected]
    finally:
        os.close(memory)
    assert not left, f"{len(left)} of {len(spots)} freed strings still readable"


def _peek(memory: int, address: int, size: int) -> bytes | None:
    try:
        return os.pread(memory, size, address)
    except OSError:  # no longer mapped
        return None


def test_the_database_opens_with_a_key_given_as_a_buffer_and_wiped(tmp_path):
    key = secret.random_key(32)
    connection = db.connect(tmp_path / "a.db", key)
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    connection = db.connect(tmp_path / "a.db", key)
    assert connection.execute("SELECT count(*) FROM t").fetchone() == (0,)
    assert connection.execute("PRAGMA cipher_memory_security").fetchone() == ("1",)
    connection.close()
    # The same file as `PRAGMA key = "x'…'"` sees it: the raw key, no PBKDF2.
    bare = sqlcipher3.connect(str(tmp_path / "a.db"))
    bare.execute(f"PRAGMA key = \"x'{bytes(key).hex()}'\"")
    assert bare.execute("SELECT count(*) FROM t").fetchone() == (0,)
    bare.close()


def test_slots_made_and_opened_in_the_child_are_ordinary_age_files():
    key = bytearray(os.urandom(32))
    slot = keyderive.passphrase_encrypt(key, "une phrase de passe")
    assert pyrage.passphrase.decrypt(slot, "une phrase de passe") == key
    assert keyderive.passphrase_decrypt(slot, "une phrase de passe") == key
    with pytest.raises(pyrage.DecryptError):
        keyderive.passphrase_decrypt(slot, "pas la bonne")
    identity = x25519.Identity.generate()
    sealed = keyderive.recipient_encrypt(key, str(identity.to_public()))
    assert pyrage.decrypt(sealed, [identity]) == key
    opened = keyderive.identity_decrypt(sealed, str(identity))
    assert isinstance(opened, bytearray) and opened == key
    with pytest.raises(pyrage.DecryptError):
        keyderive.identity_decrypt(sealed, str(x25519.Identity.generate()))
    assert key != bytearray(32)  # the caller's buffer is the caller's to wipe


def test_scrypt_in_the_child_lets_other_threads_run():
    """pyrage in-process holds the GIL for the whole scrypt: a GUI thread would not run."""
    slot = pyrage.passphrase.encrypt(b"k" * 32, "passphrase for the test")
    gaps, done = [], threading.Event()

    def derive():
        keyderive.passphrase_decrypt(slot, "passphrase for the test")
        done.set()

    worker = threading.Thread(target=derive)
    last = time.perf_counter()
    started = last
    worker.start()
    while not done.is_set():
        time.sleep(0.005)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    worker.join()
    assert time.perf_counter() - started > 0.3  # scrypt really ran meanwhile
    assert max(gaps) < 0.1, f"longest pause {max(gaps) * 1000:.0f} ms"


def test_the_child_imports_the_app_s_own_code_whatever_the_current_folder(tmp_path):
    """The forkserver is started with the current folder first on its path: a folder holding
    another `fieldapp` (an old checkout, a planted one) must not be what derives the keys."""
    (tmp_path / "fieldapp" / "store").mkdir(parents=True)
    (tmp_path / "fieldapp" / "__init__.py").write_text("")
    (tmp_path / "fieldapp" / "store" / "__init__.py").write_text("")
    root = Path(__file__).resolve().parents[1]
    script = ("import sys\n"
              f"sys.path.insert(0, {str(root)!r})\n"
              "from fieldapp.store import keyderive\n"
              "slot = keyderive.passphrase_encrypt(bytearray(32), 'a passphrase')\n"
              "print(keyderive.passphrase_decrypt(slot, 'a passphrase') == bytearray(32))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr
