package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
)

func testApplication(userID int64, vacancyID string) *Application {
	return &Application{
		UserID:    userID,
		ResumeID:  "resume-1",
		VacancyID: vacancyID,
		VacancySnapshot: VacancySnapshot{
			VacancyName:            "Go-разработчик",
			EmployerName:           "Рога и копыта",
			EmployerID:             "1455",
			SalaryText:             "от 250 000 ₽",
			AreaName:               "Москва",
			VacancyURL:             "https://hh.ru/vacancy/" + vacancyID,
			ApplyURL:               "https://hh.ru/applicant/vacancy_response?vacancyId=" + vacancyID,
			ResponseLetterRequired: true,
		},
	}
}

func TestInsertApplicationConcurrentlyCreatesOne(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")

	const n = 50
	var created atomic.Int32
	var wg sync.WaitGroup
	ids := make([]int64, n)
	for i := range n {
		wg.Go(func() {
			a := testApplication(u.ID, "777")
			a.Reason = fmt.Sprintf("writer-%d", i)
			ok, err := s.InsertApplication(ctx, a)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				created.Add(1)
			}
			ids[i] = a.ID
		})
	}
	wg.Wait()
	if created.Load() != 1 {
		t.Fatalf("%d inserts created a row, want exactly 1", created.Load())
	}
	for i, id := range ids {
		if id != ids[0] || id == 0 {
			t.Fatalf("writer %d sees application %d, writer 0 sees %d", i, id, ids[0])
		}
	}
	var rows int
	s.db.Get(&rows, "SELECT COUNT(*) FROM applications")
	if rows != 1 {
		t.Fatalf("%d ledger rows, want 1", rows)
	}
}

