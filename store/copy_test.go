package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store/storetest"
)

// fillInstance writes a little of everything the schema holds.
func fillInstance(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	admin := mustUser(t, s, "admin@example.com")
	other := mustUser(t, s, "other@example.com")
	inv, err := s.CreateInvite(ctx, admin.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	invited, err := s.CreateUserWithInvite(ctx, "invited@example.com", "$2a$10$hash", inv.Code)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*User{admin, other, invited} {
		if err := s.SaveHHAccount(ctx, u.ID, testAccount("ACCESS-"+u.Email, "REFRESH-"+u.Email)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateSession(ctx, u.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	no := false
	next := hh.Time{Time: time.Date(2026, 3, 1, 12, 30, 15, 123456000, time.UTC)}
	if err := s.ReplaceResumes(ctx, admin.ID, []hh.Resume{
		{ID: "resume-1", Title: "Go developer", Status: hh.IDName{ID: "published"}, CanPublishOrUpdate: &no, NextPublishAt: next},
		{ID: "resume-2", Title: "Черновик"},
	}); err != nil {
		t.Fatal(err)
	}
	rule := testRule(admin.ID)
	if err := s.CreateRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	runID, err := s.StartRun(ctx, admin.ID, rule.ID, time.Now(), true)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range Statuses {
		a := testApplication(admin.ID, fmt.Sprint(100+i))
		a.RuleID, a.RunID, a.Status = rule.ID, runID, st
		if _, err := s.InsertApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FinishRun(ctx, admin.ID, runID, RunResult{Found: 7, Applied: 1}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := s.RecordOutcomes(ctx, admin.ID, []NegotiationItem{
		{NegotiationID: "n1", VacancyID: "101", ResumeID: "resume-1", State: OutcomeInvitation, Viewed: true, CreatedAt: now, UpdatedAt: now},
		{NegotiationID: "n-outside", VacancyID: "999", ResumeID: "resume-1", State: "response", CreatedAt: now, UpdatedAt: now},
	}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveNegotiationSync(ctx, admin.ID, NegotiationSync{HHUserID: "hh-1", HighWater: now, SyncedAt: now, HHRequests: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSummary(ctx, &Summary{UserID: admin.ID, Day: "2026-03-01", Text: "text", HTML: "<p>html</p>"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAutoRaise(ctx, admin.ID, "resume-1", true, now); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRaise(ctx, admin.ID, "resume-1", now, now, now.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveVacancyTest(ctx, "101", true, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReserveAITokens(ctx, admin.ID, "2026-03-01", 120, 1000); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAIVerdict(ctx, admin.ID, rule.ID, "102", AIVerdict{Match: true, Reason: "Go"}, now); err != nil {
		t.Fatal(err)
	}
	waiting := &Application{UserID: admin.ID, RuleID: rule.ID, ResumeID: "resume-1", VacancyID: "103-ai",
		Status: StatusQueued, Reason: "ai_unavailable",
		AIPending: &AIPending{Step: AIStepScreen, ThenStatus: StatusQueued, Vacancy: `{"vacancy":{"Name":"Go"}}`}}
	if _, err := s.InsertApplication(ctx, waiting); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveResumeDetails(ctx, admin.ID, "resume-1", ResumeDetails{Skills: "Go", Experience: "2019 –", FetchedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTelegramCode(ctx, admin.ID, "code-1", now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkTelegram(ctx, "code-1", 4242, "Анна", now); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTelegramCode(ctx, admin.ID, "code-2", now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimTelegramMessage(ctx, "tg:invitation:1", admin.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.exec(ctx, s.db, `INSERT INTO telegram_warnings (user_id, kind, occurrence, open) VALUES (?, 'captcha', 1, TRUE)`, admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimTelegramUpdate(ctx, 77); err != nil {
		t.Fatal(err)
	}
}

// dumpInstance is every row of every table, as sorted text with times in
// UTC and booleans as booleans, whatever the dialect.
func dumpInstance(t *testing.T, s *Store) map[string][]string {
	t.Helper()
	ctx := context.Background()
	tables, err := s.tablesParentsFirst(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		bools, err := s.booleanColumns(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.db.Queryx(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				v = copyValue(v, bools[cols[i]])
				if tm, ok := v.(time.Time); ok {
					v = tm.Format(time.RFC3339Nano)
				}
				fmt.Fprintf(&b, "%s=%v ", cols[i], v)
			}
			out[table] = append(out[table], b.String())
		}
		rows.Close()
		slices.Sort(out[table])
		if len(out[table]) == 0 {
			t.Errorf("table %s is empty in the test instance: fill it in fillInstance", table)
		}
	}
	return out
}

func copyAll(t *testing.T, src, dst *Store) {
	t.Helper()
	var tables []string
	if err := CopyDatabase(context.Background(), src, dst, func(p CopyProgress) {
		tables = append(tables, p.Table)
	}); err != nil {
		t.Fatal(err)
	}
	if i, j := slices.Index(tables, "users"), slices.Index(tables, "applications"); i < 0 || j < i {
		t.Errorf("tables copied in order %v: users must come before applications", tables)
	}
}

func checkSameInstance(t *testing.T, what string, want, got map[string][]string) {
	t.Helper()
	for table, rows := range want {
		if !slices.Equal(rows, got[table]) {
			t.Errorf("%s: table %s differs:\nwant %q\ngot  %q", what, table, rows, got[table])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d tables, want %d", what, len(got), len(want))
	}
}

// An instance copied SQLite → PostgreSQL → SQLite is the same row for row,
// ids included; the PostgreSQL copy gives new rows new ids and reads what
// was copied (tokens decrypt under the same key).
func TestCopySQLiteToPostgresAndBack(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("runs once, in the SQLite pass")
	}
	ctx := context.Background()
	opts := Options{Cipher: testCipher(t), Migrate: true}
	src := mustOpenPath(t, storetest.SQLiteDSN(t), opts)
	fillInstance(t, src)
	want := dumpInstance(t, src)

	pg := mustOpenPath(t, storetest.NewPostgres(t), Options{Cipher: testCipher(t)})
	copyAll(t, src, pg)
	checkSameInstance(t, "SQLite → PostgreSQL", want, dumpInstance(t, pg))
	admin, err := pg.UserByEmail(ctx, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if acc, err := pg.HHAccount(ctx, admin.ID); err != nil || acc.Token.AccessToken != "ACCESS-admin@example.com" {
		t.Errorf("the copied hh account reads %+v, %v", acc, err)
	}
	fresh := mustUser(t, pg, "after@example.com")
	var maxID int64
	if err := pg.db.Get(&maxID, `SELECT MAX(id) FROM users WHERE email <> 'after@example.com'`); err != nil {
		t.Fatal(err)
	}
	if fresh.ID <= maxID {
		t.Errorf("a user made after the copy got id %d, copied ids go up to %d", fresh.ID, maxID)
	}
	if _, err := pg.db.Exec(`DELETE FROM users WHERE email = 'after@example.com'`); err != nil {
		t.Fatal(err)
	}

	back := mustOpenPath(t, storetest.SQLiteDSN(t), Options{Cipher: testCipher(t)})
	copyAll(t, pg, back)
	checkSameInstance(t, "PostgreSQL → SQLite", want, dumpInstance(t, back))

	// A target with rows is refused, and keeps them.
	err = CopyDatabase(ctx, src, back, nil)
	if !errors.Is(err, ErrTargetNotEmpty) {
		t.Errorf("copy onto a full database: %v, want ErrTargetNotEmpty", err)
	}
	checkSameInstance(t, "after a refused copy", want, dumpInstance(t, back))
}

// SQLite → SQLite runs without a PostgreSQL server: the copy itself, the
// order and the refusal of a full target.
func TestCopySQLiteToSQLite(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("runs once, in the SQLite pass")
	}
	src := mustOpenPath(t, storetest.SQLiteDSN(t), Options{Cipher: testCipher(t), Migrate: true})
	fillInstance(t, src)
	dst := mustOpenPath(t, storetest.SQLiteDSN(t), Options{Cipher: testCipher(t)})
	copyAll(t, src, dst)
	checkSameInstance(t, "SQLite → SQLite", dumpInstance(t, src), dumpInstance(t, dst))
	if err := CopyDatabase(context.Background(), src, dst, nil); !errors.Is(err, ErrTargetNotEmpty) {
		t.Errorf("copy onto a full database: %v, want ErrTargetNotEmpty", err)
	}
}
