"""Shared by the hostile-input tests: how many examples to run, a guard against hangs, what a
clear error is, and byte-level mutations of a valid file.

CI runs a bounded number of examples per test; FIELDAPP_FUZZ=N runs N per test instead (for
example FIELDAPP_FUZZ=20000 for a long fuzzing session), with no deadline on the whole run.
"""

from __future__ import annotations

import contextlib
import os
import signal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fieldapp.errors import FieldappError

FUZZ = int(os.environ.get("FIELDAPP_FUZZ", "0") or 0)
HANG_SECONDS = 20.0  # far above any one example's cost; reaching it means a hang


def fuzz_settings(ci_examples: int):
    """Settings for one property test: `ci_examples` in CI, FIELDAPP_FUZZ examples when set."""
    return settings(max_examples=FUZZ or ci_examples, deadline=None, derandomize=not FUZZ,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example],
                    database=None)


class Hang(AssertionError):
    pass


@contextlib.contextmanager
def no_hang(seconds: float = HANG_SECONDS):
    """Fail instead of waiting forever: SIGALRM interrupts the main thread after `seconds`."""

    def expired(_signum, _frame):
        raise Hang(f"no answer after {seconds} s: the input made the reader hang")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_clear_error(error: BaseException, *expected: type[FieldappError]) -> None:
    """What a user may see: one of the app's own errors, with a one-line, non-empty message."""
    assert isinstance(error, expected or (FieldappError,)), f"{type(error).__name__}: {error}"
    message = str(error)
    assert message.strip(), f"{type(error).__name__} with an empty message"
    assert "\n" not in message and "\r" not in message, f"message on several lines: {message!r}"
    assert "Traceback" not in message, message


# -- mutations of a valid file -----------------------------------------------------------------
@st.composite
def mutated(draw, original: bytes, interesting: bytes = b"\x00\n\r,;\"'\t\xff") -> bytes:
    """`original` with a few random edits: flipped bits, overwritten, inserted or deleted runs,
    a truncation, a duplicated or swapped block. Never the original itself."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            data += draw(st.binary(min_size=1, max_size=8))
            continue
        position = draw(st.integers(0, len(data) - 1))
        edit = draw(st.sampled_from(["flip", "overwrite", "insert", "delete", "truncate", "duplicate",
                                     "swap", "interesting"]))
        if edit == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif edit == "overwrite":
            run = draw(st.binary(min_size=1, max_size=16))
            data[position:position + len(run)] = run
        elif edit == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=64))
        elif edit == "delete":
            del data[position:position + draw(st.integers(1, 64))]
        elif edit == "truncate":
            del data[position:]
        elif edit == "duplicate":
            end = min(len(data), position + draw(st.integers(1, 512)))
            data[end:end] = data[position:end]
        elif edit == "swap":
            other = draw(st.integers(0, len(data) - 1))
            size = draw(st.integers(1, 64))
            first, second = bytes(data[position:position + size]), bytes(data[other:other + size])
            data[position:position + len(first)] = second[:len(first)].ljust(len(first), b"\0")
        else:
            data[position:position] = bytes([draw(st.sampled_from(list(interesting)))])
    result = bytes(data)
    if result == original:
        result = original + b"\0"
    return result
