package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// NegotiationItem is one of the applicant's negotiations as hh listed it.
type NegotiationItem struct {
	NegotiationID string
	VacancyID     string
	ResumeID      string
	State         string // hh's state id, kept as is
	Viewed        bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// OutcomesRecorded is what RecordOutcomes did with one page.
type OutcomesRecorded struct {
	// Matched counts items that matched a ledger row.
	Matched int
	// Outside counts items that matched none (applied on hh by hand).
	Outside int
	// NewInvitations are the ledger rows now invited whose invitation was
	// never announced.
	NewInvitations []int64
}

// RecordOutcomes writes what hh says of userID's negotiations, in one
// transaction: each item updates the ledger row of the same vacancy and
// resume (hh's state, viewed, updated_at, negotiation id); an item that
// matches no row is remembered by id only, never made into a row.
// outcome_seen_at moves only when the state changes.
func (s *Store) RecordOutcomes(ctx context.Context, userID int64, items []NegotiationItem, now time.Time) (OutcomesRecorded, error) {
	var res OutcomesRecorded
	now = ts(now)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res = OutcomesRecorded{}
		for _, it := range items {
			var row struct {
				ID        int64 `db:"id"`
				Announced bool  `db:"announced"`
			}
			err := s.get(ctx, tx, &row, `UPDATE applications SET outcome = ?, viewed = ?, outcome_at = ?,
					negotiation_id = CASE WHEN ? <> '' THEN ? ELSE negotiation_id END,
					outcome_seen_at = CASE WHEN outcome = ? THEN outcome_seen_at ELSE ? END
				WHERE user_id = ? AND vacancy_id = ? AND resume_id = ?
				RETURNING id, invitation_announced_at IS NOT NULL AS announced`,
				it.State, it.Viewed, ts(it.UpdatedAt), it.NegotiationID, it.NegotiationID,
				it.State, now, userID, it.VacancyID, it.ResumeID)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				res.Outside++
				if it.NegotiationID == "" {
					continue
				}
				if _, err := s.exec(ctx, tx, `INSERT INTO outside_negotiations (user_id, negotiation_id, created_at)
					VALUES (?, ?, ?) ON CONFLICT (user_id, negotiation_id) DO NOTHING`,
					userID, it.NegotiationID, ts(it.CreatedAt)); err != nil {
					return err
				}
				continue
			case err != nil:
				return err
			}
			res.Matched++
			if it.State == OutcomeInvitation && !row.Announced {
				res.NewInvitations = append(res.NewInvitations, row.ID)
			}
		}
		return nil
	})
	if err != nil {
		return OutcomesRecorded{}, fmt.Errorf("store: record outcomes of user %d: %w", userID, err)
	}
	return res, nil
}

// NegotiationSync is an account's last sync: the newest updated_at it has
// read (where the next sync stops paging), for which hh person.
type NegotiationSync struct {
	HHUserID   string
	HighWater  time.Time // zero: never synced
	SyncedAt   time.Time
	HHRequests int
}

// NegotiationSync returns userID's last sync; a zero value when none.
func (s *Store) NegotiationSync(ctx context.Context, userID int64) (NegotiationSync, error) {
	var row struct {
		HHUserID   string     `db:"hh_user_id"`
		HighWater  *time.Time `db:"high_water"`
		SyncedAt   *time.Time `db:"synced_at"`
		HHRequests int        `db:"hh_requests"`
	}
	err := s.get(ctx, s.db, &row, `SELECT hh_user_id, high_water, synced_at, hh_requests
		FROM negotiation_syncs WHERE user_id = ?`, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return NegotiationSync{}, nil
	}
	if err != nil {
		return NegotiationSync{}, fmt.Errorf("store: negotiation sync of user %d: %w", userID, err)
	}
	return NegotiationSync{HHUserID: row.HHUserID, HighWater: deref(row.HighWater),
		SyncedAt: deref(row.SyncedAt), HHRequests: row.HHRequests}, nil
}

