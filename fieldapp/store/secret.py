"""Key material in memory: kept in buffers that can be wiped, and the immutable copies that
libraries hand back (`bytes`, `str`) overwritten in place before they are freed, where CPython's
layout allows it. docs/RELIABILITY.md says what this guarantees and what it cannot.
"""

from __future__ import annotations

import ctypes
import os
import sys

_HEX = b"0123456789abcdef"
_BYTES_DATA = bytes.__basicsize__ - 1  # offset of a bytes object's first byte (PyBytesObject.ob_sval)
_ASCII_DATA = sys.getsizeof("") - 1    # offset of a compact ASCII str's first character


def wipe(buffer) -> None:
    """Overwrite a bytearray (or any writable buffer) with zeros."""
    if buffer is None:
        return
    view = memoryview(buffer).cast("B")
    if len(view):
        ctypes.memset((ctypes.c_char * len(view)).from_buffer(view), 0, len(view))
    view.release()


def scrub(value: bytes | str | None) -> bool:
    """Overwrite the content of a `bytes` or ASCII `str` that the caller owns and is about to drop.

    CPython keeps such values inside the object; freed, the memory keeps them until it is reused.
    The caller must hold the only use of `value` (a fresh return value of a library): it stays
    alive but reads as zeros. Returns False, leaving it alone, where the layout is not the one
    expected (another Python, a non-ASCII or very short text).
    """
    if isinstance(value, bytes):
        offset, expected = _BYTES_DATA, value
    elif isinstance(value, str) and value.isascii():
        offset, expected = _ASCII_DATA, value.encode("ascii")
    else:
        return False
    if len(expected) < 8:  # short values may be shared by the interpreter
        return False
    address = id(value) + offset
    if ctypes.string_at(address, len(expected)) != expected:
        return False
    ctypes.memset(address, 0, len(expected))
    if isinstance(value, str):
        scrub(expected)  # the comparison copy
    return True


def take(value: bytes) -> bytearray:
    """A wipeable copy of `value`, whose own content is then scrubbed."""
    copy = bytearray(value)
    scrub(value)
    return copy


def random_key(size: int) -> bytearray:
    return take(os.urandom(size))


def key_literal(key) -> bytearray:
    """SQLCipher's raw-key form `x'<hex>'` of `key`, built in a buffer the caller wipes."""
    literal = bytearray(3 + 2 * len(key))
    literal[0:2] = b"x'"
    literal[-1] = ord("'")
    for index, byte in enumerate(key):
        literal[2 + 2 * index] = _HEX[byte >> 4]
        literal[3 + 2 * index] = _HEX[byte & 15]
    return literal


def hex_to_buffer(text: bytes | bytearray) -> bytearray:
    """`bytes.fromhex` into a wipeable buffer, without an immutable copy."""
    if len(text) % 2:
        raise ValueError("odd-length hex")
    out = bytearray(len(text) // 2)
    for index in range(len(out)):
        out[index] = (_nibble(text[2 * index]) << 4) | _nibble(text[2 * index + 1])
    return out


def buffer_to_hex(data) -> bytearray:
    out = bytearray(2 * len(data))
    for index, byte in enumerate(data):
        out[2 * index] = _HEX[byte >> 4]
        out[2 * index + 1] = _HEX[byte & 15]
    return out


def _nibble(char: int) -> int:
    if 48 <= char <= 57:
        return char - 48
    if 97 <= char <= 102:
        return char - 87
    if 65 <= char <= 70:
        return char - 55
    raise ValueError("not hex")
