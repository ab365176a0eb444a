package hhsandbox_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
)

// TestClientScenario drives the hh client against the sandbox over HTTP the
// way Otklik does: authorize → token → me → resumes → search → apply →
// every refusal → refresh after expiry → revoke.
func TestClientScenario(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{TokenTTL: time.Minute, DailyLimit: 4})
	ctx := context.Background()
	app, err := hh.NewClient(hh.Config{
		APIURL: e.srv.URL, OAuthURL: e.srv.URL, UserAgent: userAgent,
		ClientID: e.sb.ClientID(), ClientSecret: e.sb.ClientSecret(), MaxRetries: -1,
	})
	if err != nil {
		t.Fatal(err)
	}

	// Authorize in the browser, then exchange the code.
	b := newBrowser(t)
	done := b.loginAndAllow(b.open(app.AuthorizeURL(hh.AuthorizeParams{State: "xyz", RedirectURI: testRedirect})), ivan)
	loc, _ := url.Parse(done.loc)
	if loc.Query().Get("state") != "xyz" {
		t.Fatalf("state lost: %s", done.loc)
	}
	tok, err := app.ExchangeCode(ctx, loc.Query().Get("code"), testRedirect)
	if err != nil {
		t.Fatalf("ExchangeCode: %v", err)
	}
	if tok.ExpiresIn != 60 || tok.RefreshToken == "" {
		t.Errorf("token %+v", tok)
	}
	c := app.WithToken(tok.AccessToken)

	me, err := c.Me(ctx)
	if err != nil || me.ID != ivan || !me.IsApplicant || me.FirstName != "Иван" {
		t.Fatalf("Me: %+v, %v", me, err)
	}
	resumes, err := c.MyResumes(ctx)
	if err != nil || len(resumes) != 3 || !resumes[0].Published() || resumes[2].Published() {
		t.Fatalf("MyResumes: %+v, %v", resumes, err)
	}
	resume := resumes[0].ID

	page, err := c.SimilarVacancies(ctx, resume, hh.SimilarVacanciesParams{
		Text: "разработчик", Area: []string{"113"}, OrderBy: hh.OrderByPublicationTime, PerPage: 50,
	})
	if err != nil || page.Found == 0 || len(page.Items) == 0 {
		t.Fatalf("SimilarVacancies: %+v, %v", page, err)
	}
	for _, v := range page.Items {
		if v.Archived {
			t.Errorf("archived %s in search", v.ID)
		}
	}
	if _, err := c.SimilarVacancies(ctx, resume, hh.SimilarVacanciesParams{Page: 20, PerPage: 100}); err == nil {
		t.Error("a search past depth 2000 succeeded")
	}
	dicts, err := c.Dictionaries(ctx)
	if err != nil || len(dicts.Experience) == 0 || len(dicts.Currency) == 0 {
		t.Errorf("Dictionaries: %v", err)
	}
	areas, err := c.Areas(ctx)
	if err != nil || len(areas) != 3 {
		t.Errorf("Areas: %d, %v", len(areas), err)
	}
	roles, err := c.ProfessionalRoles(ctx)
	if err != nil || len(roles.Categories) == 0 || roles.Categories[0].Roles[0].ID == "" {
		t.Errorf("ProfessionalRoles: %+v, %v", roles, err)
	}

	// Apply to an ordinary vacancy.
	target := e.vacancy(plain)
	full, err := c.Vacancy(ctx, target.ID)
	if err != nil || full.ID != target.ID || full.Description == "" {
		t.Fatalf("Vacancy: %+v, %v", full, err)
	}
	res, err := c.Apply(ctx, target.ID, resume, "Здравствуйте! Мне интересна ваша вакансия.")
	if err != nil || res.NegotiationID == "" || res.NegotiationID != e.sb.Applications()[0].NegotiationID {
		t.Fatalf("Apply: %+v, %v", res, err)
	}
	negs, err := c.Negotiations(ctx, hh.NegotiationsParams{})
	if err != nil || len(negs.Items) != 1 || negs.Items[0].Vacancy.ID != target.ID {
		t.Errorf("Negotiations: %+v, %v", negs, err)
	}

	// A direct vacancy sends the person to the employer's site.
	direct := e.vacancy(func(v hhsandbox.Vacancy) bool { return v.Type == "direct" && !v.Archived })
	if res, err := c.Apply(ctx, direct.ID, resume, ""); err != nil || res.ExternalURL != direct.ResponseURL {
		t.Errorf("direct: %+v, %v", res, err)
	}

	// Every refusal, recognised by the client's predicates.
	letter := e.vacancy(func(v hhsandbox.Vacancy) bool {
		return v.Type == "open" && v.ResponseLetterRequired && !v.HasTest && !v.Archived
	})
	testVac := e.vacancy(func(v hhsandbox.Vacancy) bool { return v.TestRequired && !v.Archived && v.Type != "direct" })
	archived := e.vacancy(func(v hhsandbox.Vacancy) bool { return v.Archived })
	other := e.vacancy(func(v hhsandbox.Vacancy) bool { return plain(v) && v.ID != target.ID })
	refusals := []struct {
		name      string
		vacancy   string
		resume    string
		message   string
		recognise func(error) bool
	}{
		{"already applied", target.ID, resume, "", hh.IsAlreadyApplied},
		{"test required", testVac.ID, resume, "Письмо", hh.IsTestRequired},
		{"letter missing", letter.ID, resume, "", hh.IsLetterMissing},
		{"archived", archived.ID, resume, "Письмо", hh.IsVacancyGone},
		{"unknown vacancy", "1", resume, "", hh.IsVacancyGone},
		{"unpublished resume", other.ID, resumes[2].ID, "", negotiationsValue("resume_not_found")},
		{"foreign resume", other.ID, e.resume(anna, 0), "", negotiationsValue("resume_not_found")},
	}
	for _, r := range refusals {
		if _, err := c.Apply(ctx, r.vacancy, r.resume, r.message); !r.recognise(err) {
			t.Errorf("%s: error %v not recognised", r.name, err)
		}
	}
	// An over-long letter the client refuses itself; the sandbox's own
	// too_long_message is covered by TestApplyTooLongMessage.
	if _, err := c.Apply(ctx, other.ID, resume, strings.Repeat("а", 10001)); err == nil {
		t.Error("a letter of 10001 characters was sent")
	}
	if n := len(e.sb.Refusals()); n != len(refusals) {
		t.Errorf("sandbox recorded %d refusals, want %d", n, len(refusals))
	}

	// Captcha: the client gets a link, the person solves it, the call succeeds.
	e.sb.SetFaults(hhsandbox.Faults{Captcha: true})
	_, err = c.Apply(ctx, other.ID, resume, "")
	link, ok := hh.CaptchaURL(err, "http://app.example.com/back")
	if !hh.IsCaptchaRequired(err) || !ok {
		t.Fatalf("captcha not recognised: %v", err)
	}
	solved := b.submit(b.open(link), "Я не робот", nil)
	if solved.loc != "http://app.example.com/back" {
		t.Errorf("captcha page did not return to backurl: %d %q", solved.status, solved.loc)
	}
	if _, err := c.Apply(ctx, other.ID, resume, ""); err != nil {
		t.Fatalf("after the captcha: %v", err)
	}
	e.sb.SetFaults(hhsandbox.Faults{})

	// The daily limit (4 here): two applied, two more fit, the fifth is refused.
	var more []string
	for _, v := range e.sb.Vacancies() {
		if plain(v) && v.ID != target.ID && v.ID != other.ID && len(more) < 3 {
			more = append(more, v.ID)
		}
	}
	for _, id := range more[:2] {
		if _, err := c.Apply(ctx, id, resume, ""); err != nil {
			t.Fatalf("within the limit: %v", err)
		}
	}
	if _, err := c.Apply(ctx, more[2], resume, ""); !hh.IsLimitExceeded(err) {
		t.Errorf("over the limit: %v", err)
	}

	// Hide a vacancy and an employer.
	if err := c.BlacklistVacancy(ctx, more[2]); err != nil {
		t.Errorf("BlacklistVacancy: %v", err)
	}
	if err := c.BlacklistVacancy(ctx, more[2]); err != nil {
		t.Errorf("BlacklistVacancy again: %v", err)
	}
	if hidden, err := c.BlacklistedVacancies(ctx, hh.ListParams{}); err != nil || hidden.Found != 1 {
		t.Errorf("BlacklistedVacancies: %+v, %v", hidden, err)
	}
	if err := c.UnblacklistVacancy(ctx, more[2]); err != nil {
		t.Errorf("UnblacklistVacancy: %v", err)
	}

	// Refresh: refused before expiry, accepted after, once.
	if _, err := app.RefreshToken(ctx, tok.RefreshToken); !hh.IsRefreshTooEarly(err) {
		t.Errorf("early refresh: %v", err)
	}
	e.sb.Advance(time.Minute)
	if _, err := c.Me(ctx); !hh.IsTokenExpired(err) {
		t.Fatalf("after expiry: %v", err)
	}
	fresh, err := app.RefreshToken(ctx, tok.RefreshToken)
	if err != nil || fresh.AccessToken == tok.AccessToken {
		t.Fatalf("refresh: %+v, %v", fresh, err)
	}
	if _, err := app.RefreshToken(ctx, tok.RefreshToken); !hh.IsTokenUnusable(err) {
		t.Errorf("second refresh with the same token: %v", err)
	}
	c = app.WithToken(fresh.AccessToken)
	if _, err := c.Me(ctx); err != nil {
		t.Fatalf("with the refreshed token: %v", err)
	}

	// Revoke: the token and its refresh token stop working.
	if err := c.RevokeToken(ctx); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	if _, err := c.Me(ctx); !hh.IsTokenUnusable(err) {
		t.Errorf("after revoke: %v", err)
	}
	e.sb.Advance(time.Minute)
	if _, err := app.RefreshToken(ctx, fresh.RefreshToken); !hh.IsTokenUnusable(err) {
		t.Errorf("refresh after revoke: %v", err)
	}
}

