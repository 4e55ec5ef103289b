-- MARA (docs/DESIGN.md 2.5, 2.6): CRSV incidents, parties to conflict, their commitments and the
-- commitments' items, all synced; incident links to referrals and alerts, which never leave the
-- vault; junction tables kept by triggers so filters and the quarterly report by violation type
-- and by party read an index rather than parse JSON in every row.

CREATE TABLE incidents (
    seq                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    hlc                  TEXT NOT NULL,
    origin_site          TEXT NOT NULL,
    deleted              INTEGER NOT NULL DEFAULT 0,
    created_by           TEXT NOT NULL DEFAULT '',
    incident_code        TEXT NOT NULL,
    occurred_on          TEXT,
    occurred_precision   TEXT NOT NULL DEFAULT 'exact',
    occurred_until       TEXT,
    learned_on           TEXT,
    location_pcode       TEXT NOT NULL DEFAULT '',
    locality             TEXT NOT NULL DEFAULT '',
    violation_types      TEXT NOT NULL DEFAULT '[]',
    contexts             TEXT NOT NULL DEFAULT '[]',
    victims_girls        INTEGER NOT NULL DEFAULT 0,
    victims_boys         INTEGER NOT NULL DEFAULT 0,
    victims_women        INTEGER NOT NULL DEFAULT 0,
    victims_men          INTEGER NOT NULL DEFAULT 0,
    victims_unknown      INTEGER NOT NULL DEFAULT 0,
    perpetrator_parties  TEXT NOT NULL DEFAULT '[]',
    perpetrator_count    INTEGER,
    sources              TEXT NOT NULL DEFAULT '[]',
    verification         TEXT NOT NULL DEFAULT 'reported',
    verification_history TEXT NOT NULL DEFAULT '[]',
    share_with_mara      INTEGER NOT NULL DEFAULT 1,
    share_reason         TEXT NOT NULL DEFAULT '',
    actions_taken        TEXT NOT NULL DEFAULT '',
    notes                TEXT NOT NULL DEFAULT ''
);
-- The period of an incident is the day it happened, or the day the office learned of it when
-- that is unknown: lists, filters and the report all use this one expression.
CREATE INDEX incidents_period ON incidents(deleted, coalesce(occurred_on, learned_on));
CREATE INDEX incidents_learned ON incidents(deleted, learned_on);
CREATE INDEX incidents_code ON incidents(deleted, incident_code);
CREATE INDEX incidents_verification ON incidents(deleted, verification, learned_on);
CREATE INDEX incidents_place ON incidents(deleted, location_pcode, coalesce(occurred_on, learned_on));
CREATE INDEX incidents_report ON incidents(deleted, share_with_mara, coalesce(occurred_on, learned_on));
CREATE INDEX incidents_hlc ON incidents(hlc);

CREATE TABLE incident_violations (
    violation    TEXT NOT NULL,
    incident_seq INTEGER NOT NULL,
    PRIMARY KEY (violation, incident_seq)
) WITHOUT ROWID;
CREATE INDEX incident_violations_incident ON incident_violations(incident_seq);
CREATE TRIGGER incident_violations_ai AFTER INSERT ON incidents BEGIN
    INSERT OR IGNORE INTO incident_violations (violation, incident_seq)
    SELECT value, new.seq FROM json_each(new.violation_types);
END;
CREATE TRIGGER incident_violations_au AFTER UPDATE OF violation_types ON incidents BEGIN
    DELETE FROM incident_violations WHERE incident_seq = old.seq;
    INSERT OR IGNORE INTO incident_violations (violation, incident_seq)
    SELECT value, new.seq FROM json_each(new.violation_types);
END;
CREATE TRIGGER incident_violations_ad AFTER DELETE ON incidents BEGIN
    DELETE FROM incident_violations WHERE incident_seq = old.seq;
END;

CREATE TABLE incident_parties (
    party_id     TEXT NOT NULL,  -- a party's id, or 'unidentified'
    incident_seq INTEGER NOT NULL,
    PRIMARY KEY (party_id, incident_seq)
) WITHOUT ROWID;
CREATE INDEX incident_parties_incident ON incident_parties(incident_seq);
CREATE TRIGGER incident_parties_ai AFTER INSERT ON incidents BEGIN
    INSERT OR IGNORE INTO incident_parties (party_id, incident_seq)
    SELECT value, new.seq FROM json_each(new.perpetrator_parties);
