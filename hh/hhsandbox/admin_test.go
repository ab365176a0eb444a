package hhsandbox_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

func (e *env) admin(method, path, body string) response {
	e.t.Helper()
	return e.request(method, "/_sandbox/"+path, "", strings.NewReader(body), "application/json")
}

func TestAdminClock(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	var clock struct{ Now string }
	e.admin("POST", "clock", `{"advance":"25h"}`).json(t, &clock)
	if clock.Now != fixedNow.Add(25*time.Hour).Format(time.RFC3339) || !e.sb.Now().Equal(fixedNow.Add(25*time.Hour)) {
		t.Errorf("after advancing 25h: %s", clock.Now)
	}
	e.admin("POST", "clock", `{"now":"2025-04-01T09:00:00+03:00"}`).json(t, &clock)
	if want := time.Date(2025, 4, 1, 6, 0, 0, 0, time.UTC); !e.sb.Now().Equal(want) {
		t.Errorf("set now: %s, want %s", e.sb.Now(), want)
	}
	e.admin("GET", "clock", "").json(t, &clock)
	if clock.Now == "" {
		t.Error("GET clock says nothing")
	}
	if r := e.admin("POST", "clock", `{"advance":"soon"}`); r.StatusCode != 400 {
		t.Errorf("bad duration: %d", r.StatusCode)
	}
}

func TestAdminVacancies(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	r := e.admin("POST", "vacancies", `{"name":"Go-разработчик в песочницу","area_id":"2","salary_from":300000,"response_letter_required":true}`)
	var added []hhsandbox.Vacancy
	r.json(t, &added)
	if r.StatusCode != 200 || len(added) != 1 || added[0].ID == "" || added[0].Currency != "RUR" || !added[0].PublishedAt.Equal(fixedNow) {
		t.Fatalf("add: %d %s", r.StatusCode, r.body)
	}
	id := added[0].ID
	// A change names only the fields it changes.
	e.admin("POST", "vacancies", `[{"id":"`+id+`","archived":true}]`)
	v, ok := e.sb.Vacancy(id)
	if !ok || !v.Archived || !v.ResponseLetterRequired || v.Name != "Go-разработчик в песочницу" || v.AreaID != "2" {
		t.Errorf("after patching archived: %+v", v)
	}
	var got hhsandbox.Vacancy
	e.admin("GET", "vacancies/"+id, "").json(t, &got)
	if got.ID != id {
		t.Errorf("GET vacancies/%s: %+v", id, got)
	}
	if r := e.admin("POST", "vacancies", `{"area_id":"nowhere"}`); r.StatusCode != 400 {
		t.Errorf("unknown area: %d", r.StatusCode)
	}
	// The API serves the change at once.
	if r := e.apply(e.token(ivan), id, e.resume(ivan, 0), "Письмо"); r.StatusCode != 403 {
		t.Errorf("archived by the admin API: %d", r.StatusCode)
	}
}

func TestAdminPublishNew(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	before := e.search(tok, "").Found
	var out struct{ IDs []string }
	e.admin("POST", "publish", `{"count":5}`).json(t, &out)
	if len(out.IDs) != 5 {
		t.Fatalf("published %v", out.IDs)
	}
	p := e.search(tok, "order_by=publication_time&per_page=20")
	if p.Found != before+5 {
		t.Errorf("found %d, want %d", p.Found, before+5)
	}
	newest := map[string]bool{}
	for _, it := range p.Items[:5] {
		newest[it.ID] = true
	}
	for _, id := range out.IDs {
		if !newest[id] {
			t.Errorf("new vacancy %s is not among the newest", id)
		}
	}
	if ids := e.sb.PublishNew(2); len(ids) != 2 {
		t.Errorf("PublishNew(2) = %v", ids)
	}
}

func TestAdminRelationsApplicationsRefusals(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok, v := e.token(ivan), e.vacancy(plain)
	e.apply(tok, v.ID, e.resume(ivan, 0), "Письмо")
	e.apply(tok, v.ID, e.resume(ivan, 0), "Ещё раз")
	if r := e.admin("POST", "relations", `{"user_id":"`+ivan+`","vacancy_id":"`+v.ID+`","relation":"got_invitation"}`); r.StatusCode != 204 {
		t.Fatalf("relations: %d %s", r.StatusCode, r.body)
	}
	if r := e.admin("POST", "relations", `{"user_id":"`+ivan+`","vacancy_id":"`+v.ID+`","relation":"bogus"}`); r.StatusCode != 400 {
		t.Errorf("bogus relation: %d", r.StatusCode)
	}
	var apps []hhsandbox.Application
	e.admin("GET", "applications", "").json(t, &apps)
	if len(apps) != 1 || apps[0].Message != "Письмо" || apps[0].UserID != ivan {
		t.Errorf("applications %+v", apps)
	}
	var refusals []hhsandbox.Refusal
	e.admin("GET", "refusals", "").json(t, &refusals)
	if len(refusals) != 1 || refusals[0].Value != "already_applied" || refusals[0].Message != "Ещё раз" {
		t.Errorf("refusals %+v", refusals)
	}
}

