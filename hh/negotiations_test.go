package hh

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestApplyCreated(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testHeaders(t, r, testToken)
		testQuery(t, r, nil)
		testForm(t, r, "multipart/form-data", url.Values{
			"vacancy_id": {"8331228"}, "resume_id": {"01234567890abcdef"},
			"message": {"Здравствуйте!\nХочу у вас работать."},
		})
		w.Header().Set("Location", "/negotiations/1234567")
		w.WriteHeader(http.StatusCreated) // empty body, as hh sends
	})
	res, err := c.Apply(context.Background(), "8331228", "01234567890abcdef", "Здравствуйте!\nХочу у вас работать.")
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if *res != (ApplyResult{NegotiationID: "1234567"}) {
		t.Errorf("result = %+v", res)
	}
}

func TestApplyWithoutLetter(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		testForm(t, r, "multipart/form-data", url.Values{"vacancy_id": {"1"}, "resume_id": {"r1"}})
		w.Header().Set("Location", "https://api.hh.ru/negotiations/42")
		w.WriteHeader(http.StatusCreated)
	})
	res, err := c.Apply(context.Background(), "1", "r1", "")
	if err != nil || res.NegotiationID != "42" {
		t.Errorf("Apply = %+v, %v", res, err)
	}
}

func TestApplyDirectVacancy(t *testing.T) {
	c, mux := setup(t)
	followed := false
	mux.HandleFunc("/external", func(w http.ResponseWriter, r *http.Request) { followed = true })
	mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://careers.example.com/jobs/42?utm=hh", http.StatusSeeOther)
	})
	res, err := c.Apply(context.Background(), "9000001", "r1", "")
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if *res != (ApplyResult{ExternalURL: "https://careers.example.com/jobs/42?utm=hh"}) {
		t.Errorf("result = %+v", res)
	}

	// A relative Location resolves against the API, and is not followed.
	c2, mux2 := setup(t)
	mux2.HandleFunc("/external", func(w http.ResponseWriter, r *http.Request) { followed = true })
	mux2.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "external")
		w.WriteHeader(http.StatusSeeOther)
	})
	res, err = c2.Apply(context.Background(), "9000001", "r1", "")
	if err != nil || !strings.HasSuffix(res.ExternalURL, baseURLPath+"/external") || followed {
		t.Errorf("relative 303: %+v, %v, followed=%v", res, err, followed)
	}
}

func TestApplyValidation(t *testing.T) {
	c, mux := setup(t)
	sent := 0
	mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		sent++
		w.Header().Set("Location", "/negotiations/1")
		w.WriteHeader(http.StatusCreated)
	})
	limit := strings.Repeat("я", MaxLetterLength) // 20000 bytes, 10000 characters
	for _, tc := range []struct{ vacancy, resume, message, field string }{
		{"", "r1", "", "vacancy_id"},
		{"1", "", "", "resume_id"},
		{"1", "r1", limit + "!", "message"},
	} {
		_, err := c.Apply(context.Background(), tc.vacancy, tc.resume, tc.message)
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Field != tc.field {
			t.Errorf("Apply(%q, %q, %d bytes) = %v, want a ParamError on %s", tc.vacancy, tc.resume, len(tc.message), err, tc.field)
		}
	}
	if sent != 0 {
		t.Fatalf("%d invalid applications sent", sent)
	}
	if _, err := c.Apply(context.Background(), "1", "r1", limit); err != nil || sent != 1 {
		t.Errorf("a letter of exactly %d characters: %v", MaxLetterLength, err)
	}
}

