-- Runs account for what they did: each ledger row names the run that decided
-- it (NULL for rows decided before, or outside a run), a run counts the
-- applications' POSTs it caused beside its own searches, and whether a
-- person started it. vacancy_tests caches, per vacancy, whether the
-- employer's test is required (GET /vacancies/{id}, test.required): it is the
-- same for every user, so one request serves the whole instance.

-- +goose Up
ALTER TABLE applications ADD COLUMN run_id BIGINT REFERENCES rule_runs (id) ON DELETE SET NULL;
CREATE INDEX applications_run ON applications (run_id);
ALTER TABLE rule_runs ADD COLUMN apply_requests INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rule_runs ADD COLUMN manual BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE vacancy_tests (
    vacancy_id TEXT PRIMARY KEY,
    required   BOOLEAN NOT NULL,
    checked_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE vacancy_tests;
ALTER TABLE rule_runs DROP COLUMN manual;
ALTER TABLE rule_runs DROP COLUMN apply_requests;
DROP INDEX applications_run;
ALTER TABLE applications DROP COLUMN run_id;
