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
import struct
import sys

import pyrage

from fieldapp.errors import VaultError
from fieldapp.i18n import _
from fieldapp.store import secret

_WINDOWS = sys.platform == "win32"
_OK, _REFUSED, _FAILED = b"ok", b"refused", b"failed"
_HEADER = struct.Struct("!I")
_MAX_FRAME = 1 << 20  # a key slot is a few hundred bytes


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
            _context.set_forkserver_preload([__name__])
        else:
            _context = multiprocessing.get_context("spawn")
        _context_pid = os.getpid()
    return _context


def _run(mode: bytes, data, argument: bytearray) -> bytearray:
    """Send the request (`data` is the caller's; `argument` is ours and wiped), return the answer."""
    context = _start_method()
    ours, theirs = context.Pipe(duplex=True)
    child = context.Process(target=_child, args=(theirs,), name="fieldapp-keyslot", daemon=True)
    try:
        try:
            child.start()
        except OSError as error:
            raise VaultError(_("Cannot start the key derivation process ({detail}).").format(detail=error)) from None
        finally:
            theirs.close()
        try:
            for part in (mode, data, argument):
                _send(ours, part)
            status = bytes(_receive(ours))
            answer = _receive(ours)
        except (EOFError, OSError) as error:
            raise VaultError(_("The key derivation process stopped before answering ({detail}).").format(
                detail=error or type(error).__name__)) from None
    finally:
        secret.wipe(argument)
        ours.close()
        if child.pid is not None:
            child.join(10)
    if status == _OK:
        return answer
    message = answer.decode("utf-8", "replace")
    secret.wipe(answer)
    if status == _REFUSED:
        raise pyrage.DecryptError(message)
    raise VaultError(_("Key derivation failed ({detail}).").format(detail=message))


# -- the pipe --------------------------------------------------------------------------------
def _send(connection, data) -> None:
    if _WINDOWS:
        connection.send_bytes(data)
        return
    descriptor = connection.fileno()
    view = memoryview(data).cast("B")
    _write_all(descriptor, _HEADER.pack(len(view)))
    _write_all(descriptor, view)
    view.release()


def _write_all(descriptor: int, data) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def _receive(connection) -> bytearray:
    """One frame, read straight into a bytearray."""
    if _WINDOWS:
        # multiprocessing reads into a buffer of its own first: that copy is not wiped.
        return secret.take(connection.recv_bytes(_MAX_FRAME))
    descriptor = connection.fileno()
    header = bytearray(_HEADER.size)
    _read_into(descriptor, header)
    (size,) = _HEADER.unpack(header)
    if size > _MAX_FRAME:
        raise OSError("frame too large")
    buffer = bytearray(size)
    _read_into(descriptor, buffer)
    return buffer


def _read_into(descriptor: int, buffer: bytearray) -> None:
    view = memoryview(buffer)
    while view:
        count = os.readv(descriptor, [view])
        if count == 0:
            raise EOFError("end of pipe")
        view = view[count:]


# -- the child -------------------------------------------------------------------------------
def _child(connection) -> None:
    try:
        mode = bytes(_receive(connection))
        data, argument = bytes(_receive(connection)), _receive(connection)
        try:
            answer = _work(mode, data, argument)
        except pyrage.DecryptError as error:
            _send(connection, _REFUSED)
            _send(connection, str(error).encode("utf-8"))
        except Exception as error:  # noqa: BLE001 - reported as one line to the parent
            _send(connection, _FAILED)
            _send(connection, f"{type(error).__name__}: {error}".encode("utf-8"))
        else:
            _send(connection, _OK)
            _send(connection, answer)
    finally:
        connection.close()


def _work(mode: bytes, data: bytes, argument: bytearray) -> bytes:
    from pyrage import passphrase as age_passphrase
    from pyrage import x25519

    if mode == b"passphrase-decrypt":
        return age_passphrase.decrypt(data, argument.decode("utf-8"))
    if mode == b"passphrase-encrypt":
        return age_passphrase.encrypt(data, argument.decode("utf-8"))
    if mode == b"identity-decrypt":
        return pyrage.decrypt(data, [x25519.Identity.from_str(argument.decode("ascii"))])
    if mode == b"recipient-encrypt":
        return pyrage.encrypt(data, [x25519.Recipient.from_str(argument.decode("ascii"))])
    raise ValueError(f"unknown request {mode!r}")
