package hhsandbox_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

// wantRefusal asserts the status and negotiations value of a refused
// application, and that the sandbox recorded it.
func (e *env) wantRefusal(r response, status int, value string) {
	e.t.Helper()
	if r.StatusCode != status || strings.Join(r.errorValues(e.t), ",") != "negotiations/"+value {
		e.t.Errorf("got %d %s, want %d negotiations/%s", r.StatusCode, r.body, status, value)
		return
	}
	refusals := e.sb.Refusals()
	if len(refusals) == 0 || refusals[len(refusals)-1].Value != value || refusals[len(refusals)-1].Status != status {
		e.t.Errorf("refusal %s not recorded last: %+v", value, refusals)
	}
}

func TestApplyURLEncodedCreatesNegotiation(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	v := e.vacancy(plain)
	r := e.apply(e.token(ivan), v.ID, e.resume(ivan, 0), "Здравствуйте!")
	if r.StatusCode != http.StatusCreated || len(r.body) != 0 {
		t.Fatalf("apply: %d %q, want 201 with an empty body", r.StatusCode, r.body)
	}
	apps := e.sb.Applications()
	if len(apps) != 1 {
		t.Fatalf("applications %+v, want one", apps)
	}
	a := apps[0]
	if r.Header.Get("Location") != "/negotiations/"+a.NegotiationID || a.NegotiationID == "" {
		t.Errorf("Location %q, want /negotiations/%s", r.Header.Get("Location"), a.NegotiationID)
	}
	if a.VacancyID != v.ID || a.ResumeID != e.resume(ivan, 0) || a.UserID != ivan || a.Message != "Здравствуйте!" || !a.Time.Equal(fixedNow) {
		t.Errorf("application %+v", a)
	}
}