END;
CREATE TRIGGER incident_parties_au AFTER UPDATE OF perpetrator_parties ON incidents BEGIN
    DELETE FROM incident_parties WHERE incident_seq = old.seq;
    INSERT OR IGNORE INTO incident_parties (party_id, incident_seq)
    SELECT value, new.seq FROM json_each(new.perpetrator_parties);
END;
CREATE TRIGGER incident_parties_ad AFTER DELETE ON incidents BEGIN
    DELETE FROM incident_parties WHERE incident_seq = old.seq;
END;

-- Links to the office's referrals and alerts: inside the vault only, never in a bundle or export.
CREATE TABLE incident_links (
    incident_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('referral', 'alert')),
    target_id   TEXT NOT NULL,
    PRIMARY KEY (incident_id, kind, target_id)
) WITHOUT ROWID;
CREATE INDEX incident_links_target ON incident_links(kind, target_id);

CREATE VIRTUAL TABLE incidents_fts USING fts5(
    incident_code, locality, actions_taken,
    content='incidents', content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER incidents_fts_ai AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_fts(rowid, incident_code, locality, actions_taken)
    VALUES (new.seq, new.incident_code, new.locality, new.actions_taken);
END;
CREATE TRIGGER incidents_fts_ad AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, incident_code, locality, actions_taken)
    VALUES ('delete', old.seq, old.incident_code, old.locality, old.actions_taken);
END;
CREATE TRIGGER incidents_fts_au AFTER UPDATE OF incident_code, locality, actions_taken ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, incident_code, locality, actions_taken)
    VALUES ('delete', old.seq, old.incident_code, old.locality, old.actions_taken);
    INSERT INTO incidents_fts(rowid, incident_code, locality, actions_taken)
    VALUES (new.seq, new.incident_code, new.locality, new.actions_taken);
END;

CREATE TABLE parties (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    origin_site  TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    short_name   TEXT NOT NULL DEFAULT '',
    party_type   TEXT NOT NULL,
    listed_since INTEGER,
    notes        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX parties_name ON parties(deleted, name);
CREATE INDEX parties_hlc ON parties(hlc);

CREATE VIRTUAL TABLE parties_fts USING fts5(
    name, short_name,
    content='parties', content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3');
CREATE TRIGGER parties_fts_ai AFTER INSERT ON parties BEGIN
    INSERT INTO parties_fts(rowid, name, short_name) VALUES (new.seq, new.name, new.short_name);
END;
CREATE TRIGGER parties_fts_ad AFTER DELETE ON parties BEGIN
    INSERT INTO parties_fts(parties_fts, rowid, name, short_name) VALUES ('delete', old.seq, old.name, old.short_name);
END;
CREATE TRIGGER parties_fts_au AFTER UPDATE OF name, short_name ON parties BEGIN
    INSERT INTO parties_fts(parties_fts, rowid, name, short_name) VALUES ('delete', old.seq, old.name, old.short_name);
    INSERT INTO parties_fts(rowid, name, short_name) VALUES (new.seq, new.name, new.short_name);
END;

CREATE TABLE commitments (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    origin_site TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL DEFAULT '',
    party_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    signed_on   TEXT,
    notes       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX commitments_party ON commitments(party_id, deleted);
CREATE INDEX commitments_signed ON commitments(deleted, signed_on);
CREATE INDEX commitments_hlc ON commitments(hlc);

CREATE TABLE commitment_items (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    hlc           TEXT NOT NULL,
    origin_site   TEXT NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL DEFAULT '',
    commitment_id TEXT NOT NULL,
    description   TEXT NOT NULL,
    due_on        TEXT,
    status        TEXT NOT NULL DEFAULT 'not_started',
    evidence      TEXT NOT NULL DEFAULT '',
    reviewed_on   TEXT
);
CREATE INDEX commitment_items_commitment ON commitment_items(commitment_id, deleted);
CREATE INDEX commitment_items_due ON commitment_items(deleted, status, due_on);
CREATE INDEX commitment_items_hlc ON commitment_items(hlc);
