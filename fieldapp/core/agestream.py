"""Streaming age encryption and decryption with pyrage, with no plaintext file on disk.

pyrage's encrypt_io pulls plaintext from a readable object: `GeneratorReader` feeds it from a
generator. decrypt_io pushes plaintext into a writable object: `decrypting()` runs it in a
thread that writes into an OS pipe, so the caller reads the plaintext as a stream. age releases
a chunk only after authenticating it; truncation shows as an error once the stream ends.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
from pathlib import Path
from typing import BinaryIO, Iterator

import pyrage

from fieldapp.i18n import _

AGE_MAGIC = b"age-encryption.org/v1\n"


class AgeProblem(ValueError):
    """The encryption layer refused the file; the message is for the user."""


class GeneratorReader(io.RawIOBase):
    """A read-only binary stream over a generator of byte strings."""

    def __init__(self, chunks: Iterator[bytes]):
        super().__init__()
        self._chunks = chunks
        self._current = memoryview(b"")
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            while not self._current:
                self._current = memoryview(next(self._chunks))
        except StopIteration:
            return 0
        except BaseException as error:
            # pyrage turns an exception raised here into its own; keep ours to raise afterwards.
            self.error = error
            raise
        size = min(len(buffer), len(self._current))
        buffer[:size] = self._current[:size]
        self._current = self._current[size:]
        return size


class _RecordingWriter(io.RawIOBase):
    """Passes writes to `out`, keeping the error of a failed one (a full disk): pyrage reports
    it as its own EncryptError, without the errno."""

    def __init__(self, out: BinaryIO):
        super().__init__()
        self._out = out
        self.error: BaseException | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        try:
            return self._out.write(data)
        except BaseException as error:
            self.error = error
            raise

    def flush(self) -> None:
        self._out.flush()


def encrypt(chunks: Iterator[bytes], out: BinaryIO, recipients: list[str]) -> None:
    source = GeneratorReader(chunks)
    sink = _RecordingWriter(out)
    keys = [pyrage.x25519.Recipient.from_str(recipient) for recipient in recipients]
    try:
        pyrage.encrypt_io(source, sink, keys)
    except BaseException:
        if source.error is not None:
            raise source.error from None
        if sink.error is not None:
            raise sink.error from None
        raise


class _PipeWriter(io.RawIOBase):
    def __init__(self, descriptor: int):
        super().__init__()
        self._file = os.fdopen(descriptor, "wb", buffering=0)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        view = memoryview(data)
        while view:
            written = self._file.write(view)
            view = view[written:]
        return len(data)

    def close(self) -> None:
        self._file.close()
        super().close()


@contextlib.contextmanager
def decrypting(path: Path, identity) -> Iterator[BinaryIO]:
    """The plaintext of the age file at `path`, as a stream read while it is decrypted.

    On leaving, a failure of the decryption (wrong key, altered or truncated data) is raised as
    AgeProblem, taking precedence over whatever the reader made of the incomplete plaintext.
    """
    with open(path, "rb") as source:
        if source.read(len(AGE_MAGIC)) != AGE_MAGIC:
            raise AgeProblem(_("it is not an age-encrypted fieldapp bundle"))
        source.seek(0)
        read_end, write_end = os.pipe()
        writer = _PipeWriter(write_end)
        failure: list[BaseException] = []
        stopped = threading.Event()

        def run() -> None:
            try:
                pyrage.decrypt_io(source, writer, [identity])
            except BaseException as error:  # noqa: BLE001 - reported by the reading thread
                if not stopped.is_set():
                    failure.append(error)
            finally:
                writer.close()

        thread = threading.Thread(target=run, name="age-decrypt", daemon=True)
        reader = os.fdopen(read_end, "rb", buffering=256 * 1024)
        thread.start()
        problem = None
        try:
            yield reader
        except BaseException:
            stopped.set()
            reader.close()  # a writer blocked on a full pipe gets EPIPE and stops
            thread.join()
            problem = _age_problem(failure[0]) if failure else None
            if problem is None:
                raise
        else:
            # The reader stopped at the end of the archive or chose to stop early (a bundle
            # already imported); a failure that came before the end of the data is recorded already.
            stopped.set()
            reader.close()
            thread.join()
            if failure:
                problem = _age_problem(failure[0])
        if problem is not None:
            raise problem


def _age_problem(error: BaseException) -> AgeProblem | None:
    if isinstance(error, BrokenPipeError):
        return None
    text = str(error)
    if isinstance(error, pyrage.DecryptError) and "No matching keys" in text:
        return AgeProblem(_("it is not addressed to this site (none of its keys is this site's)"))
    if isinstance(error, pyrage.DecryptError):
        return AgeProblem(_("its encryption header is damaged"))
    return AgeProblem(_("it is damaged or was altered (its encrypted data does not check out)"))
