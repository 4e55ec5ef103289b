-- Spreadsheet imports (docs/DESIGN.md 9): which source row became which record, so importing the
-- same file again changes nothing and a corrected row updates the record it made.
CREATE TABLE import_keys (
    kind TEXT NOT NULL,          -- providers, alerts, trainings, referrals
    source_key TEXT NOT NULL,    -- a chosen id column, Kobo's _uuid, or a hash of the row
    record_id TEXT NOT NULL,
    row_hash TEXT NOT NULL,      -- SHA-256 of the row's mapped cells: unchanged when equal
    source TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL,
    PRIMARY KEY (kind, source_key)
) WITHOUT ROWID;
CREATE INDEX import_keys_record ON import_keys (record_id);