func TestApplyMultipartCreatesNegotiation(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	v := e.vacancy(plain)
	r := e.applyMultipart(e.token(ivan), v.ID, e.resume(ivan, 0), "Письмо")
	if r.StatusCode != http.StatusCreated || !strings.HasPrefix(r.Header.Get("Location"), "/negotiations/") {
		t.Fatalf("multipart apply: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if a := e.sb.Applications(); len(a) != 1 || a[0].Message != "Письмо" {
		t.Errorf("applications %+v", a)
	}
}

func TestApplyJSONIsRefusedLikeHH(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	v := e.vacancy(plain)
	body := `{"vacancy_id":"` + v.ID + `","resume_id":"` + e.resume(ivan, 0) + `"}`
	r := e.request(http.MethodPost, "/negotiations", e.token(ivan), strings.NewReader(body), "application/json")
	var got struct {
		BadArguments []struct{ Name, Description string } `json:"bad_arguments"`
	}
	r.json(t, &got)
	if r.StatusCode != 400 || strings.Join(r.errorValues(t), ",") != "bad_argument/vacancy_id,bad_argument/resume_id" ||
		len(got.BadArguments) != 2 || got.BadArguments[0].Description != "Vacancy id must be set" {
		t.Errorf("JSON body: %d %s", r.StatusCode, r.body)
	}
	if len(e.sb.Applications()) != 0 {
		t.Error("a JSON body created an application")
	}
}

func TestApplyDirectVacancyRedirects(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	v := e.vacancy(func(v hhsandbox.Vacancy) bool { return v.Type == "direct" && !v.Archived })
	r := e.apply(e.token(ivan), v.ID, e.resume(ivan, 0), "")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != v.ResponseURL {
		t.Fatalf("direct: %d %q, want 303 to %s", r.StatusCode, r.Header.Get("Location"), v.ResponseURL)
	}
	if len(e.sb.Applications()) != 0 || len(e.sb.Redirects()) != 1 {
		t.Errorf("a direct vacancy must create no negotiation: %d applications, %d redirects", len(e.sb.Applications()), len(e.sb.Redirects()))
	}
}

func TestApplyAlreadyApplied(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok, v := e.token(ivan), e.vacancy(plain)
	e.apply(tok, v.ID, e.resume(ivan, 0), "")
	e.wantRefusal(e.apply(tok, v.ID, e.resume(ivan, 0), ""), 403, "already_applied")
}

func TestApplyTestRequired(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	v := e.vacancy(func(v hhsandbox.Vacancy) bool { return v.TestRequired && !v.Archived && v.Type != "direct" })
	e.wantRefusal(e.apply(e.token(ivan), v.ID, e.resume(ivan, 0), "Письмо"), 403, "test_required")
	// An optional test does not stop an application.
	opt := e.vacancy(func(v hhsandbox.Vacancy) bool {
		return v.HasTest && !v.TestRequired && !v.Archived && v.Type == "open" && !v.ResponseLetterRequired
	})
	if r := e.apply(e.token(ivan), opt.ID, e.resume(ivan, 0), ""); r.StatusCode != 201 {
		t.Errorf("optional test: %d %s", r.StatusCode, r.body)
	}
}

func TestApplyEmptyMessage(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	v := e.vacancy(func(v hhsandbox.Vacancy) bool {
		return v.Type == "open" && v.ResponseLetterRequired && !v.HasTest && !v.Archived
	})
	tok := e.token(ivan)
	e.wantRefusal(e.apply(tok, v.ID, e.resume(ivan, 0), ""), 403, "empty_message")
	e.wantRefusal(e.apply(tok, v.ID, e.resume(ivan, 0), "   "), 403, "empty_message")
	if r := e.apply(tok, v.ID, e.resume(ivan, 0), "Добрый день, прошу рассмотреть."); r.StatusCode != 201 {
		t.Errorf("with a letter: %d %s", r.StatusCode, r.body)
	}
}

func TestApplyTooLongMessage(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok, v := e.token(ivan), e.vacancy(plain)
	e.wantRefusal(e.apply(tok, v.ID, e.resume(ivan, 0), strings.Repeat("я", 10001)), 403, "too_long_message")
	// 10000 characters (20000 bytes of Cyrillic) are fine.
	if r := e.apply(tok, v.ID, e.resume(ivan, 0), strings.Repeat("я", 10000)); r.StatusCode != 201 {
		t.Errorf("10000 characters: %d %s", r.StatusCode, r.body)
	}
}

func TestApplyArchivedIsInvalidVacancy(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	v := e.vacancy(func(v hhsandbox.Vacancy) bool { return v.Archived })
	e.wantRefusal(e.apply(e.token(ivan), v.ID, e.resume(ivan, 0), "Письмо"), 403, "invalid_vacancy")
}

func TestApplyResumeNotFound(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok, v := e.token(ivan), e.vacancy(plain)
	e.wantRefusal(e.apply(tok, v.ID, e.resume(ivan, 2), ""), 403, "resume_not_found") // unpublished
	e.wantRefusal(e.apply(tok, v.ID, e.resume(anna, 0), ""), 403, "resume_not_found") // someone else's
	e.wantRefusal(e.apply(tok, v.ID, "nosuchresume", ""), 403, "resume_not_found")
}

func TestApplyUnknownVacancy(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	e.wantRefusal(e.apply(e.token(ivan), "1", e.resume(ivan, 0), ""), 400, "vacancy_not_found")
}

func TestApplyDailyLimitInRollingWindow(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{DailyLimit: 3})
	tok := e.token(ivan)
	var ids []string
	for _, v := range e.sb.Vacancies() {
		if plain(v) {
			ids = append(ids, v.ID)
		}
	}
	for i := range 3 {
		if r := e.apply(tok, ids[i], e.resume(ivan, 0), ""); r.StatusCode != 201 {
			t.Fatalf("application %d: %d %s", i, r.StatusCode, r.body)
		}
		e.sb.Advance(time.Hour)
	}
	e.wantRefusal(e.apply(tok, ids[3], e.resume(ivan, 0), ""), 400, "limit_exceeded")
	// Another user has a limit of their own.
	if r := e.apply(e.token(anna), ids[3], e.resume(anna, 0), ""); r.StatusCode != 201 {
		t.Errorf("anna is limited by ivan's applications: %d", r.StatusCode)
	}
	// 24 hours after the first application one slot frees, not more.
	e.sb.Advance(21 * time.Hour)
	if r := e.apply(tok, ids[3], e.resume(ivan, 0), ""); r.StatusCode != 201 {
		t.Fatalf("after the window moved: %d %s", r.StatusCode, r.body)
	}
	e.wantRefusal(e.apply(tok, ids[4], e.resume(ivan, 0), ""), 400, "limit_exceeded")
	e.sb.Advance(time.Hour)
	if r := e.apply(tok, ids[4], e.resume(ivan, 0), ""); r.StatusCode != 201 {
		t.Errorf("second slot: %d %s", r.StatusCode, r.body)
	}
}