func TestAdminFaults(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	r := e.admin("POST", "faults", `{"captcha":true,"daily_limit":5,"limit_status":429,"token_ttl":"30s"}`)
	var f map[string]any
	r.json(t, &f)
	if r.StatusCode != 200 || f["captcha"] != true || f["daily_limit"] != float64(5) || f["token_ttl"] != "30s" {
		t.Fatalf("faults: %d %s", r.StatusCode, r.body)
	}
	// Fields not named keep their values.
	e.admin("POST", "faults", `{"error_rate":0}`).json(t, &f)
	if f["captcha"] != true || f["limit_status"] != float64(429) {
		t.Errorf("a partial update reset other fields: %v", f)
	}
	if got := e.sb.Faults(); !got.Captcha || got.DailyLimit != 5 || got.TokenTTL != 30*time.Second {
		t.Errorf("Faults() = %+v", got)
	}
	for _, bad := range []string{`{"error_rate":2}`, `{"limit_status":418}`, `{"latency":"fast"}`} {
		if r := e.admin("POST", "faults", bad); r.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", bad, r.StatusCode)
		}
	}
}

func TestAdminTokens(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	var issued struct {
		AccessToken string `json:"access_token"`
	}
	e.admin("POST", "tokens/issue", `{"user_id":"`+ivan+`"}`).json(t, &issued)
	annaTok := e.token(anna)
	if r := e.get("/me", issued.AccessToken); r.StatusCode != 200 {
		t.Fatalf("issued token: %d", r.StatusCode)
	}
	e.admin("POST", "tokens/expire", `{"user_ids":["`+ivan+`"]}`)
	if r := e.get("/me", issued.AccessToken); r.StatusCode != 403 || r.errorValues(t)[0] != "oauth/token_expired" {
		t.Errorf("expired: %d %s", r.StatusCode, r.body)
	}
	if r := e.get("/me", annaTok); r.StatusCode != 200 {
		t.Errorf("anna's token expired with ivan's")
	}
	e.admin("POST", "tokens/revoke", ``)
	if r := e.get("/me", annaTok); r.StatusCode != 403 || r.errorValues(t)[0] != "oauth/token_revoked" {
		t.Errorf("revoke all: %d %s", r.StatusCode, r.body)
	}
}

func TestAdminReset(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok, v := e.token(ivan), e.vacancy(plain)
	e.apply(tok, v.ID, e.resume(ivan, 0), "")
	e.sb.PublishNew(3)
	e.sb.SetFaults(hhsandbox.Faults{Captcha: true})
	if r := e.admin("POST", "reset", ""); r.StatusCode != 204 {
		t.Fatalf("reset: %d", r.StatusCode)
	}
	if len(e.sb.Applications()) != 0 || len(e.sb.Vacancies()) != 600 || e.sb.Faults().Captcha {
		t.Error("reset kept state")
	}
	if r := e.get("/me", tok); r.StatusCode != 403 {
		t.Error("tokens survive a reset")
	}
}

func TestAdminIndexAndUsers(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	var index map[string]any
	e.admin("GET", "", "").json(t, &index)
	if index["client_id"] != e.sb.ClientID() || index["client_secret"] != e.sb.ClientSecret() {
		t.Errorf("index: %v", index)
	}
	var users []hhsandbox.User
	e.admin("GET", "users", "").json(t, &users)
	if len(users) != 5 || users[0].ID != ivan || len(users[0].Resumes) != 3 {
		t.Errorf("users: %+v", users)
	}
	raw, _ := json.Marshal(users[0])
	if !strings.Contains(string(raw), `"first_name":"Иван"`) {
		t.Errorf("users JSON: %s", raw)
	}
	page := e.get("/", "")
	if page.StatusCode != http.StatusOK || !strings.Contains(string(page.body), "Песочница hh.ru") {
		t.Errorf("front page: %d", page.StatusCode)
	}
}
