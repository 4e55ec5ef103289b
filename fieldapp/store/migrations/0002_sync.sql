-- Sync (docs/DESIGN.md 6): this site's keys, the sites it exchanges bundles with, the bundles sent and
-- received, and the versions of other sites that lost a merge (conflicts to review).
-- The site's keys are made by fieldapp.sync.site on first use (Python's `secrets`, not SQLite's
-- randomblob, whose generator is not a cryptographic one on every platform).

CREATE TABLE sync_identity (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    signing_seed TEXT NOT NULL,  -- Ed25519 private key seed, hex
    age_identity TEXT NOT NULL,  -- AGE-SECRET-KEY-1…
    created_at   TEXT NOT NULL
);

CREATE TABLE sync_peers (
    site_id       TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    office_code   TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    signing_key   TEXT NOT NULL,  -- Ed25519 public key, hex
    age_recipient TEXT NOT NULL,  -- age1…
    enrolled_at   TEXT NOT NULL,
    enrolled_by   TEXT NOT NULL
);

-- `seq` counts per recipient; `watermark` is the greatest clock stamp the bundle covered, so the
-- next bundle to that site carries only what changed after it.
CREATE TABLE sync_sent (
    bundle_id  TEXT PRIMARY KEY,
    peer_site  TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    file_name  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    full       INTEGER NOT NULL,
    watermark  TEXT NOT NULL,
    counts     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sync_sent_peer ON sync_sent(peer_site, seq);

CREATE TABLE sync_received (
    bundle_id   TEXT PRIMARY KEY,
    sender_site TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    full        INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    summary     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sync_received_sender ON sync_received(sender_site, seq);

-- Referrals already sent to a peer: if their consent to reporting is withdrawn, the next bundle
-- to that peer carries a redacted tombstone instead of leaving the old version there
-- (`withdrawn` = 1 once it did).
CREATE TABLE sync_shared (
    peer_site TEXT NOT NULL,
    record_id TEXT NOT NULL,
    withdrawn INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (peer_site, record_id)
) WITHOUT ROWID;

-- For each record, the newest version seen from every site other than the current winner's
-- (docs/DESIGN.md 6.3). `differs` marks a version whose content differs from the winner: a conflict.
CREATE TABLE sync_conflicts (
    seq         INTEGER PRIMARY KEY,
    record_type TEXT NOT NULL,  -- table name
    record_id   TEXT NOT NULL,  -- id, or P-code for places
    site        TEXT NOT NULL,  -- site that wrote this version (from its clock stamp)
    hlc         TEXT NOT NULL,
    version     TEXT NOT NULL,  -- JSON of the row
    differs     INTEGER NOT NULL,
    detected_at TEXT NOT NULL,
    bundle_id   TEXT NOT NULL DEFAULT '',
    resolution  TEXT NOT NULL DEFAULT '',  -- '', 'kept', 'restored'
    resolved_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    UNIQUE (record_type, record_id, site)
);
CREATE INDEX sync_conflicts_open ON sync_conflicts(differs, resolution);
