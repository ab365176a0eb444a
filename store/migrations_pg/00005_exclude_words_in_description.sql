-- A rule may match its exclude words in the vacancy's description too, not
-- only in the title. Rules written before match the title only, as they did.

-- +goose Up
ALTER TABLE rules ADD COLUMN exclude_words_in_description BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE rules DROP COLUMN exclude_words_in_description;
