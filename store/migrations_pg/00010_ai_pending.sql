-- A vacancy the model could not judge or write for (timeout, error, garbage)
-- is no longer left for a later run: its ledger row is written at once,
-- queued with the reason ai_unavailable, and the pending AI step is kept
-- here with what the model needs, so the apply task retries it with backoff
-- and, after a day, falls back (no screening, or the template's letter).
-- applications.ai_note keeps what became of the AI for a row (cap_spent,
-- gave_up, rejected, unavailable) so history can say so.
-- resume_details caches GET /resumes/{id} (skills, experience) for letters.

-- +goose Up
DROP TABLE ai_pending;
CREATE TABLE ai_pending (
    application_id  BIGINT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    step            TEXT NOT NULL,             -- screen | letter
    then_status     TEXT NOT NULL,             -- what the row becomes once the step is done
    then_reason     TEXT NOT NULL DEFAULT '',
    vacancy         TEXT NOT NULL DEFAULT '',  -- JSON: what the model is told of the vacancy
    first_failed_at TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ai_pending_user ON ai_pending (user_id);

ALTER TABLE applications ADD COLUMN ai_note TEXT NOT NULL DEFAULT '';

CREATE TABLE resume_details (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    resume_id  TEXT NOT NULL,
    skills     TEXT NOT NULL DEFAULT '',
    experience TEXT NOT NULL DEFAULT '',
    fetched_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, resume_id)
);

-- +goose Down
DROP TABLE resume_details;
ALTER TABLE applications DROP COLUMN ai_note;
DROP TABLE ai_pending;
CREATE TABLE ai_pending (
    rule_id         BIGINT NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    vacancy_id      TEXT NOT NULL,
    first_failed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (rule_id, vacancy_id)
);
