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


# -- freed memory --------------------------------------------------------------------------
# What a locked app can still leak is freed memory: strings of records it showed, in blocks
# CPython's allocator (pymalloc) and the C heap keep for reuse without clearing them.

M_PERTURB = -6  # glibc's mallopt(3) parameter
_FREE_BYTE = 0xA5
_POOL_SIZE = 16 * 1024
_POOL_HEADER = 48
_LARGEST = 512  # pymalloc's largest block; bigger objects come from the C heap


def wipe_freed_c_memory() -> bool:
    """Ask glibc to overwrite every block of the C heap as it is freed (Qt's strings, SQLite,
    Rust, OpenSSL, and Python objects over 512 bytes). Linux with glibc only; returns whether on."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(ctypes.c_int(M_PERTURB), ctypes.c_int(_FREE_BYTE)))
    except (OSError, AttributeError):
        return False


def no_core_dumps() -> bool:
    """A crash of the unlocked app must not write its memory, key included, to a core file on
    disk (systemd-coredump and apport honour this limit). POSIX only."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, OSError, ValueError):
        return False
    return True


def scrub_free_python_memory(passes: int = 4) -> int:
    """Overwrite pymalloc's free blocks (≤ 512 bytes: most strings) with zero-filled objects and
    free them again; arenas left empty go back to the system. Returns the bytes overwritten.

    A free block is one of a partly used pool, or one of an empty pool (which may be handed to any
    size class, and is then carved block by block as needed): the statistics of CPython's
    allocator say how many of each there are. Fillers are kept until the end, so each pass only
    meets blocks the previous one made free; on an interpreter without the statistics, nothing
    is done and 0 returned.
    """
    import gc

    gc.collect()
    fillers: list[list] = []
    written = 0
    for _ in range(passes):
        stats = _malloc_stats()
        if not stats:
            break
        classes, unused_pools = stats
        if not unused_pools and not any(classes.values()):
            break
        for block, available in classes.items():
            if available:
                fillers.append([_filler(block) for _ in range(available)])
                written += block * available
        per_pool = (_POOL_SIZE - _POOL_HEADER) // _LARGEST
        fillers.append([_filler(_LARGEST) for _ in range(unused_pools * per_pool)])
        written += unused_pools * per_pool * _LARGEST
    del fillers
    return written


def _filler(block: int):
    """A zero-filled object whose allocation is exactly one block of `block` bytes."""
    if block > _BYTES_DATA:
        return bytes(block - _BYTES_DATA - 1)  # calloc: header and all `block` bytes written
    return bytearray(block - 1)  # its buffer (block bytes, zeroed) is the block; the object is 56


def _malloc_stats() -> tuple[dict[int, int], int] | None:
    """{block size: free blocks in partly used pools}, and the number of empty pools."""
    debug = getattr(sys, "_debugmallocstats", None)
    if debug is None:
        return None
    import re

    reader, writer = os.pipe()
    saved = os.dup(2)
    try:
        sys.stderr.flush()
        os.dup2(writer, 2)
        try:
            debug()
        finally:
            os.dup2(saved, 2)
        os.close(writer)
        writer = -1
        chunks = []
        while chunk := os.read(reader, 65536):
            chunks.append(chunk)
    finally:
        os.close(saved)
        os.close(reader)
        if writer >= 0:
            os.close(writer)
    text = b"".join(chunks).decode("ascii", "replace")
    classes = {int(size): int(available) for size, available in
               re.findall(r"^\s*\d+\s+(\d+)\s+\d+\s+\d+\s+(\d+)\s*$", text, flags=re.M)}
    pools = re.search(r"^(\d+) unused pools \* (\d+) bytes", text, flags=re.M)
    if not classes:
        return None
    return classes, int(pools.group(1)) if pools else 0