// Every documented negotiations error value (REFERENCE.md §7) and what the
// worker reads from it.
func TestApplyErrors(t *testing.T) {
	type want struct{ limit, already, test, missing, tooLong, gone, retry bool }
	tests := []struct {
		status int
		body   string
		want   want
	}{
		{400, neg("vacancy_not_found"), want{gone: true}},
		{400, neg("resume_not_found"), want{}},
		{403, neg("resume_not_found"), want{}},
		{400, neg("limit_exceeded"), want{limit: true}},
		{403, neg("limit_exceeded"), want{limit: true}},
		{429, neg("limit_exceeded"), want{limit: true}},
		{429, ``, want{limit: true}}, // hhru/api#817: a bare 429 from apply
		{400, neg("resource_policy_violation"), want{}},
		{400, neg("inappropriate_language"), want{}},
		{403, neg("invalid_vacancy"), want{gone: true}},
		{403, neg("already_applied"), want{already: true}},
		{403, neg("test_required"), want{test: true}},
		{403, neg("resume_visibility_conflict"), want{}},
		{403, neg("application_denied"), want{}},
		{403, neg("empty_message"), want{missing: true}},
		{403, neg("too_long_message"), want{tooLong: true}},
		{403, neg("inappropriate_language_message"), want{}},
		{403, neg("resource_policy_violation_message"), want{}},
		{403, neg("archived"), want{gone: true}},
		{403, neg("not_enough_purchased_services"), want{}},
		{403, neg("chat_is_not_ready"), want{}},
		{400, `{"request_id":"ba","errors":[{"type":"bad_argument","value":"vacancy_id"},{"type":"bad_argument","value":"resume_id"}],` +
			`"bad_arguments":[{"name":"vacancy_id","description":"Vacancy id must be set"}]}`, want{}},
		{400, `{"request_id":"ba2","errors":[{"type":"bad_argument","value":"message","reason":"too_long_value"}]}`, want{}},
		{500, `{"errors":[{"type":"internal_error"}]}`, want{retry: true}},
		{503, `{"errors":[{"type":"service_unavailable"}]}`, want{retry: true}},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%d_%d", i, tt.status), func(t *testing.T) {
			c, mux := setup(t)
			mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "hdr-id")
				if tt.body == "" {
					w.WriteHeader(tt.status)
					return
				}
				writeJSON(w, tt.status, tt.body)
			})
			_, err := c.Apply(context.Background(), "1", "r1", "")
			e := hhError(t, err)
			if e.Op != OpApply || e.StatusCode != tt.status || e.RequestID == "" {
				t.Errorf("error = %+v", e)
			}
			got := want{IsLimitExceeded(err), IsAlreadyApplied(err), IsTestRequired(err), IsLetterMissing(err),
				IsLetterTooLong(err), IsVacancyGone(err), IsRetryable(err)}
			if got != tt.want {
				t.Errorf("predicates = %+v, want %+v", got, tt.want)
			}
			if IsTokenExpired(err) || IsTokenUnusable(err) || IsCaptchaRequired(err) {
				t.Errorf("%v read as a token or captcha problem", err)
			}
		})
	}
}

func neg(value string) string {
	return `{"request_id":"rid-` + value + `","errors":[{"type":"negotiations","value":"` + value + `"}]}`
}

func TestApplyErrorWithoutErrors(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest, `{"description":"\"enable_applicant_visibility_in_country\" param required"}`)
	})
	_, err := c.Apply(context.Background(), "1", "r1", "")
	e := hhError(t, err)
	if e.StatusCode != 400 || len(e.Errors) != 0 || e.Description != `"enable_applicant_visibility_in_country" param required` {
		t.Errorf("error = %+v", e)
	}
	if want := `hh: apply: 400 Bad Request: "\"enable_applicant_visibility_in_country\" param required"`; err.Error() != want {
		t.Errorf("Error() = %s, want %s", err, want)
	}
	if IsLimitExceeded(err) || IsRetryable(err) || IsAlreadyApplied(err) {
		t.Errorf("misread: %v", err)
	}
}

func TestApplyCaptcha(t *testing.T) {
	tests := []struct {
		item string
		want string
	}{
		{`"captcha_url":"https://hh.ru/account/captcha?state=xyz","fallback_url":"https://hh.ru/account/connect/register"`,
			"https://hh.ru/account/captcha?backurl=https%3A%2F%2Fotklik.example%2Freview&state=xyz"},
		{`"fallback_url":"https://hh.ru/account/connect/register?x=1"`,
			"https://hh.ru/account/connect/register?backurl=https%3A%2F%2Fotklik.example%2Freview&x=1"},
	}
	for _, tt := range tests {
		c, mux := setup(t)
		mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusForbidden, `{"request_id":"cap","errors":[{"type":"captcha_required","value":"captcha_required",`+tt.item+`}]}`)
		})
		_, err := c.Apply(context.Background(), "1", "r1", "")
		got, ok := CaptchaURL(err, "https://otklik.example/review")
		if !ok || got != tt.want {
			t.Errorf("CaptchaURL = %q, %v; want %q", got, ok, tt.want)
		}
		if !IsCaptchaRequired(err) || IsRetryable(err) || IsTokenExpired(err) {
			t.Errorf("predicates on %v", err)
		}
	}
	if _, ok := CaptchaURL(errors.New("other"), "x"); ok {
		t.Error("CaptchaURL on a non-hh error")
	}
}

