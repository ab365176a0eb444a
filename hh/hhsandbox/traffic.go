package hhsandbox

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// Traffic is what a Counter saw: the requests hh would have answered, by
// kind, and how many of them were answered 5xx or 429.
type Traffic struct {
	Search, Apply, Token, Other int64
	// Negotiations counts reads of the applicant's negotiation list
	// (GET /negotiations): what syncing outcomes costs.
	Negotiations int64
	// Vacancy counts full-vacancy reads (GET /vacancies/{id}), and
	// VacancyDistinct the vacancies read for the first time.
	Vacancy, VacancyDistinct int64
	Status5xx, Status429     int64
}

// Total is every request counted.
func (t Traffic) Total() int64 {
	return t.Search + t.Apply + t.Token + t.Vacancy + t.Negotiations + t.Other
}

// Sub is the traffic between an earlier snapshot o and t.
func (t Traffic) Sub(o Traffic) Traffic {
	return Traffic{Search: t.Search - o.Search, Apply: t.Apply - o.Apply, Token: t.Token - o.Token, Other: t.Other - o.Other,
		Negotiations: t.Negotiations - o.Negotiations,
		Vacancy:      t.Vacancy - o.Vacancy, VacancyDistinct: t.VacancyDistinct - o.VacancyDistinct,
		Status5xx: t.Status5xx - o.Status5xx, Status429: t.Status429 - o.Status429}
}

func (t Traffic) String() string {
	return fmt.Sprintf("%d searches, %d POSTs, %d vacancy reads (%d distinct), %d negotiation lists, %d token, %d other (%d answered 5xx, %d answered 429)",
		t.Search, t.Apply, t.Vacancy, t.VacancyDistinct, t.Negotiations, t.Token, t.Other, t.Status5xx, t.Status429)
}

// Counter counts the requests on their way to a sandbox (or to anything
// serving hh's API), for load and fault tests that measure what Otklik
// costs hh.
type Counter struct {
	search, apply, token, other, s5xx, s429 atomic.Int64
	negotiations                            atomic.Int64
	vacancy, vacancyDistinct                atomic.Int64
	vacanciesRead                           sync.Map // vacancy id → struct{}
	next                                    http.Handler
}

// NewCounter counts the requests next serves.
func NewCounter(next http.Handler) *Counter { return &Counter{next: next} }

// ServeHTTP counts r by kind and by the status it was answered with.
func (c *Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/similar_vacancies"):
		c.search.Add(1)
	case r.Method == http.MethodPost && r.URL.Path == "/negotiations":
		c.apply.Add(1)
	case r.Method == http.MethodGet && r.URL.Path == "/negotiations":
		c.negotiations.Add(1)
	case r.Method == http.MethodPost && (r.URL.Path == "/token" || r.URL.Path == "/oauth/token"):
		c.token.Add(1)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/vacancies/") && !strings.Contains(r.URL.Path[len("/vacancies/"):], "/"):
		c.vacancy.Add(1)
		if _, seen := c.vacanciesRead.LoadOrStore(r.URL.Path, struct{}{}); !seen {
			c.vacancyDistinct.Add(1)
		}
	default:
		c.other.Add(1)
	}
	sw := &statusWriter{ResponseWriter: w}
	c.next.ServeHTTP(sw, r)
	switch {
	case sw.status == http.StatusTooManyRequests:
		c.s429.Add(1)
	case sw.status >= 500:
		c.s5xx.Add(1)
	}
}

// Snapshot is the traffic so far.
func (c *Counter) Snapshot() Traffic {
	return Traffic{Search: c.search.Load(), Apply: c.apply.Load(), Token: c.token.Load(), Other: c.other.Load(),
		Negotiations: c.negotiations.Load(),
		Vacancy:      c.vacancy.Load(), VacancyDistinct: c.vacancyDistinct.Load(), Status5xx: c.s5xx.Load(), Status429: c.s429.Load()}
}

// statusWriter passes a response through and keeps its status.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}
