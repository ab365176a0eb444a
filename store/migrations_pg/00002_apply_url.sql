-- The ledger keeps hh's response page of a vacancy (apply_alternate_url):
-- where the person takes an employer's test. Rows written before stay '',
-- and the review queue falls back to the vacancy page for them.

-- +goose Up
ALTER TABLE applications ADD COLUMN apply_url TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE applications DROP COLUMN apply_url;
