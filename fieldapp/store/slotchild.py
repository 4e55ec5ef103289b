"""The child process's side of store/keyderive.py, and the pipe framing both sides use: kept
apart, with nothing but the standard library and pyrage imported, so that a child starts fast.
"""

from __future__ import annotations

import os
import struct
import sys

_WINDOWS = sys.platform == "win32"
OK, REFUSED, FAILED = b"ok", b"refused", b"failed"
_HEADER = struct.Struct("!I")
_MAX_FRAME = 1 << 20  # a key slot is a few hundred bytes


# -- the pipe --------------------------------------------------------------------------------
def send(connection, data) -> None:
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


def receive(connection) -> bytearray:
    """One frame, read straight into a bytearray."""
    if _WINDOWS:
        from fieldapp.store import secret

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
def child(connection) -> None:
    import pyrage

    try:
        mode = bytes(receive(connection))
        data, argument = bytes(receive(connection)), receive(connection)
        try:
            answer = _work(mode, data, argument)
        except pyrage.DecryptError as error:
            send(connection, REFUSED)
            send(connection, str(error).encode("utf-8"))
        except Exception as error:  # noqa: BLE001 - reported as one line to the parent
            send(connection, FAILED)
            send(connection, f"{type(error).__name__}: {error}".encode("utf-8"))
        else:
            send(connection, OK)
            send(connection, answer)
    finally:
        connection.close()


def _work(mode: bytes, data: bytes, argument: bytearray) -> bytes:
    import pyrage
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
