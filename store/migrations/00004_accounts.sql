-- Accounts and abuse: invites become rows, each good for one sign-up and
-- taken in the same transaction as the account it creates, so concurrent
-- sign-ups with one code make one account.

-- +goose Up
CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL, -- upper case, without the dashes shown to people
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    used_at    TIMESTAMP
);
CREATE UNIQUE INDEX invites_code ON invites (code);

-- +goose Down
DROP TABLE invites;
