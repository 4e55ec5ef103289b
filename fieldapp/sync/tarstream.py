"""The tar inside a bundle, written and read as a stream with nothing held whole in memory.

Writing uses plain POSIX ustar headers. Reading accepts only what the writer makes: regular
files with short plain names, sizes under a limit, valid header checksums, and nothing but zero
blocks after the end. Links, folders, paths, pax or GNU extensions and trailing data are refused,
so a hostile archive cannot reach the file system or make us allocate what it claims.
"""

from __future__ import annotations

import hashlib
import re
import tarfile

from fieldapp.i18n import _

BLOCK = 512
END_OF_ARCHIVE = b"\0" * (2 * BLOCK)
MEMBER_NAME = re.compile(r"^[a-z][a-z_]{0,40}\.(json|sig|jsonl)$")


class TarProblem(ValueError):
    """The archive is not one a bundle writer makes; the message is for the user."""


def member_header(name: str, size: int, mtime: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = 0o600
    info.type = tarfile.REGTYPE
    return info.tobuf(format=tarfile.USTAR_FORMAT, encoding="ascii", errors="strict")


def padding(size: int) -> bytes:
    return b"\0" * (-size % BLOCK)


def _octal(field: bytes) -> int:
    text = field.rstrip(b"\0 ").lstrip(b" ")
    if not text or not re.fullmatch(rb"[0-7]+", text):
        raise TarProblem(_("a header of the archive is damaged"))
    return int(text, 8)


class TarReader:
    """Reads members in order from a binary stream (here: the decrypted bundle)."""

    def __init__(self, stream):
        self._stream = stream
        self._remaining = 0  # bytes left in the current member
        self._pad = 0
        self.ended = False
        self.digest = hashlib.sha256()  # of the current member, as far as it was read

    def _read_exact(self, size: int) -> bytes:
        chunks, wanted = [], size
        while wanted:
            chunk = self._stream.read(wanted)
            if not chunk:
                raise TarProblem(_("the archive ends too early (the file is truncated)"))
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)

    def next_member(self, max_size: int) -> tuple[str, int] | None:
        """(name, size) of the next member, or None at the end of the archive."""
        if self._remaining or self._pad:
            self.skip()
        header = self._read_exact(BLOCK)
        if header == b"\0" * BLOCK:
            if self._read_exact(BLOCK) != b"\0" * BLOCK:
                raise TarProblem(_("the end of the archive is damaged"))
            self.ended = True
            return None
        checksum = _octal(header[148:156])
        if checksum != sum(header[:148]) + 8 * 32 + sum(header[156:]):
            raise TarProblem(_("a header of the archive is damaged"))
        if header[257:263] != b"ustar\0" or header[263:265] != b"00":
            raise TarProblem(_("the archive is not in the expected format"))
        if header[156:157] not in (b"0", b"\0"):
            raise TarProblem(_("the archive holds something other than plain files (a link or a folder)"))
        if header[345:500].strip(b"\0"):
            raise TarProblem(_("the archive holds a member with a path"))
        raw_name = header[0:100].rstrip(b"\0")
        try:
            name = raw_name.decode("ascii")
        except UnicodeDecodeError:
            name = ""
        if not MEMBER_NAME.match(name):
            raise TarProblem(_("the archive holds an unexpected member “{name}”").format(
                name=raw_name[:60].decode("ascii", "replace")))
        size = _octal(header[124:136])
        if size > max_size:
            raise TarProblem(_("the member “{name}” is too large").format(name=name))
        self._remaining, self._pad = size, -size % BLOCK
        self.digest = hashlib.sha256()
        return name, size

    def read(self, size: int = 65536) -> bytes:
        """Up to `size` bytes of the current member; b"" at its end."""
        size = min(size, self._remaining)
        if size <= 0:
            return b""
        chunk = self._stream.read(size)
        if not chunk:
            raise TarProblem(_("the archive ends too early (the file is truncated)"))
        self._remaining -= len(chunk)
        self.digest.update(chunk)
        return chunk

    def read_all(self) -> bytes:
        """The whole current member: only for small members (the manifest and its signature)."""
        data = self._read_exact(self._remaining) if self._remaining else b""
        self._remaining = 0
        self.digest.update(data)
        return data

    def skip(self) -> None:
        while self._remaining:
            self.read()
        if self._pad:
            if self._read_exact(self._pad).strip(b"\0"):
                raise TarProblem(_("a member of the archive is followed by stray data"))
            self._pad = 0

    def lines(self, max_line: int):
        """The current member's lines (without their \\n), none longer than `max_line`."""
        pending = b""
        while True:
            chunk = self.read()
            if not chunk:
                break
            parts = (pending + chunk).split(b"\n")
            pending = parts.pop()
            if len(pending) > max_line or any(len(part) > max_line for part in parts):
                raise TarProblem(_("a line of the archive is too long"))
            yield from parts
        if pending:
            raise TarProblem(_("the last line of a member is incomplete"))

    def finish(self) -> None:
        """After the end marker only zero padding may follow, up to the end of the stream."""
        if not self.ended:
            raise TarProblem(_("the archive has no end marker"))
        while True:
            chunk = self._stream.read(65536)
            if not chunk:
                return
            if chunk.strip(b"\0"):
                raise TarProblem(_("the archive is followed by stray data"))