func TestApplyLimitStatusIsConfigurable(t *testing.T) {
	for _, status := range []int{400, 403, 429} {
		e := newEnv(t, hhsandbox.Options{DailyLimit: 1, Faults: hhsandbox.Faults{LimitStatus: status}})
		tok := e.token(ivan)
		first := e.vacancy(plain)
		e.apply(tok, first.ID, e.resume(ivan, 0), "")
		second := e.vacancy(func(v hhsandbox.Vacancy) bool { return plain(v) && v.ID != first.ID })
		e.wantRefusal(e.apply(tok, second.ID, e.resume(ivan, 0), ""), status, "limit_exceeded")
	}
}

func TestApplyCaptcha(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok, v := e.token(ivan), e.vacancy(plain)
	e.sb.SetFaults(hhsandbox.Faults{Captcha: true})
	r := e.apply(tok, v.ID, e.resume(ivan, 0), "")
	var body struct {
		Errors []struct {
			Type, Value string
			CaptchaURL  string `json:"captcha_url"`
		}
	}
	r.json(t, &body)
	if r.StatusCode != 403 || len(body.Errors) != 1 || body.Errors[0].Type != "captcha_required" ||
		!strings.HasPrefix(body.Errors[0].CaptchaURL, e.srv.URL+"/account/captcha?") {
		t.Fatalf("captcha: %d %s", r.StatusCode, r.body)
	}
	if ref := e.sb.Refusals(); len(ref) != 1 || ref[0].Type != "captcha_required" {
		t.Errorf("captcha refusal not recorded: %+v", ref)
	}
	// The user solves it in the browser and comes back to the application.
	b := newBrowser(t)
	captcha := b.open(body.Errors[0].CaptchaURL + "&backurl=" + "http%3A%2F%2Fapp.example.com%2Freview")
	solved := b.submit(captcha, "Я не робот", nil)
	if solved.status != http.StatusSeeOther || solved.loc != "http://app.example.com/review" {
		t.Errorf("solving the captcha: %d %q, want a redirect to backurl", solved.status, solved.loc)
	}
	if r := e.apply(tok, v.ID, e.resume(ivan, 0), ""); r.StatusCode != 201 {
		t.Errorf("after solving: %d %s", r.StatusCode, r.body)
	}
	// Others still see it; switching it off lets them through.
	if r := e.apply(e.token(anna), v.ID, e.resume(anna, 0), ""); r.StatusCode != 403 {
		t.Errorf("anna did not solve the captcha: %d", r.StatusCode)
	}
	e.sb.SetFaults(hhsandbox.Faults{})
	if r := e.apply(e.token(anna), v.ID, e.resume(anna, 0), ""); r.StatusCode != 201 {
		t.Errorf("captcha off: %d", r.StatusCode)
	}
}

func TestApplyMissingFields(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	r := e.apply(e.token(ivan), "", e.resume(ivan, 0), "")
	if r.StatusCode != 400 || strings.Join(r.errorValues(t), ",") != "bad_argument/vacancy_id" {
		t.Errorf("missing vacancy_id: %d %s", r.StatusCode, r.body)
	}
}

func TestNegotiationsList(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	first := e.vacancy(plain)
	second := e.vacancy(func(v hhsandbox.Vacancy) bool { return plain(v) && v.ID != first.ID })
	e.apply(tok, first.ID, e.resume(ivan, 0), "")
	e.sb.Advance(time.Minute)
	e.apply(tok, second.ID, e.resume(ivan, 1), "")
	var list struct {
		Found int
		Items []struct {
			ID      string
			State   struct{ ID string }
			Vacancy struct {
				ID string
			}
			Resume struct{ ID string }
		}
	}
	e.get("/negotiations", tok).json(t, &list)
	if list.Found != 2 || list.Items[0].Vacancy.ID != second.ID || list.Items[0].Resume.ID != e.resume(ivan, 1) || list.Items[0].State.ID != "response" {
		t.Fatalf("negotiations: %+v", list)
	}
	if err := e.sb.SetRelation(ivan, first.ID, "got_invitation"); err != nil {
		t.Fatal(err)
	}
	e.get("/negotiations?status=invitations", tok).json(t, &list)
	if list.Found != 1 || list.Items[0].Vacancy.ID != first.ID || list.Items[0].State.ID != "invitation" {
		t.Errorf("invitations: %+v", list)
	}
	e.get("/negotiations", e.token(anna)).json(t, &list)
	if list.Found != 0 {
		t.Errorf("anna sees ivan's negotiations: %+v", list)
	}
	if r := e.get("/negotiations/"+e.sb.Applications()[0].NegotiationID, tok); r.StatusCode != 200 {
		t.Errorf("GET /negotiations/{id}: %d", r.StatusCode)
	}
}

