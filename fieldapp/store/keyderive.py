"""Key slot work (age scrypt and X25519) in a short-lived child process.

pyrage holds Python's GIL for the whole scrypt derivation (about a second), which froze the
window even with the work in a worker thread; the waiting thread here blocks in a read that
releases it. The child also keeps the library's own copies of the raw key (Rust buffers freed
without being wiped) out of the app's memory: it exits once it has answered.

The raw key crosses the pipe from and into bytearrays the caller wipes: on POSIX with `os.write`
and `os.readv` on the pipe itself (no Python copy); on Windows through multiprocessing's
pipe connection, whose receive makes one copy we cannot wipe (docs/RELIABILITY.md).

As with any multiprocessing child, a script that opens a vault must keep its top-level work
under `if __name__ == "__main__":`, and the frozen app calls `multiprocessing.freeze_support()`
first thing (packaging/fieldapp_main.py).
"""

from __future__ import annotations

import multiprocessing
import os
import sys

import pyrage

from fieldapp.errors import VaultError
from fieldapp.i18n import _
from fieldapp.store import secret
from fieldapp.store.slotchild import FAILED, OK, REFUSED, child, receive, send


def passphrase_decrypt(slot: bytes, passphrase: str) -> bytearray:
    """The key a passphrase slot holds. pyrage.DecryptError for a wrong passphrase."""
    return _run(b"passphrase-decrypt", slot, _text(passphrase))


def passphrase_encrypt(key, passphrase: str) -> bytes:
    """A new passphrase slot holding `key` (a bytearray the caller keeps and wipes)."""
    return bytes(_run(b"passphrase-encrypt", key, _text(passphrase)))


def identity_decrypt(slot: bytes, identity: str) -> bytearray:
    """The key an X25519 slot holds, opened with an AGE-SECRET-KEY-1… identity."""
    return _run(b"identity-decrypt", slot, _text(identity))


def recipient_encrypt(key, recipient: str) -> bytes:
    """A new X25519 slot holding `key`, for an age1… recipient."""
    return bytes(_run(b"recipient-encrypt", key, bytearray(recipient.encode("ascii"))))


def subkey(raw_key, salt: bytes, purpose: bytes) -> bytes:
    """A 256-bit key for one `purpose`, derived from the vault key with HKDF-SHA256 (in this
    process: it costs microseconds, and the vault key is already here)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=purpose).derive(bytes(raw_key))


def _text(value: str) -> bytearray:
    encoded = value.encode("utf-8")
    buffer = bytearray(encoded)
    secret.scrub(encoded)
    return buffer


_context, _context_pid = None, None


def _start_method():
    global _context, _context_pid
    if _context is None or _context_pid != os.getpid():
        methods = multiprocessing.get_all_start_methods()
        # forkserver: each child is forked from a small server started once, with no window and
        # no key in its memory; a child then starts in ~15 ms. spawn (Windows, the frozen app, a
        # process forked from one that used the server) starts a new interpreter (~60 ms).
        if "forkserver" in methods and not getattr(sys, "frozen", False) and _context_pid is None:
            _context = multiprocessing.get_context("forkserver")
            # Nothing preloaded: the server would import it with its own sys.path (the current
            # folder first), not the app's; each child imports the small slotchild module itself.
            _context.set_forkserver_preload([])
        else:
            _context = multiprocessing.get_context("spawn")
        _context_pid = os.getpid()
    return _context


def _run(mode: bytes, data, argument: bytearray) -> bytearray:
    """Send the request (`data` is the caller's; `argument` is ours and wiped), return the answer."""
    context = _start_method()
    ours, theirs = context.Pipe(duplex=True)
    process = context.Process(target=child, args=(theirs,), name="fieldapp-keyslot", daemon=True)
    try:
        try:
            process.start()
        except OSError as error:
            raise VaultError(_("Cannot start the key derivation process ({detail}).").format(detail=error)) from None
        finally:
            theirs.close()
        try:
            for part in (mode, data, argument):
                send(ours, part)
            status = bytes(receive(ours))
            answer = receive(ours)
        except (EOFError, OSError) as error:
            raise VaultError(_("The key derivation process stopped before answering ({detail}).").format(
                detail=error or type(error).__name__)) from None
    finally:
        secret.wipe(argument)
        ours.close()
        if process.pid is not None:
            process.join(10)
    if status == OK:
        return answer
    message = answer.decode("utf-8", "replace")
    secret.wipe(answer)
    if status == REFUSED:
        raise pyrage.DecryptError(message)
    raise VaultError(_("Key derivation failed ({detail}).").format(detail=message))
