"""Data files (bundles) coming in, for both front ends: import several in turn, each in its own
transaction, and the lines that tell what each did (the Sync page and `fieldapp import-bundle`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from fieldapp.i18n import _, count_words, format_number, ngettext
from fieldapp.sync.bundle import TABLE_LABELS
from fieldapp.sync.importer import ImportResult, import_bundle
from fieldapp.sync.site import SyncError

STEPS_PER_FILE = 1000  # progress is reported over all the files, each counting the same


def counts_line(counts: dict[str, int]) -> str:
    """Records per synced table, as a data file's summary shows them: « Referrals: 1,530, Alerts: 12 »."""
    return ", ".join(_("{label}: {value}").format(label=_(TABLE_LABELS[table]), value=format_number(n))
                     for table, n in counts.items())


@dataclass
class FileImport:
    """One data file: what it changed, or why it was refused (then the vault is as it was)."""

    path: Path
    result: ImportResult | None = None
    error: SyncError | None = None

    def lines(self) -> list[str]:
        if self.error is not None:
            return [str(self.error)]
        result, lines = self.result, []
        if result.already_imported:
            lines.append(_("{file}: already imported (data file {seq} from {site}); nothing changed.").format(
                file=self.path.name, seq=result.seq, site=result.sender_name))
        else:
            lines.append(_("{file}: data file {seq} from {site} imported.").format(
                file=self.path.name, seq=result.seq, site=result.sender_name))
            for table, counts in result.counts.items():
                lines.append("    " + _("{label}: {value}").format(label=_(TABLE_LABELS[table]), value=count_words(
                    (ngettext("{n} new", "{n} new", counts["new"]), counts["new"]),
                    (ngettext("{n} updated", "{n} updated", counts["updated"]), counts["updated"]),
                    (ngettext("{n} unchanged", "{n} unchanged", counts["unchanged"]), counts["unchanged"]),
                    (ngettext("{n} conflict", "{n} conflicts", counts["conflicts"]), counts["conflicts"]))))
        if result.missing:
            lines.append("    " + result.gap_message())
        return lines


@dataclass
class ImportSummary:
    files: list[FileImport] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(item.error is not None for item in self.files)

    @property
    def changed_tables(self) -> set[str]:
        """The synced tables where something is new or updated: what the front ends refresh."""
        return {table for item in self.files if item.result is not None
                for table, counts in item.result.counts.items() if counts["new"] or counts["updated"]}

    def lines(self) -> list[str]:
        return [line for item in self.files for line in item.lines()]


def import_bundles(session, paths: Iterable[Path], progress: Callable[[int, int], None] | None = None,
                   is_cancelled: Callable[[], bool] | None = None,
                   on_file: Callable[[FileImport], None] | None = None) -> ImportSummary:
    """Verify and merge each file in turn; a refused one does not stop the others.

    `progress(done, total)` counts over all the files; `on_file` hears of each file once it is done.
    Cancelling stops before the next file; the file being merged is left out entirely (its
    SyncCancelled is raised)."""
    paths = [Path(path) for path in paths]
    summary = ImportSummary()
    for number, path in enumerate(paths):
        if is_cancelled is not None and is_cancelled():
            break

        def file_progress(done: int, total: int, number: int = number) -> None:
            if progress is not None:
                progress(number * STEPS_PER_FILE + (STEPS_PER_FILE * done // total if total else 0),
                         STEPS_PER_FILE * len(paths))

        try:
            item = FileImport(path, result=import_bundle(session, path, file_progress, is_cancelled))
        except SyncError as error:
            if is_cancelled is not None and is_cancelled():
                raise
            item = FileImport(path, error=error)
        summary.files.append(item)
        if on_file is not None:
            on_file(item)
    return summary