// SaveNegotiationSync records a finished sync of userID.
func (s *Store) SaveNegotiationSync(ctx context.Context, userID int64, sync NegotiationSync) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO negotiation_syncs (user_id, hh_user_id, high_water, synced_at, hh_requests)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET hh_user_id = excluded.hh_user_id, high_water = excluded.high_water,
			synced_at = excluded.synced_at, hh_requests = excluded.hh_requests`,
		userID, sync.HHUserID, tsPtr(sync.HighWater), ts(sync.SyncedAt), sync.HHRequests)
	if err != nil {
		return fmt.Errorf("store: save negotiation sync of user %d: %w", userID, err)
	}
	return nil
}

// SyncCandidate is a connected account whose negotiations may be due.
type SyncCandidate struct {
	UserID   int64     `db:"user_id"`
	TimeZone string    `db:"time_zone"`
	SyncedAt time.Time `db:"-"` // zero: never
}

// NegotiationSyncsDue lists connected accounts not synced since before.
func (s *Store) NegotiationSyncsDue(ctx context.Context, before time.Time) ([]SyncCandidate, error) {
	var rows []struct {
		SyncCandidate
		SyncedAt *time.Time `db:"synced_at"`
	}
	if err := s.sel(ctx, s.db, &rows, `SELECT a.user_id, u.time_zone, n.synced_at
		FROM hh_accounts a JOIN users u ON u.id = a.user_id
		LEFT JOIN negotiation_syncs n ON n.user_id = a.user_id
		WHERE a.state = 'connected' AND (n.synced_at IS NULL OR n.synced_at < ?)
		ORDER BY a.user_id`, ts(before)); err != nil {
		return nil, fmt.Errorf("store: negotiation syncs due: %w", err)
	}
	out := make([]SyncCandidate, len(rows))
	for i, r := range rows {
		out[i] = r.SyncCandidate
		out[i].SyncedAt = deref(r.SyncedAt)
	}
	return out, nil
}

// ClaimInvitation marks the invitation of ledger row id as announced, unless
// it was already: only the caller that gets true tells the person, so a
// sync run twice or a task run again never tells them twice.
//
// Under PostgreSQL this relies on READ COMMITTED (the default) only: the
// UPDATE's WHERE is re-checked against the row's newest version after any
// concurrent writer commits, so of two racing callers one matches.
func (s *Store) ClaimInvitation(ctx context.Context, userID, id int64, now time.Time) (bool, error) {
	n, err := s.exec(ctx, s.db, `UPDATE applications SET invitation_announced_at = ?
		WHERE user_id = ? AND id = ? AND outcome = 'invitation' AND invitation_announced_at IS NULL`,
		ts(now), userID, id)
	if err != nil {
		return false, fmt.Errorf("store: claim invitation %d: %w", id, err)
	}
	return n == 1, nil
}

// ReleaseInvitation undoes ClaimInvitation when the announcement could not
// be sent, so the next attempt sends it.
func (s *Store) ReleaseInvitation(ctx context.Context, userID, id int64) error {
	if _, err := s.exec(ctx, s.db, `UPDATE applications SET invitation_announced_at = NULL
		WHERE user_id = ? AND id = ?`, userID, id); err != nil {
		return fmt.Errorf("store: release invitation %d: %w", id, err)
	}
	return nil
}

// InvitationRef names an invited ledger row.
type InvitationRef struct {
	UserID        int64 `db:"user_id"`
	ApplicationID int64 `db:"id"`
}

// UnannouncedInvitations lists invited rows seen at or after since and
// never announced: what a sync that died before enqueuing left behind.
func (s *Store) UnannouncedInvitations(ctx context.Context, since time.Time) ([]InvitationRef, error) {
	var rows []InvitationRef
	if err := s.sel(ctx, s.db, &rows, `SELECT user_id, id FROM applications
		WHERE outcome = 'invitation' AND invitation_announced_at IS NULL AND outcome_seen_at >= ?
		ORDER BY id`, ts(since)); err != nil {
		return nil, fmt.Errorf("store: unannounced invitations: %w", err)
	}
	return rows, nil
}

// Funnel is what became of the applications sent in a period.
type Funnel struct {
	Applied    int `db:"applied"`
	Viewed     int `db:"viewed"` // viewed, invited or discarded
	Invitation int `db:"invitation"`
	Discard    int `db:"discard"`
	// Outside counts applications made on hh by hand in the period, which
	// the counts above leave out.
	Outside int `db:"-"`
}

// FunnelSince counts userID's applications sent at or after since, and
// what became of them; ruleID 0 counts every rule's.
func (s *Store) FunnelSince(ctx context.Context, userID, ruleID int64, since time.Time) (Funnel, error) {
	var f Funnel
	q := `SELECT COUNT(*) AS applied,
			COALESCE(SUM(CASE WHEN viewed OR outcome IN ('invitation', 'discard') THEN 1 ELSE 0 END), 0) AS viewed,
			COALESCE(SUM(CASE WHEN outcome = 'invitation' THEN 1 ELSE 0 END), 0) AS invitation,
			COALESCE(SUM(CASE WHEN outcome = 'discard' THEN 1 ELSE 0 END), 0) AS discard
		FROM applications WHERE user_id = ? AND status = 'applied' AND applied_at >= ?`
	args := []any{userID, ts(since)}
	if ruleID != 0 {
		q += ` AND rule_id = ?`
		args = append(args, ruleID)
	}
	if err := s.get(ctx, s.db, &f, q, args...); err != nil {
		return Funnel{}, fmt.Errorf("store: funnel of user %d: %w", userID, err)
	}
	if ruleID == 0 {
		if err := s.get(ctx, s.db, &f.Outside, `SELECT COUNT(*) FROM outside_negotiations
			WHERE user_id = ? AND created_at >= ?`, userID, ts(since)); err != nil {
			return Funnel{}, fmt.Errorf("store: outside applications of user %d: %w", userID, err)
		}
	}
	return f, nil
}

// DayCount is one local day of the daily chart.
type DayCount struct {
	Day         time.Time // local midnight
	Applied     int
	Invitations int
}

// DailySince counts, per day in loc from since's day to now's, userID's
// applications sent and invitations received (by hh's time of the state).
func (s *Store) DailySince(ctx context.Context, userID int64, since, now time.Time, loc *time.Location) ([]DayCount, error) {
	var rows []struct {
		AppliedAt *time.Time `db:"applied_at"`
		Outcome   string     `db:"outcome"`
		OutcomeAt *time.Time `db:"outcome_at"`
	}
	if err := s.sel(ctx, s.db, &rows, `SELECT applied_at, outcome, outcome_at FROM applications
		WHERE user_id = ? AND status = 'applied' AND (applied_at >= ? OR (outcome = 'invitation' AND outcome_at >= ?))`,
		userID, ts(since), ts(since)); err != nil {
		return nil, fmt.Errorf("store: daily counts of user %d: %w", userID, err)
	}
	day := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	var out []DayCount
	index := map[time.Time]int{}
	for d := day(since); !d.After(day(now)); d = d.AddDate(0, 0, 1) {
		index[d] = len(out)
		out = append(out, DayCount{Day: d})
	}
	for _, r := range rows {
		if r.AppliedAt != nil {
			if i, ok := index[day(*r.AppliedAt)]; ok {
				out[i].Applied++
			}
		}
		if r.Outcome == OutcomeInvitation && r.OutcomeAt != nil {
			if i, ok := index[day(*r.OutcomeAt)]; ok {
				out[i].Invitations++
			}
		}
	}
	return out, nil
}

// OutcomesSeenSince lists userID's rows whose outcome became state at or
// after since (as Otklik saw it), newest first: the summary's new
// invitations and rejections.
func (s *Store) OutcomesSeenSince(ctx context.Context, userID int64, state string, since time.Time) ([]Application, error) {
	return s.applications(ctx, "outcomes seen", userID,
		`AND outcome = ? AND outcome_seen_at >= ? ORDER BY outcome_seen_at DESC, id DESC`, state, ts(since))
}

// DiscardedEmployers lists the employers who discarded userID's
// applications at or after since (hh's time of the state).
func (s *Store) DiscardedEmployers(ctx context.Context, userID int64, since time.Time) (map[string]bool, error) {
	var ids []string
	if err := s.sel(ctx, s.db, &ids, `SELECT DISTINCT employer_id FROM applications
		WHERE user_id = ? AND outcome = 'discard' AND outcome_at >= ? AND employer_id <> ''`,
		userID, ts(since)); err != nil {
		return nil, fmt.Errorf("store: discarded employers of user %d: %w", userID, err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