// Refusals records an application refused before it was looked at too: no
// user agent, an injected 5xx or 429, an oauth 403, a non-applicant. Other
// routes refused the same way record nothing, and a refusal handleApply makes
// is recorded once.
func TestApplyEarlyRefusalsAreRecorded(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok, resume, v := e.token(ivan), e.resume(ivan, 0), e.vacancy(plain)
	body := url.Values{"vacancy_id": {v.ID}, "resume_id": {resume}, "message": {"Письмо"}}.Encode()
	post := func(token string, ua bool) response {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/negotiations", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", "") // Go's default agent would count as one
		if ua {
			req.Header.Set("HH-User-Agent", userAgent)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return e.do(req)
	}
	type want struct {
		status      int
		typ, value  string
		user        string
		withoutBody bool
	}
	check := func(name string, r response, w want) {
		t.Helper()
		if r.StatusCode != w.status {
			t.Fatalf("%s: answered %d %s, want %d", name, r.StatusCode, r.body, w.status)
		}
		refusals := e.sb.Refusals()
		if len(refusals) == 0 {
			t.Fatalf("%s: no refusal recorded", name)
		}
		got := refusals[len(refusals)-1]
		if got.Status != w.status || got.Type != w.typ || got.Value != w.value || got.UserID != w.user ||
			got.VacancyID != v.ID || got.ResumeID != resume || got.Message != "Письмо" || !got.Time.Equal(fixedNow) {
			t.Errorf("%s: recorded %+v, want %+v", name, got, w)
		}
	}

	check("no user agent", post(tok, false), want{status: 400, typ: "bad_user_agent", value: "unset", user: ivan})
	check("unknown token", post("USERNOSUCHTOKEN", true), want{status: 403, typ: "oauth", value: "bad_authorization"})
	check("not an applicant", post(e.token(employerUser), true), want{status: 403, typ: "forbidden", user: employerUser})

	e.sb.SetFaults(hhsandbox.Faults{RateLimitRate: 1})
	check("injected 429", post(tok, true), want{status: 429, typ: "too_many_requests", user: ivan})
	e.sb.SetFaults(hhsandbox.Faults{ErrorRate: 1})
	kinds := map[int]bool{}
	for range 30 {
		r := post(tok, true)
		kinds[r.StatusCode] = true
		got := e.sb.Refusals()
		if last := got[len(got)-1]; last.Status != r.StatusCode || last.UserID != ivan {
			t.Fatalf("injected %d recorded as %+v", r.StatusCode, last)
		}
	}
	if !kinds[500] || !kinds[502] || !kinds[503] {
		t.Errorf("injected kinds %v, want 500, 502 and 503", kinds)
	}
	e.sb.SetFaults(hhsandbox.Faults{})

	e.sb.ExpireTokens()
	check("expired token", post(tok, true), want{status: 403, typ: "oauth", value: "token_expired", user: ivan})

	n := len(e.sb.Refusals())
	if r := e.get("/negotiations", "USERNOSUCHTOKEN"); r.StatusCode != 403 {
		t.Fatalf("GET /negotiations with an unknown token: %d", r.StatusCode)
	}
	if got := len(e.sb.Refusals()); got != n {
		t.Errorf("a refused GET /negotiations recorded %d refusals", got-n)
	}
	fresh := e.token(ivan)
	e.apply(fresh, v.ID, resume, "")
	e.wantRefusal(e.apply(fresh, v.ID, resume, ""), 403, "already_applied")
	if got := len(e.sb.Refusals()); got != n+1 {
		t.Errorf("one already_applied recorded %d refusals", got-n)
	}
}
