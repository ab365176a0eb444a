-- AI (optional, AI_BASE_URL): each user's model tokens per day, counted
-- against AI_DAILY_TOKENS by an atomic conditional UPDATE so the cap holds
-- across workers; the rule's AI options; the model's verdicts per rule and
-- vacancy, so a rerun never asks again.

-- +goose Up
CREATE TABLE ai_usage (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     TEXT NOT NULL, -- YYYY-MM-DD, UTC
    tokens  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);

ALTER TABLE rules ADD COLUMN letter_source TEXT NOT NULL DEFAULT 'template'; -- template | ai
ALTER TABLE rules ADD COLUMN ai_screen BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rules ADD COLUMN ai_criteria TEXT NOT NULL DEFAULT '';

CREATE TABLE ai_verdicts (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rule_id    BIGINT NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    vacancy_id TEXT NOT NULL,
    matched    BOOLEAN NOT NULL,
    reason     TEXT NOT NULL DEFAULT '', -- the model's one line
    decided_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (rule_id, vacancy_id)
);

-- Vacancies the model could not judge yet (error, timeout, garbage): a
-- later run asks again, and after a day the rule's own filters decide.
CREATE TABLE ai_pending (
    rule_id         BIGINT NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    vacancy_id      TEXT NOT NULL,
    first_failed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (rule_id, vacancy_id)
);

-- Who wrote a row's letter: '' the template, 'ai' the model,
-- 'template_fallback' the template because the model's letter failed.
ALTER TABLE applications ADD COLUMN letter_by TEXT NOT NULL DEFAULT '';

-- +goose Down
DROP TABLE ai_pending;
ALTER TABLE applications DROP COLUMN letter_by;
DROP TABLE ai_verdicts;
ALTER TABLE rules DROP COLUMN ai_criteria;
ALTER TABLE rules DROP COLUMN ai_screen;
ALTER TABLE rules DROP COLUMN letter_source;
DROP TABLE ai_usage;