func TestInsertApplicationLoadsExisting(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	first := testApplication(u.ID, "1")
	first.Status, first.Reason, first.Letter = StatusReview, "letter_required", "draft"
	if ok, err := s.InsertApplication(ctx, first); !ok || err != nil {
		t.Fatalf("first insert = %v, %v", ok, err)
	}
	second := testApplication(u.ID, "1")
	if ok, err := s.InsertApplication(ctx, second); ok || err != nil {
		t.Fatalf("second insert = %v, %v", ok, err)
	}
	if second.ID != first.ID || second.Status != StatusReview || second.Letter != "draft" || second.Reason != "letter_required" {
		t.Fatalf("existing row not loaded: %+v", second)
	}
	if got, err := s.Application(ctx, u.ID, first.ID); err != nil || got.ApplyURL != first.ApplyURL || got.VacancyURL != first.VacancyURL {
		t.Fatalf("snapshot links not kept: %+v, %v", got, err)
	}
	// Another resume is another decision.
	other := testApplication(u.ID, "1")
	other.ResumeID = "resume-2"
	if ok, err := s.InsertApplication(ctx, other); !ok || err != nil {
		t.Fatalf("insert for another resume = %v, %v", ok, err)
	}
	if _, err := s.InsertApplication(ctx, &Application{UserID: u.ID, ResumeID: "r", VacancyID: "2", Status: "bogus"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown status: %v", err)
	}
}

// TestInsertApplicationsPage: a run's page goes in one transaction; each row
// is created or loads the decision already there, a row waiting for the
// model gets its pending step, and a row that cannot be written leaves the
// whole page unwritten.
func TestInsertApplicationsPage(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	other := mustUser(t, s, "b@example.com")
	earlier := testApplication(u.ID, "2")
	earlier.Status, earlier.Reason = StatusReview, "letter_required"
	if ok, err := s.InsertApplication(ctx, earlier); !ok || err != nil {
		t.Fatalf("earlier insert = %v, %v", ok, err)
	}
	waiting := testApplication(u.ID, "3")
	waiting.AIPending = &AIPending{Step: AIStepLetter, ThenStatus: StatusQueued, Vacancy: `{"vacancy":{"Name":"Go"}}`}
	page := []*Application{testApplication(u.ID, "1"), testApplication(u.ID, "2"), waiting}
	created, err := s.InsertApplications(ctx, page)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, true}; !reflect.DeepEqual(created, want) {
		t.Fatalf("created = %v, want %v", created, want)
	}
	if page[1].ID != earlier.ID || page[1].Status != StatusReview || page[1].Reason != "letter_required" {
		t.Errorf("the decision already there was not loaded: %+v", page[1])
	}
	for _, a := range []*Application{page[0], page[2]} {
		if got, err := s.Application(ctx, u.ID, a.ID); err != nil || got.VacancyID != a.VacancyID || got.Status != StatusQueued {
			t.Errorf("row %d (vacancy %s) = %+v, %v", a.ID, a.VacancyID, got, err)
		}
	}
	if p, err := s.AIPendingFor(ctx, u.ID, waiting.ID); err != nil || p.Step != AIStepLetter {
		t.Errorf("pending step of the row waiting for the model = %+v, %v", p, err)
	}

	// Another person's rule on one row: nothing of the page is written.
	foreign := testRule(other.ID)
	if err := s.CreateRule(ctx, foreign); err != nil {
		t.Fatal(err)
	}
	bad := testApplication(u.ID, "5")
	bad.RuleID = foreign.ID
	before, err := s.CountApplications(ctx, u.ID, ApplicationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertApplications(ctx, []*Application{testApplication(u.ID, "4"), bad}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a page with another person's rule: %v, want ErrNotFound", err)
	}
	if _, err := s.InsertApplications(ctx, []*Application{testApplication(u.ID, "6"), {UserID: u.ID, ResumeID: "r", VacancyID: "7", Status: "bogus"}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a page with an unknown status: %v, want ErrInvalid", err)
	}
	if after, err := s.CountApplications(ctx, u.ID, ApplicationFilter{}); err != nil || after != before {
		t.Errorf("rows after the refused pages: %d, %v; want %d", after, err, before)
	}
}

// methodMoves is each transition method with the statuses it may move from;
// together they must be exactly the allowedMoves table.
var methodMoves = []struct {
	name string
	to   ApplicationStatus
	from []ApplicationStatus
	call func(ctx context.Context, s *Store, userID, id int64) error
}{
	{"MarkApplied", StatusApplied, []ApplicationStatus{StatusQueued}, func(ctx context.Context, s *Store, u, id int64) error {
		return s.MarkApplied(ctx, u, id, "neg-1", "letter", time.Now())
	}},
	{"MarkExternal", StatusExternal, []ApplicationStatus{StatusQueued}, func(ctx context.Context, s *Store, u, id int64) error {
		return s.MarkExternal(ctx, u, id, "direct", "https://example.com/jobs/1")
	}},
	{"MarkReview", StatusReview, []ApplicationStatus{StatusQueued}, func(ctx context.Context, s *Store, u, id int64) error {
		return s.MarkReview(ctx, u, id, "test_required", "draft")
	}},
	{"MarkFailed", StatusFailed, []ApplicationStatus{StatusQueued}, func(ctx context.Context, s *Store, u, id int64) error {
		return s.MarkFailed(ctx, u, id, "hh_error", "Вакансия не найдена")
	}},
	{"MarkSkipped", StatusSkipped, []ApplicationStatus{StatusReview, StatusExternal}, func(ctx context.Context, s *Store, u, id int64) error {
		return s.MarkSkipped(ctx, u, id, "dismissed")
	}},
	{"Requeue", StatusQueued, []ApplicationStatus{StatusReview, StatusFailed}, func(ctx context.Context, s *Store, u, id int64) error {
		return s.Requeue(ctx, u, id, "edited letter")
	}},
	{"Postpone", StatusQueued, []ApplicationStatus{StatusQueued}, func(ctx context.Context, s *Store, u, id int64) error {
		return s.Postpone(ctx, u, id, "limit_exceeded", "")
	}},
}

func TestTransitionTable(t *testing.T) {
	for _, from := range Statuses {
		for _, to := range Statuses {
			var viaMethod bool
			for _, m := range methodMoves {
				if m.to == to && slices.Contains(m.from, from) {
					viaMethod = true
				}
			}
			if CanTransition(from, to) != viaMethod {
				t.Errorf("CanTransition(%s, %s) = %v, but the methods say %v", from, to, CanTransition(from, to), viaMethod)
			}
		}
	}
	for _, to := range Statuses {
		if CanTransition(StatusApplied, to) {
			t.Errorf("applied may move to %s", to)
		}
	}
}

func TestTransitions(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	var seq int
	for _, m := range methodMoves {
		for _, from := range Statuses {
			allowed := slices.Contains(m.from, from)
			t.Run(fmt.Sprintf("%s from %s", m.name, from), func(t *testing.T) {
				seq++
				a := testApplication(u.ID, fmt.Sprint(seq))
				a.Status = from
				if _, err := s.InsertApplication(ctx, a); err != nil {
					t.Fatal(err)
				}
				err := m.call(ctx, s, u.ID, a.ID)
				got, gerr := s.Application(ctx, u.ID, a.ID)
				if gerr != nil {
					t.Fatal(gerr)
				}
				if allowed {
					if err != nil {
						t.Fatalf("refused an allowed move: %v", err)
					}
					if got.Status != m.to {
						t.Fatalf("status %s, want %s", got.Status, m.to)
					}
					return
				}
				if !errors.Is(err, ErrIllegalTransition) {
					t.Fatalf("err = %v, want ErrIllegalTransition", err)
				}
				if got.Status != from || !got.UpdatedAt.Equal(a.UpdatedAt) {
					t.Fatalf("a refused move changed the row: %+v", got)
				}
			})
		}
	}
	if err := s.MarkApplied(ctx, u.ID, 999999, "", "", time.Now()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("move of a missing row: %v", err)
	}
}

func TestTransitionFields(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	a := testApplication(u.ID, "1")
	a.Status, a.Reason, a.Letter = StatusReview, "letter_required", "draft"
	s.InsertApplication(ctx, a)

	if err := s.Requeue(ctx, u.ID, a.ID, "my letter"); err != nil {
		t.Fatal(err)
	}
	if err := s.Postpone(ctx, u.ID, a.ID, "limit_exceeded", "hh: limit"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Application(ctx, u.ID, a.ID)
	if got.Status != StatusQueued || got.Reason != "limit_exceeded" || got.Letter != "my letter" {
		t.Fatalf("after requeue and postpone: %+v", got)
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := s.MarkApplied(ctx, u.ID, a.ID, "neg-9", "my letter", at); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Application(ctx, u.ID, a.ID)
	if got.Status != StatusApplied || got.NegotiationID != "neg-9" || !got.AppliedAt.Equal(at) || got.Reason != "" || got.Message != "" {
		t.Fatalf("after MarkApplied: %+v", got)
	}

	b := testApplication(u.ID, "2")
	s.InsertApplication(ctx, b)
	if err := s.MarkFailed(ctx, u.ID, b.ID, "hh_error", "Вакансия в архиве"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Application(ctx, u.ID, b.ID)
	if got.Reason != "hh_error" || got.Message != "Вакансия в архиве" {
		t.Fatalf("after MarkFailed: %+v", got)
	}
	c := testApplication(u.ID, "3")
	s.InsertApplication(ctx, c)
	if err := s.MarkExternal(ctx, u.ID, c.ID, "direct", "https://corp.example/jobs/3"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Application(ctx, u.ID, c.ID)
	if got.Status != StatusExternal || got.ExternalURL != "https://corp.example/jobs/3" || got.Reason != "direct" {
		t.Fatalf("after MarkExternal: %+v", got)
	}
}

func TestApplicationQueries(t *testing.T) {
	ctx := context.Background()
	s, clock := openWithClock(t)
	u := mustUser(t, s, "a@example.com")
	r := testRule(u.ID)
	if err := s.CreateRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	t0 := clock.t
	insert := func(vacancyID string, st ApplicationStatus, reason string) *Application {
		t.Helper()
		a := testApplication(u.ID, vacancyID)
		a.RuleID, a.Status, a.Reason = r.ID, st, reason
		if _, err := s.InsertApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		clock.t = clock.t.Add(time.Minute)
		return a
	}
	q1 := insert("1", StatusQueued, "")
	insert("2", StatusQueued, "")
	insert("3", StatusReview, "letter_required")
	insert("4", StatusSkipped, "excluded_word")
	insert("5", StatusSkipped, "excluded_word")
	insert("6", StatusSkipped, "archived")
	insert("7", StatusExternal, "direct")
	if err := s.MarkApplied(ctx, u.ID, q1.ID, "neg", "", t0.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}

	known, err := s.KnownVacancies(ctx, u.ID, "resume-1", []string{"1", "3", "99"})
	if err != nil || len(known) != 2 || !known["1"] || !known["3"] {
		t.Fatalf("KnownVacancies = %v, %v", known, err)
	}
	if known, _ := s.KnownVacancies(ctx, u.ID, "resume-2", []string{"1"}); len(known) != 0 {
		t.Fatalf("KnownVacancies of another resume = %v", known)
	}
	many := make([]string, 1200)
	for i := range many {
		many[i] = fmt.Sprint(i)
	}
	if known, err := s.KnownVacancies(ctx, u.ID, "resume-1", many); err != nil || len(known) != 7 {
		t.Fatalf("KnownVacancies over 1200 ids = %d, %v", len(known), err)
	}

	if queued, _ := s.QueuedApplications(ctx, u.ID); len(queued) != 1 || queued[0].VacancyID != "2" {
		t.Fatalf("QueuedApplications = %+v", queued)
	}
	if review, _ := s.ReviewItems(ctx, u.ID); len(review) != 2 || review[0].VacancyID != "3" || review[1].VacancyID != "7" {
		t.Fatalf("ReviewItems = %+v", review)
	}
	if users, _ := s.UsersWithQueuedApplications(ctx); len(users) != 1 || users[0] != u.ID {
		t.Fatalf("UsersWithQueuedApplications = %v", users)
	}

	page, err := s.ListApplications(ctx, u.ID, ApplicationFilter{Limit: 3})
	if err != nil || len(page) != 3 || page[0].VacancyID != "7" || page[0].RuleID != r.ID {
		t.Fatalf("ListApplications newest first = %+v, %v", page, err)
	}
	skipped, _ := s.ListApplications(ctx, u.ID, ApplicationFilter{Status: StatusSkipped, Limit: 10, Offset: 1})
	if len(skipped) != 2 {
		t.Fatalf("skipped with offset 1 = %d rows", len(skipped))
	}
	window, _ := s.ListApplications(ctx, u.ID, ApplicationFilter{From: t0.Add(time.Minute), To: t0.Add(3 * time.Minute), RuleID: r.ID})
	if len(window) != 2 || window[0].VacancyID != "3" || window[1].VacancyID != "2" {
		t.Fatalf("time window = %+v", window)
	}
	if n, _ := s.CountApplications(ctx, u.ID, ApplicationFilter{Status: StatusSkipped}); n != 3 {
		t.Fatalf("CountApplications(skipped) = %d", n)
	}

	if n, _ := s.AppliedSince(ctx, u.ID, t0); n != 1 {
		t.Fatalf("AppliedSince = %d", n)
	}
	if n, _ := s.AppliedSince(ctx, u.ID, t0.Add(31*time.Minute)); n != 0 {
		t.Fatalf("AppliedSince after the application = %d", n)
	}
	// 1 applied at t0+30m, 1 queued, 1 put in review at t0+2m.
	if applied, queued, review, err := s.RuleLoad(ctx, u.ID, r.ID, t0); applied != 1 || queued != 1 || review != 1 || err != nil {
		t.Fatalf("RuleLoad = %d applied, %d queued, %d review, %v", applied, queued, review, err)
	}
	if applied, queued, review, _ := s.RuleLoad(ctx, u.ID, r.ID, t0.Add(31*time.Minute)); applied != 0 || queued != 1 || review != 0 {
		t.Fatalf("RuleLoad after the application = %d applied, %d queued, %d review", applied, queued, review)
	}
	oldest, ok, err := s.OldestAppliedSince(ctx, u.ID, t0)
	if err != nil || !ok || !oldest.Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("OldestAppliedSince = %v, %v, %v", oldest, ok, err)
	}
	if _, ok, _ := s.OldestAppliedSince(ctx, u.ID, t0.Add(time.Hour)); ok {
		t.Fatal("OldestAppliedSince found one in an empty window")
	}

	counts, err := s.CountsByStatusSince(ctx, u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[ApplicationStatus]int{StatusQueued: 1, StatusApplied: 1, StatusReview: 1, StatusSkipped: 3, StatusExternal: 1, StatusFailed: 0}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("CountsByStatusSince = %v, want %v", counts, want)
	}
	reasons, _ := s.ReasonCountsSince(ctx, u.ID, StatusSkipped, t0)
	if reasons["excluded_word"] != 2 || reasons["archived"] != 1 || len(reasons) != 2 {
		t.Fatalf("ReasonCountsSince = %v", reasons)
	}
}

// Outgoing is the row as Application reads it, with the person's sent count
// (as AppliedSince counts it) and whether the row's resume is gone (as the
// worker decides it from Resumes), all in one statement.
func TestOutgoing(t *testing.T) {
	ctx := context.Background()
	s, clock := openWithClock(t)
	u := mustUser(t, s, "a@example.com")
	other := mustUser(t, s, "b@example.com")
	t0 := clock.t
	for i, owner := range []int64{u.ID, u.ID, other.ID} {
		a := testApplication(owner, fmt.Sprint("sent-", i))
		if _, err := s.InsertApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkApplied(ctx, owner, a.ID, "", "", t0.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	q := testApplication(u.ID, "queued")
	q.Letter = "Здравствуйте"
	if _, err := s.InsertApplication(ctx, q); err != nil {
		t.Fatal(err)
	}

	check := func(since time.Time, wantSent int, wantGone bool) {
		t.Helper()
		got, err := s.Outgoing(ctx, u.ID, q.ID, since)
		if err != nil {
			t.Fatal(err)
		}
		row, _ := s.Application(ctx, u.ID, q.ID)
		n, _ := s.AppliedSince(ctx, u.ID, since)
		if got.ID != q.ID || got.Status != StatusQueued || got.Letter != row.Letter || !got.CreatedAt.Equal(row.CreatedAt) {
			t.Errorf("row %+v, Application reads %+v", got.Application, row)
		}
		if got.AppliedSince != wantSent || got.AppliedSince != n {
			t.Errorf("AppliedSince since %s = %d, want %d (AppliedSince counts %d)", since.Sub(t0), got.AppliedSince, wantSent, n)
		}
		if got.ResumeGone != wantGone {
			t.Errorf("Outgoing's ResumeGone = %v, want %v", got.ResumeGone, wantGone)
		}
		// The rule path asks the same question without a row.
		if gone, err := s.ResumeGone(ctx, u.ID, q.ResumeID); err != nil || gone != wantGone {
			t.Errorf("ResumeGone = %v, %v; want %v", gone, err, wantGone)
		}
	}
	// No resumes stored yet: nothing says the row's resume is gone.
	check(t0, 2, false)
	check(t0.Add(30*time.Minute), 1, false)
	if err := s.ReplaceResumes(ctx, u.ID, []hh.Resume{{ID: q.ResumeID, Title: "Go"}}); err != nil {
		t.Fatal(err)
	}
	check(t0.Add(2*time.Hour), 0, false)
	if err := s.ReplaceResumes(ctx, u.ID, []hh.Resume{{ID: "another-persons", Title: "Go"}}); err != nil {
		t.Fatal(err)
	}
	check(t0, 2, true)

	if _, err := s.Outgoing(ctx, other.ID, q.ID, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("another person's Outgoing: %v, want ErrNotFound", err)
	}
}
