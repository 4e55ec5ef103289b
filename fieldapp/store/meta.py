"""The vault's `meta` table: one text value per key (site id, clock, audit head, settings of the
vault). Read and written only through these two functions, inside the caller's transaction."""

from __future__ import annotations


def get_meta(connection, key: str) -> str | None:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(connection, key: str, value: str) -> None:
    connection.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