func TestNegotiations(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeaders(t, r, testToken)
		testQuery(t, r, url.Values{
			"page": {"1"}, "per_page": {"50"}, "order_by": {"created_at"}, "order": {"desc"},
			"vacancy_id": {"8331228"}, "status": {"active"}, "has_updates": {"false"}, "with_job_search_status": {"true"},
		})
		writeJSON(w, http.StatusOK, string(fixture(t, "negotiations.json")))
	})
	no := false
	page, err := c.Negotiations(context.Background(), NegotiationsParams{
		Page: 1, PerPage: 50, OrderBy: NegotiationsOrderCreatedAt, Order: "desc", VacancyID: "8331228",
		Status: NegotiationStatusActive, HasUpdates: &no, WithJobSearchStatus: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	n := page.Items[0]
	if page.Found != 1 || n.ID != "123" || n.State.ID != "response" || n.Vacancy.ID != "8331228" ||
		n.Resume.Title != "Go developer" || !n.DeclineAllowed || n.MessagingStatus != "ok" {
		t.Errorf("page = %+v", page)
	}
	for _, p := range []NegotiationsParams{{Page: -1}, {PerPage: 101}, {OrderBy: "x"}, {Order: "up"}, {Status: "won"}} {
		if _, err := c.Negotiations(context.Background(), p); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%+v: %v", p, err)
		}
	}
}

// Once a vacancy is deleted, hh lists the negotiation with its vacancy's url
// and alternate_url null (REFERENCE §7); the page still decodes.
func TestNegotiationsDeletedVacancy(t *testing.T) {
	c, mux := setup(t)
	body := strings.NewReplacer(
		`"url": "https://api.hh.ru/vacancies/8331228"`, `"url": null`,
		`"alternate_url": "https://hh.ru/vacancy/8331228"`, `"alternate_url": null`,
	).Replace(string(fixture(t, "negotiations.json")))
	if strings.Count(body, ": null") < 4 {
		t.Fatal("fixture changed: the vacancy's urls were not nulled")
	}
	mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, body)
	})
	page, err := c.Negotiations(context.Background(), NegotiationsParams{})
	if err != nil {
		t.Fatalf("Negotiations with a deleted vacancy: %v", err)
	}
	if v := page.Items[0].Vacancy; v == nil || v.ID != "8331228" || v.URL != "" || v.AlternateURL != "" {
		t.Errorf("vacancy = %+v, want its id with empty urls", v)
	}
	// The vacancy's id and name stay required.
	nullID := strings.Replace(body, `"id": "8331228"`, `"id": null`, 1)
	c2, mux2 := setup(t)
	mux2.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, nullID)
	})
	if _, err := c2.Negotiations(context.Background(), NegotiationsParams{}); !errors.Is(err, ErrMissingField) {
		t.Errorf("a null vacancy id: %v, want ErrMissingField", err)
	}
}

func TestNegotiationsErrors(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, `{"request_id":"na","description":"current user is not an applicant","errors":[{"type":"forbidden"}]}`)
	})
	_, err := c.Negotiations(context.Background(), NegotiationsParams{})
	if e := hhError(t, err); e.StatusCode != 403 || IsTokenExpired(err) || IsTokenUnusable(err) {
		t.Errorf("a business 403 must not read as a token problem: %v", err)
	}
}

func TestNegotiationID(t *testing.T) {
	for loc, want := range map[string]string{
		"/negotiations/1":                   "1",
		"/negotiations/1/":                  "1",
		"https://api.hh.ru/negotiations/99": "99",
		"/sandbox/negotiations/7":           "7",
		"":                                  "",
		"/vacancies/1":                      "",
	} {
		if got := negotiationID(loc); got != want {
			t.Errorf("negotiationID(%q) = %q, want %q", loc, got, want)
		}
	}
}

// A 429 from apply over the wire: bare, it is the daily limit even with a
// Retry-After (REFERENCE §7); with errors[] too_many_requests, as the
// sandbox's injected rate limit sends it, it is retryable.
func TestApply429RetryAfter(t *testing.T) {
	for _, tt := range []struct {
		name         string
		body         string
		limit, retry bool
	}{
		{"bare", "", true, false},
		{"too_many_requests", `{"request_id":"r","errors":[{"type":"too_many_requests"}]}`, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "60")
				w.Header().Set("X-Request-Id", "hdr-id")
				if tt.body == "" {
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				writeJSON(w, http.StatusTooManyRequests, tt.body)
			})
			_, err := c.Apply(context.Background(), "1", "r1", "")
			if e := hhError(t, err); e.RetryAfter == 0 {
				t.Fatalf("Retry-After not read: %+v", e)
			}
			if IsLimitExceeded(err) != tt.limit || IsRetryable(err) != tt.retry {
				t.Errorf("%v: limit=%v retry=%v, want limit=%v retry=%v", err, IsLimitExceeded(err), IsRetryable(err), tt.limit, tt.retry)
			}
		})
	}
}
