package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The sandbox's own pages carry the app's security headers (no other site
// may frame the OAuth consent page), and its response page leads to the
// vacancy page under /sandbox.
func TestSandboxPagesCarrySecurityHeaders(t *testing.T) {
	inst, base := startInstance(t, nil)
	vacancy := inst.Sandbox.Vacancies()[0].ID
	authorize := "/sandbox/oauth/authorize?" + url.Values{"response_type": {"code"}, "client_id": {SandboxClientID},
		"redirect_uri": {base + "/hh/callback"}, "state": {"s"}}.Encode()
	v := newVisitor(t, base)
	for _, path := range []string{authorize, "/sandbox/vacancy/" + vacancy, "/sandbox/account/captcha", "/sandbox/dictionaries"} {
		res, err := v.c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h := res.Header
		if h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s (%d): headers %v, want the app's security headers", path, res.StatusCode, h)
		}
	}

	res, err := v.c.Get(base + "/sandbox/applicant/vacancy_response?vacancyId=" + vacancy)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := res.Location()
	if err != nil || res.StatusCode != http.StatusFound || loc.Path != "/sandbox/vacancy/"+vacancy {
		t.Fatalf("vacancy_response: %d to %v (%v), want /sandbox/vacancy/%s", res.StatusCode, loc, err, vacancy)
	}
	if status, _ := v.do(http.MethodGet, loc.Path, nil); status != http.StatusOK {
		t.Errorf("the vacancy page it leads to: %d", status)
	}
}
