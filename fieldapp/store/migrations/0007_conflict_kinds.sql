-- One name for a record kind (issue 14): the conflicts table names a record by its kind, as the
-- audit log does ("service", not "referral_services"); domain/synced.py maps kinds to tables.
UPDATE sync_conflicts SET record_type = CASE record_type
    WHEN 'referrals' THEN 'referral'
    WHEN 'referral_services' THEN 'service'
    WHEN 'alerts' THEN 'alert'
    WHEN 'trainings' THEN 'training'
    WHEN 'providers' THEN 'provider'
    WHEN 'places' THEN 'place'
    WHEN 'incidents' THEN 'incident'
    WHEN 'parties' THEN 'party'
    WHEN 'commitments' THEN 'commitment'
    WHEN 'commitment_items' THEN 'commitment_item'
    ELSE record_type END;
