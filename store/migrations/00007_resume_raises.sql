-- Resumes raised to the top of hh's search (auto-raise): what hh says of
-- raising each cached resume, the person's per-resume switch with the
-- worker's schedule, and a log of raises (the /resumes page and the daily
-- summary read it). The switch lives apart from the cache, which is
-- replaced whole on every refresh from hh.

-- +goose Up
ALTER TABLE resumes ADD COLUMN can_publish BOOLEAN; -- hh's can_publish_or_update; NULL: hh did not say
ALTER TABLE resumes ADD COLUMN next_publish_at TIMESTAMP; -- hh's next_publish_at

CREATE TABLE resume_raises (
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    resume_id      TEXT NOT NULL,
    auto_raise     BOOLEAN NOT NULL DEFAULT FALSE,
    due_at         TIMESTAMP, -- when the worker raises it next; NULL: off or blocked
    blocked_at     TIMESTAMP, -- hh refused to publish it (400); cleared when the person toggles
    blocked_reason TEXT NOT NULL DEFAULT '', -- hh's words
    last_raised_at TIMESTAMP,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, resume_id)
);
CREATE INDEX resume_raises_due ON resume_raises (due_at) WHERE auto_raise = TRUE AND blocked_at IS NULL;

CREATE TABLE resume_raise_log (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    resume_id TEXT NOT NULL,
    raised_at TIMESTAMP NOT NULL
);
CREATE INDEX resume_raise_log_user ON resume_raise_log (user_id, raised_at);

-- +goose Down
DROP TABLE resume_raise_log;
DROP TABLE resume_raises;
ALTER TABLE resumes DROP COLUMN next_publish_at;
ALTER TABLE resumes DROP COLUMN can_publish;
