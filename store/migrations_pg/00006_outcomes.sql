-- Outcomes: what hh says became of each application. The negotiation sync
-- records hh's applicant state id as hh sends it (response, invitation,
-- discard, hidden, …), whether the employer viewed it and hh's updated_at;
-- outcome_seen_at is when Otklik first saw the current outcome (the daily
-- summary's "new invitations"), invitation_announced_at when a person was
-- told of the invitation (set before the mail goes, so it goes once).
-- negotiation_syncs keeps each account's high-water mark: the newest
-- updated_at a sync has read, where the next sync stops paging.
-- outside_negotiations counts applications made on hh by hand: their ids
-- only, never ledger rows.

-- +goose Up
ALTER TABLE applications ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN outcome_at TIMESTAMPTZ;
ALTER TABLE applications ADD COLUMN viewed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE applications ADD COLUMN outcome_seen_at TIMESTAMPTZ;
ALTER TABLE applications ADD COLUMN invitation_announced_at TIMESTAMPTZ;
CREATE INDEX applications_outcome ON applications (user_id, outcome, outcome_at);
CREATE TABLE negotiation_syncs (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hh_user_id   TEXT NOT NULL DEFAULT '', -- the hh person the mark belongs to
    high_water   TIMESTAMPTZ,
    synced_at    TIMESTAMPTZ,
    hh_requests  INTEGER NOT NULL DEFAULT 0, -- of the last sync
    matched      INTEGER NOT NULL DEFAULT 0  -- ledger rows the last sync changed
);
CREATE TABLE outside_negotiations (
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    negotiation_id TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL, -- hh's created_at
    PRIMARY KEY (user_id, negotiation_id)
);
ALTER TABLE rules ADD COLUMN skip_discarded_employers BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE rules DROP COLUMN skip_discarded_employers;
DROP TABLE outside_negotiations;
DROP TABLE negotiation_syncs;
DROP INDEX applications_outcome;
ALTER TABLE applications DROP COLUMN invitation_announced_at;
ALTER TABLE applications DROP COLUMN outcome_seen_at;
ALTER TABLE applications DROP COLUMN viewed;
ALTER TABLE applications DROP COLUMN outcome_at;
ALTER TABLE applications DROP COLUMN outcome;
