package hhsandbox_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browser walks the sandbox's HTML pages like a person would: it keeps
// cookies, does not follow redirects (they leave for the application), and
// submits forms by pressing a button, resolving the form action against the
// page URL.
type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a fetched page with its URL.
type page struct {
	url    *url.URL
	status int
	body   string
	loc    string // Location of a redirect
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{url: req.URL, status: resp.StatusCode, body: string(body), loc: resp.Header.Get("Location")}
}

func (b *browser) open(rawURL string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

var (
	formRe   = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)">(.*?)</form>`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// press submits the form holding the button name=value, with extra fields.
func (b *browser) press(p page, name, value string, extra url.Values) page {
	b.t.Helper()
	fields := url.Values{name: {value}}
	for k, vs := range extra {
		fields[k] = vs
	}
	return b.submit(p, `name="`+name+`" value="`+value+`"`, fields)
}

// submit posts the first form whose HTML contains marker: its hidden
// fields plus fields.
func (b *browser) submit(p page, marker string, fields url.Values) page {
	b.t.Helper()
	for _, m := range formRe.FindAllStringSubmatch(p.body, -1) {
		if !strings.Contains(m[2], marker) {
			continue
		}
		form := url.Values{}
		for _, h := range hiddenRe.FindAllStringSubmatch(m[2], -1) {
			form.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
		}
		for k, vs := range fields {
			form[k] = vs
		}
		action, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			b.t.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPost, p.url.ResolveReference(action).String(), strings.NewReader(form.Encode()))
		if err != nil {
			b.t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return b.do(req)
	}
	b.t.Fatalf("no form with %s on %s:\n%s", marker, p.url, p.body)
	return page{}
}

// authorizeURL is the application's link to the login page.
func (e *env) authorizeURL(extra url.Values) string {
	q := url.Values{"response_type": {"code"}, "client_id": {e.sb.ClientID()}, "state": {"st-123"}, "redirect_uri": {testRedirect}}
	for k, vs := range extra {
		q[k] = vs
	}
	return e.srv.URL + "/oauth/authorize?" + q.Encode()
}

// loginAndAllow signs in as userID on the login page p and allows access
// if asked (a user who consented before is redirected at once).
func (b *browser) loginAndAllow(p page, userID string) page {
	b.t.Helper()
	p = b.press(p, "user", userID, nil)
	if p.status == http.StatusOK {
		p = b.press(p, "decision", "allow", nil)
	}
	return p
}

// authorizeCode walks login and consent as userID and returns the code.
func (e *env) authorizeCode(userID string) string {
	e.t.Helper()
	b := newBrowser(e.t)
	p := b.loginAndAllow(b.open(e.authorizeURL(nil)), userID)
	loc, err := url.Parse(p.loc)
	if p.status != http.StatusFound || err != nil || loc.Query().Get("code") == "" {
		e.t.Fatalf("consent did not redirect with a code: %d %q", p.status, p.loc)
	}
	return loc.Query().Get("code")
}
