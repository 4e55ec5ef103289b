-- Initial schema: the records of docs/DESIGN.md 2-4, the audit log and vault metadata.
-- Every synced table carries id/hlc/origin_site/deleted; `seq` is a stable integer rowid that
-- the full-text tables point at (a VACUUM may renumber implicit rowids, never an INTEGER PRIMARY KEY).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    settings   TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE places (
    pcode        TEXT PRIMARY KEY,
    level        INTEGER NOT NULL,
    name_en      TEXT NOT NULL DEFAULT '',
    name_fr      TEXT NOT NULL DEFAULT '',
    parent_pcode TEXT,
    valid_on     TEXT,
    updated_at   TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    origin_site  TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX places_parent ON places(parent_pcode);
CREATE INDEX places_level ON places(level);
CREATE INDEX places_hlc ON places(hlc);

CREATE TABLE referrals (
    seq                     INTEGER PRIMARY KEY,
    id                      TEXT NOT NULL UNIQUE,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    hlc                     TEXT NOT NULL,
    origin_site             TEXT NOT NULL,
    deleted                 INTEGER NOT NULL DEFAULT 0,
    created_by              TEXT NOT NULL DEFAULT '',
    survivor_code           TEXT NOT NULL,
    reported_at             TEXT,
    incident_date           TEXT,
    incident_date_precision TEXT NOT NULL DEFAULT 'exact',
    incident_type           TEXT NOT NULL,
    crsv                    INTEGER NOT NULL DEFAULT 0,
    sex                     TEXT NOT NULL,
    age_group               TEXT NOT NULL,
    displacement            TEXT NOT NULL,
    disability              TEXT NOT NULL,
    perpetrator_category    TEXT NOT NULL,
    perpetrator_count       INTEGER,
    location_pcode          TEXT NOT NULL DEFAULT '',
    locality                TEXT NOT NULL DEFAULT '',
    entry_point             TEXT NOT NULL,
    consent_referral        INTEGER NOT NULL DEFAULT 0,
    consent_reporting       INTEGER NOT NULL DEFAULT 0,
    consent_by              TEXT NOT NULL DEFAULT 'survivor',
    consent_at              TEXT,
    notes                   TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX referrals_reported ON referrals(deleted, reported_at);
CREATE INDEX referrals_incident ON referrals(deleted, incident_date);
CREATE INDEX referrals_code ON referrals(deleted, survivor_code);
CREATE INDEX referrals_type ON referrals(deleted, incident_type, reported_at);
CREATE INDEX referrals_status ON referrals(deleted, status, reported_at);
CREATE INDEX referrals_place ON referrals(deleted, location_pcode, reported_at);
CREATE INDEX referrals_hlc ON referrals(hlc);

CREATE TABLE referral_services (
    seq                     INTEGER PRIMARY KEY,
    id                      TEXT NOT NULL UNIQUE,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    hlc                     TEXT NOT NULL,
    origin_site             TEXT NOT NULL,
    deleted                 INTEGER NOT NULL DEFAULT 0,
    created_by              TEXT NOT NULL DEFAULT '',
    referral_id             TEXT NOT NULL,
    sector                  TEXT NOT NULL,
    provider_id             TEXT,
    provider_text           TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL DEFAULT 'pending',
    referred_at             TEXT,
    appointment_at          TEXT,
    responded_at            TEXT,
    completed_at            TEXT,
    follow_up_on            TEXT,
    outcome_notes           TEXT NOT NULL DEFAULT '',
    reason                  TEXT NOT NULL DEFAULT '',
    consent_override_reason TEXT NOT NULL DEFAULT '',
    status_history          TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX services_referral ON referral_services(referral_id);
CREATE INDEX services_sector ON referral_services(deleted, sector, status);
CREATE INDEX services_follow_up ON referral_services(deleted, follow_up_on);
CREATE INDEX services_provider ON referral_services(provider_id);
CREATE INDEX services_hlc ON referral_services(hlc);

CREATE TABLE alerts (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    hlc             TEXT NOT NULL,
    origin_site     TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL DEFAULT '',
    received_at     TEXT,
    channel         TEXT NOT NULL,
    source_category TEXT NOT NULL,
    source_code     TEXT NOT NULL DEFAULT '',
    location_pcode  TEXT NOT NULL DEFAULT '',
    locality        TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    threat_types    TEXT NOT NULL DEFAULT '[]',
    crsv_related    INTEGER NOT NULL DEFAULT 0,
    severity        TEXT NOT NULL,
    verification    TEXT NOT NULL,
    forwarded_to    TEXT NOT NULL DEFAULT '[]',
    forwarded_at    TEXT,
    response        TEXT NOT NULL DEFAULT '',
    responded_at    TEXT,
    status          TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX alerts_received ON alerts(deleted, received_at);
CREATE INDEX alerts_status ON alerts(deleted, status, received_at);
CREATE INDEX alerts_severity ON alerts(deleted, severity, received_at);
CREATE INDEX alerts_place ON alerts(deleted, location_pcode, received_at);
CREATE INDEX alerts_hlc ON alerts(hlc);

CREATE TABLE trainings (
    seq                      INTEGER PRIMARY KEY,
    id                       TEXT NOT NULL UNIQUE,
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL,
    hlc                      TEXT NOT NULL,
    origin_site              TEXT NOT NULL,
    deleted                  INTEGER NOT NULL DEFAULT 0,
    created_by               TEXT NOT NULL DEFAULT '',
    title                    TEXT NOT NULL,
    start_date               TEXT,
    end_date                 TEXT,
    location_pcode           TEXT NOT NULL DEFAULT '',
    venue                    TEXT NOT NULL DEFAULT '',
    audience                 TEXT NOT NULL,
    topics                   TEXT NOT NULL DEFAULT '[]',
    facilitators             TEXT NOT NULL DEFAULT '',
    participants_female      INTEGER NOT NULL DEFAULT 0,
    participants_male        INTEGER NOT NULL DEFAULT 0,
    participants_undisclosed INTEGER NOT NULL DEFAULT 0,
    training_of_trainers     INTEGER NOT NULL DEFAULT 0,
    pre_test_avg             REAL,
    post_test_avg            REAL,
    notes                    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX trainings_start ON trainings(deleted, start_date);
CREATE INDEX trainings_audience ON trainings(deleted, audience, start_date);
CREATE INDEX trainings_place ON trainings(deleted, location_pcode, start_date);
CREATE INDEX trainings_hlc ON trainings(hlc);

CREATE TABLE providers (
    seq               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    hlc               TEXT NOT NULL,
    origin_site       TEXT NOT NULL,
    deleted           INTEGER NOT NULL DEFAULT 0,
    created_by        TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL,
    sectors           TEXT NOT NULL DEFAULT '[]',
    location_pcode    TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    phones            TEXT NOT NULL DEFAULT '',
    opening_hours     TEXT NOT NULL DEFAULT '',
    focal_point       TEXT NOT NULL DEFAULT '',
    free_of_charge    INTEGER NOT NULL DEFAULT 1,
    languages         TEXT NOT NULL DEFAULT '',
    eligibility_notes TEXT NOT NULL DEFAULT '',
    last_verified     TEXT,
    active            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX providers_name ON providers(deleted, name);
CREATE INDEX providers_place ON providers(deleted, location_pcode);
CREATE INDEX providers_hlc ON providers(hlc);

-- Append-only, hash-chained: hash = SHA-256(prev_hash || canonical JSON of the entry).
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    user        TEXT NOT NULL,
    action      TEXT NOT NULL,
    record_type TEXT NOT NULL DEFAULT '',
    record_id   TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '{}',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- Full-text search. remove_diacritics lets "beni" find "Béni"; prefix indexes make
-- search-as-you-type cheap.
CREATE VIRTUAL TABLE referrals_fts USING fts5(
    survivor_code, locality, notes,
    content='referrals', content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER referrals_fts_ai AFTER INSERT ON referrals BEGIN
    INSERT INTO referrals_fts(rowid, survivor_code, locality, notes)
    VALUES (new.seq, new.survivor_code, new.locality, new.notes);
END;
CREATE TRIGGER referrals_fts_ad AFTER DELETE ON referrals BEGIN
    INSERT INTO referrals_fts(referrals_fts, rowid, survivor_code, locality, notes)
    VALUES ('delete', old.seq, old.survivor_code, old.locality, old.notes);
END;
CREATE TRIGGER referrals_fts_au AFTER UPDATE OF survivor_code, locality, notes ON referrals BEGIN
    INSERT INTO referrals_fts(referrals_fts, rowid, survivor_code, locality, notes)
    VALUES ('delete', old.seq, old.survivor_code, old.locality, old.notes);
    INSERT INTO referrals_fts(rowid, survivor_code, locality, notes)
    VALUES (new.seq, new.survivor_code, new.locality, new.notes);
END;

CREATE VIRTUAL TABLE alerts_fts USING fts5(
    source_code, locality, description, response,
    content='alerts', content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER alerts_fts_ai AFTER INSERT ON alerts BEGIN
    INSERT INTO alerts_fts(rowid, source_code, locality, description, response)
    VALUES (new.seq, new.source_code, new.locality, new.description, new.response);
END;
CREATE TRIGGER alerts_fts_ad AFTER DELETE ON alerts BEGIN
    INSERT INTO alerts_fts(alerts_fts, rowid, source_code, locality, description, response)
    VALUES ('delete', old.seq, old.source_code, old.locality, old.description, old.response);
END;
CREATE TRIGGER alerts_fts_au AFTER UPDATE OF source_code, locality, description, response ON alerts BEGIN
    INSERT INTO alerts_fts(alerts_fts, rowid, source_code, locality, description, response)
    VALUES ('delete', old.seq, old.source_code, old.locality, old.description, old.response);
    INSERT INTO alerts_fts(rowid, source_code, locality, description, response)
    VALUES (new.seq, new.source_code, new.locality, new.description, new.response);
END;

CREATE VIRTUAL TABLE trainings_fts USING fts5(
    title, venue, facilitators, notes,
    content='trainings', content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER trainings_fts_ai AFTER INSERT ON trainings BEGIN
    INSERT INTO trainings_fts(rowid, title, venue, facilitators, notes)
    VALUES (new.seq, new.title, new.venue, new.facilitators, new.notes);
END;
CREATE TRIGGER trainings_fts_ad AFTER DELETE ON trainings BEGIN
    INSERT INTO trainings_fts(trainings_fts, rowid, title, venue, facilitators, notes)
    VALUES ('delete', old.seq, old.title, old.venue, old.facilitators, old.notes);
END;
CREATE TRIGGER trainings_fts_au AFTER UPDATE OF title, venue, facilitators, notes ON trainings BEGIN
    INSERT INTO trainings_fts(trainings_fts, rowid, title, venue, facilitators, notes)
    VALUES ('delete', old.seq, old.title, old.venue, old.facilitators, old.notes);
    INSERT INTO trainings_fts(rowid, title, venue, facilitators, notes)
    VALUES (new.seq, new.title, new.venue, new.facilitators, new.notes);
END;

CREATE VIRTUAL TABLE providers_fts USING fts5(
    name, address, focal_point, eligibility_notes,
    content='providers', content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER providers_fts_ai AFTER INSERT ON providers BEGIN
    INSERT INTO providers_fts(rowid, name, address, focal_point, eligibility_notes)
    VALUES (new.seq, new.name, new.address, new.focal_point, new.eligibility_notes);
END;
CREATE TRIGGER providers_fts_ad AFTER DELETE ON providers BEGIN
    INSERT INTO providers_fts(providers_fts, rowid, name, address, focal_point, eligibility_notes)
    VALUES ('delete', old.seq, old.name, old.address, old.focal_point, old.eligibility_notes);
END;
CREATE TRIGGER providers_fts_au AFTER UPDATE OF name, address, focal_point, eligibility_notes ON providers BEGIN
    INSERT INTO providers_fts(providers_fts, rowid, name, address, focal_point, eligibility_notes)
    VALUES ('delete', old.seq, old.name, old.address, old.focal_point, old.eligibility_notes);
    INSERT INTO providers_fts(rowid, name, address, focal_point, eligibility_notes)
    VALUES (new.seq, new.name, new.address, new.focal_point, new.eligibility_notes);
END;

-- Place names are searched by the location picker at any level.
CREATE VIRTUAL TABLE places_fts USING fts5(
    pcode UNINDEXED, name_en, name_fr, tokenize='unicode61 remove_diacritics 2', prefix='1 2 3');
CREATE TRIGGER places_fts_ai AFTER INSERT ON places BEGIN
    INSERT INTO places_fts(pcode, name_en, name_fr) VALUES (new.pcode, new.name_en, new.name_fr);
END;
CREATE TRIGGER places_fts_ad AFTER DELETE ON places BEGIN
    DELETE FROM places_fts WHERE pcode = old.pcode;
END;
CREATE TRIGGER places_fts_au AFTER UPDATE OF name_en, name_fr ON places BEGIN
    DELETE FROM places_fts WHERE pcode = old.pcode;
    INSERT INTO places_fts(pcode, name_en, name_fr) VALUES (new.pcode, new.name_en, new.name_fr);
END;
