"""Failed passphrases: one counter for every way in (unlock screen, command line, passwd).

The counter is `keys/attempts.json`, beside the key slots. Each try is counted *before* its key
derivation and cleared by a success, so killing the program during the derivation, or making the
folder read-only, does not give free tries. Once a vault has hidden slot names (store/slots.py),
this file must be there: deleting it makes the vault refuse passphrases until someone opens it with
the recovery key. The file also holds the quick-delete option (delete after N failed unlocks),
which the locked app must be able to read.

What this cannot stop: whoever can edit the disk can write a zero into the file, or copy a slot
and guess offline with `age` at the pace scrypt allows (about 2 s per guess on a field laptop).
The total of failures ever is compared at each unlock with the count the encrypted database saw
last, so a counter set back is reported in the audit log.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from fieldapp.errors import VaultError
from fieldapp.fileio import atomic_write
from fieldapp.i18n import _, ngettext
from fieldapp.store.slots import has_hidden_slots
from fieldapp.store.meta import get_meta, set_meta

ATTEMPTS_NAME = "attempts.json"
LEGACY_ATTEMPTS = "unlock-attempts.json"  # in the vault folder, before the counter moved to keys/
FREE_ATTEMPTS = 5
FIRST_WAIT, MAX_WAIT = 15.0, 900.0
META_FAILURES_SEEN = "unlock_failures_seen"


class UnlockThrottled(VaultError):
    def __init__(self, seconds: float):
        self.seconds = seconds
        whole = int(seconds + 0.999)
        super().__init__(ngettext("Too many wrong passphrases. Wait {n} second before the next try.",
                                  "Too many wrong passphrases. Wait {n} seconds before the next try.",
                                  whole).format(n=whole))


class CounterMissing(VaultError):
    pass


@dataclass
class Attempts:
    failures: int = 0  # in a row, since the last success
    last_failure: float = 0.0  # wall clock of the last counted try
    total: int = 0  # failures ever; never goes down
    delete_after: int = 0  # quick delete after this many failures in a row; 0 = never


def wait_after(failures: int) -> float:
    """After FREE_ATTEMPTS failures the wait starts at 15 s and doubles, up to 15 minutes."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_WAIT, FIRST_WAIT * 2 ** (failures - FREE_ATTEMPTS))


class AttemptCounter:
    def __init__(self, vault_path: Path | str):
        self.vault_path = Path(vault_path)
        self.path = self.vault_path / "keys" / ATTEMPTS_NAME
        self.legacy_path = self.vault_path / LEGACY_ATTEMPTS

    # -- reading -------------------------------------------------------------------------------
    def required(self) -> bool:
        return has_hidden_slots(self.path.parent)

    def read(self) -> Attempts:
        """The counter as stored; raises CounterMissing when a vault that must have it has not."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Attempts(max(0, int(data["failures"])), float(data["last_failure"]),
                            max(0, int(data.get("total", 0))), max(0, int(data.get("delete_after", 0))))
        except FileNotFoundError:
            if self.required():
                raise CounterMissing(_("The file that counts failed unlocks ({file}) is missing or was "
                                       "replaced: someone may have tried to guess passphrases. Open the vault "
                                       "with the recovery key (Forgot passphrase?); that makes a new one.").format(
                    file=f"keys/{ATTEMPTS_NAME}")) from None
            return self._legacy()
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            raise CounterMissing(_("The file that counts failed unlocks ({file}) is damaged: someone may have "
                                   "tried to guess passphrases. Open the vault with the recovery key (Forgot "
                                   "passphrase?); that makes a new one.").format(file=f"keys/{ATTEMPTS_NAME}")) from None

    def _legacy(self) -> Attempts:
        try:
            data = json.loads(self.legacy_path.read_text(encoding="utf-8"))
            failures = max(0, int(data.get("failures", 0)))
            return Attempts(failures, float(data.get("last_failure", 0.0)), failures)
        except (OSError, ValueError, TypeError, AttributeError):
            return Attempts()

    def lost(self) -> bool:
        """Whether the counter this vault must have is missing or damaged."""
        try:
            self.read()
        except CounterMissing:
            return True
        return False

    def peek(self) -> Attempts:
        """For display: the counter, or an empty one when it cannot be read (unlocking says why)."""
        try:
            return self.read()
        except CounterMissing:
            return Attempts()

    @property
    def failures(self) -> int:
        return self.peek().failures

    def seconds_to_wait(self) -> float:
        """A clock moved backwards never makes the wait longer than its full length."""
        state = self.peek()
        full = wait_after(state.failures)
        if not full:
            return 0.0
        return max(0.0, min(full, full - (time.time() - state.last_failure)))

    # -- counting ------------------------------------------------------------------------------
    def begin_attempt(self) -> Attempts:
        """Count a try before deriving its key; refuses while the wait is not over."""
        state = self.read()
        wait = self.seconds_to_wait()
        if wait > 0:
            raise UnlockThrottled(wait)
        state.failures += 1
        state.total += 1
        state.last_failure = time.time()
        self._write(state)
        return state

    def failed(self) -> Attempts:
        """The counted try was wrong: the wait runs from now, once the derivation is over."""
        state = self.peek()
        state.last_failure = time.time()
        self._write(state, quiet=True)
        return state

    def cancel_attempt(self) -> None:
        """The try ended for another reason than a wrong passphrase (unreadable slot, …)."""
        state = self.read()
        state.failures, state.total = max(0, state.failures - 1), max(0, state.total - 1)
        self._write(state, quiet=True)

    def succeeded(self, counted: bool = True) -> None:
        """A right passphrase (`counted`: its try was counted first) or the recovery key."""
        try:
            state = self.read()
        except CounterMissing:
            state = Attempts()  # opened with the recovery key: a new counter
            counted = False
        if counted and state.failures:
            state.total = max(0, state.total - 1)
        state.failures, state.last_failure = 0, 0.0
        self._write(state, quiet=True)

    def set_delete_after(self, failures: int) -> None:
        state = self.read()
        state.delete_after = max(0, int(failures))
        self._write(state)

    def _write(self, state: Attempts, quiet: bool = False) -> None:
        try:
            atomic_write(self.path, json.dumps(asdict(state), sort_keys=True).encode())
        except OSError as error:
            if quiet:
                return
            raise VaultError(_("Cannot count this try in {file} ({reason}); a passphrase is not tried in a "
                               "folder where failures cannot be counted.").format(
                file=f"keys/{ATTEMPTS_NAME}", reason=error.strerror)) from error
        try:
            os.unlink(self.legacy_path)
        except OSError:
            pass


def reconcile_failures(counter: AttemptCounter, connection) -> tuple[int, bool]:
    """(failures since the database last looked, whether the counter was set back), then remembers
    the total. Called in the transaction of an unlock."""
    total = counter.peek().total
    stored = get_meta(connection, META_FAILURES_SEEN)
    seen = int(stored) if stored is not None and str(stored).isdigit() else None
    if seen != total:  # an unlock after no failure leaves the database file as it was
        remember_failures_seen(connection, total)
    if seen is None:
        return 0, False
    if total < seen:
        return 0, True
    return total - seen, False


def remember_failures_seen(connection, total: int) -> None:
    set_meta(connection, META_FAILURES_SEEN, str(total))
