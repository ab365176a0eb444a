-- Telegram (optional, TELEGRAM_BOT_TOKEN): each user's linked chat and which
-- notifications it gets; one-time link codes (15 minutes, single use); the
-- notifications already sent (claimed before the send, so each goes once);
-- each account warning's occurrences (one message per occurrence, not per
-- run); the long-polling offset (moved by compare-and-set before an update
-- is handled, so each update is handled once whichever process polls).

-- +goose Up
CREATE TABLE telegram_links (
    user_id            BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    chat_id            BIGINT NOT NULL,
    chat_name          TEXT NOT NULL DEFAULT '',
    linked_at          TIMESTAMPTZ NOT NULL,
    -- blocked_at: Telegram answered 403 (the person blocked the bot); the
    -- chat no longer counts as linked and /settings says why.
    blocked_at         TIMESTAMPTZ,
    notify_invitations BOOLEAN NOT NULL DEFAULT TRUE,
    notify_warnings    BOOLEAN NOT NULL DEFAULT TRUE,
    notify_summary     BOOLEAN NOT NULL DEFAULT TRUE,
    notify_review      BOOLEAN NOT NULL DEFAULT TRUE,
    -- «Изменить письмо»: the review item whose letter the chat's next text
    -- message becomes, and that letter until «Отправить» or «Отмена».
    letter_for         BIGINT,
    letter_draft       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX telegram_links_chat ON telegram_links (chat_id);

CREATE TABLE telegram_codes (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code       TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE telegram_sent (
    message_key TEXT PRIMARY KEY, -- the task's id: tg:invitation:<row>, …
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE telegram_warnings (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL, -- the account state: reconnect, captcha, limited
    occurrence INTEGER NOT NULL DEFAULT 0,
    open       BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE telegram_offset (
    id          INTEGER PRIMARY KEY, -- always 1
    next_update BIGINT NOT NULL
);

-- +goose Down
DROP TABLE telegram_offset;
DROP TABLE telegram_warnings;
DROP TABLE telegram_sent;
DROP TABLE telegram_codes;
DROP TABLE telegram_links;