// negotiationsValue recognises a negotiations error by value, for refusals
// the client has no predicate for.
func negotiationsValue(value string) func(error) bool {
	return func(err error) bool {
		var he *hh.Error
		if !errors.As(err, &he) || he.StatusCode != http.StatusForbidden {
			return false
		}
		for _, it := range he.Errors {
			if it.Type == "negotiations" && it.Value == value {
				return true
			}
		}
		return false
	}
}

// The sandbox's injected rate limit on apply (429, Retry-After, errors[]
// too_many_requests) reads as a retry through the client, never as the daily
// limit, which a bare 429 from apply would be.
func TestClientReadsInjectedApply429AsRetryable(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	c, err := hh.NewClient(hh.Config{APIURL: e.srv.URL, OAuthURL: e.srv.URL, UserAgent: userAgent, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	token, resume, vacancy := e.token(ivan), e.resume(ivan, 0), e.vacancy(plain)
	e.sb.SetFaults(hhsandbox.Faults{RateLimitRate: 1, RetryAfter: 2 * time.Second})
	_, err = c.WithToken(token).Apply(context.Background(), vacancy.ID, resume, "")
	var he *hh.Error
	if !errors.As(err, &he) || he.StatusCode != http.StatusTooManyRequests || he.RetryAfter != 2*time.Second {
		t.Fatalf("Apply = %v, want the injected 429 with Retry-After 2s", err)
	}
	if hh.IsLimitExceeded(err) || !hh.IsRetryable(err) {
		t.Errorf("%v: limit=%v retry=%v, want a retryable rate limit", err, hh.IsLimitExceeded(err), hh.IsRetryable(err))
	}
}
