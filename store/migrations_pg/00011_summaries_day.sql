-- The tick asks once a minute which users' summaries of the last days are
-- stored (SummaryDaysFrom), in one query by day instead of one per user.

-- +goose Up
CREATE INDEX summaries_day ON summaries (day);

-- +goose Down
DROP INDEX summaries_day;
