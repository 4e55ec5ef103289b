"""Errors a user or a file can cause. Each carries a one-line, translated message for the user."""


class FieldappError(Exception):
    """Base of every expected failure. `str(error)` is the message shown to the user."""


class VaultError(FieldappError):
    """The vault cannot be opened or changed: wrong passphrase, missing slot, damaged file."""


class WrongPassphrase(VaultError):
    pass


class VaultBusy(VaultError):
    """Another running instance holds the vault."""


class ValidationError(FieldappError):
    """A record breaks a rule. `problems` maps a field name to its message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.problems.items()))


class ImportFileError(FieldappError):
    """A file given to an importer is not what it should be."""


class NotFound(FieldappError):
    pass


def shown_value(value) -> str:
    """A refused value as quoted in a message: one short line, whatever was typed or received."""
    text = "".join(c if c.isprintable() else " " for c in str(value))
    return text if len(text) <= 40 else text[:39] + "…"
