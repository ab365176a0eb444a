-- Otklik's first schema. Times are UTC TIMESTAMP values written by the store;
-- lists inside rules are JSON text. DDL is SQLite's; queries stay portable.

-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    language      TEXT NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en')),
    time_zone     TEXT NOT NULL DEFAULT 'Europe/Moscow',
    summary_hour  INTEGER NOT NULL DEFAULT 20 CHECK (summary_hour BETWEEN 0 AND 23),
    summary_email TEXT,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL
);
-- The store lowercases e-mail before every write and lookup.
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY, -- hex SHA-256 of the cookie's token
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    oauth_state TEXT,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    last_seen   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE hh_accounts (
    user_id           INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hh_user_id        TEXT NOT NULL DEFAULT '',
    first_name        TEXT NOT NULL DEFAULT '',
    last_name         TEXT NOT NULL DEFAULT '',
    access_token_enc  TEXT NOT NULL,
    refresh_token_enc TEXT NOT NULL,
    key_version       INTEGER NOT NULL,
    expires_at        TIMESTAMP NOT NULL,
    token_generation  INTEGER NOT NULL DEFAULT 1,
    state             TEXT NOT NULL DEFAULT 'connected'
                      CHECK (state IN ('connected', 'reconnect', 'captcha', 'limited')),
    captcha_url       TEXT NOT NULL DEFAULT '',
    limited_until     TIMESTAMP,
    state_message     TEXT NOT NULL DEFAULT '',
    connected_at      TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX hh_accounts_expires ON hh_accounts (expires_at);

CREATE TABLE resumes (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    resume_id     TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT '',
    published     BOOLEAN NOT NULL DEFAULT FALSE,
    alternate_url TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMP,
    synced_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, resume_id)
);

CREATE TABLE rules (
    id                     INTEGER PRIMARY KEY,
    user_id                INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    resume_id              TEXT NOT NULL,
    text                   TEXT NOT NULL DEFAULT '',
    areas                  TEXT NOT NULL DEFAULT '[]',
    salary                 INTEGER NOT NULL DEFAULT 0,
    currency               TEXT NOT NULL DEFAULT '',
    only_with_salary       BOOLEAN NOT NULL DEFAULT FALSE,
    experience             TEXT NOT NULL DEFAULT '[]',
    employment             TEXT NOT NULL DEFAULT '[]',
    schedule               TEXT NOT NULL DEFAULT '[]',
    professional_roles     TEXT NOT NULL DEFAULT '[]',
    excluded_employer_ids  TEXT NOT NULL DEFAULT '[]',
    exclude_words          TEXT NOT NULL DEFAULT '[]',
    mode                   TEXT NOT NULL DEFAULT 'letters',
    letter_template        TEXT NOT NULL DEFAULT '',
    daily_limit            INTEGER NOT NULL,
    every_hours            INTEGER NOT NULL,
    active_from            TEXT NOT NULL DEFAULT '',
    active_to              TEXT NOT NULL DEFAULT '',
    enabled                BOOLEAN NOT NULL DEFAULT TRUE,
    next_run_at            TIMESTAMP NOT NULL,
    last_run_at            TIMESTAMP,
    last_completed_run_at  TIMESTAMP,
    last_full_pass_at      TIMESTAMP,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX rules_user ON rules (user_id);
CREATE INDEX rules_due ON rules (enabled, next_run_at);

CREATE TABLE applications (
    id                       INTEGER PRIMARY KEY,
    user_id                  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rule_id                  INTEGER REFERENCES rules (id) ON DELETE SET NULL,
    resume_id                TEXT NOT NULL,
    vacancy_id               TEXT NOT NULL,
    vacancy_name             TEXT NOT NULL DEFAULT '',
    employer_name            TEXT NOT NULL DEFAULT '',
    employer_id              TEXT NOT NULL DEFAULT '',
    salary_text              TEXT NOT NULL DEFAULT '',
    area_name                TEXT NOT NULL DEFAULT '',
    vacancy_url              TEXT NOT NULL DEFAULT '',
    response_letter_required BOOLEAN NOT NULL DEFAULT FALSE,
    has_test                 BOOLEAN NOT NULL DEFAULT FALSE,
    external_url             TEXT NOT NULL DEFAULT '',
    status                   TEXT NOT NULL
                             CHECK (status IN ('queued', 'applied', 'review', 'skipped', 'failed', 'external')),
    reason                   TEXT NOT NULL DEFAULT '',
    message                  TEXT NOT NULL DEFAULT '',
    letter                   TEXT NOT NULL DEFAULT '',
    negotiation_id           TEXT NOT NULL DEFAULT '',
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL,
    applied_at               TIMESTAMP,
    UNIQUE (user_id, resume_id, vacancy_id)
);
CREATE INDEX applications_user_status ON applications (user_id, status);
CREATE INDEX applications_user_created ON applications (user_id, created_at);
CREATE INDEX applications_user_applied ON applications (user_id, applied_at);
CREATE INDEX applications_rule ON applications (rule_id);

CREATE TABLE rule_runs (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rule_id     INTEGER NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    found       INTEGER NOT NULL DEFAULT 0,
    applied     INTEGER NOT NULL DEFAULT 0,
    review      INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    queued      INTEGER NOT NULL DEFAULT 0,
    hh_requests INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX rule_runs_rule ON rule_runs (user_id, rule_id, started_at);

CREATE TABLE summaries (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day        TEXT NOT NULL, -- the user's local date, YYYY-MM-DD
    content    TEXT NOT NULL DEFAULT '{}',
    text_body  TEXT NOT NULL DEFAULT '',
    html_body  TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    emailed_at TIMESTAMP,
    UNIQUE (user_id, day)
);

-- +goose Down
DROP TABLE summaries;
DROP TABLE rule_runs;
DROP TABLE applications;
DROP TABLE rules;
DROP TABLE resumes;
DROP TABLE hh_accounts;
DROP TABLE sessions;
DROP TABLE users;
