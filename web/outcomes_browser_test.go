package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/otklik/otklik/hh/hhsandbox"
)

// TestBrowserOutcomes: in real headless Chromium, a person's applications
// are viewed, invited and discarded at hh; «Обновить» on the dashboard syncs
// them through the worker, and the funnel shows exactly those counts, with
// the daily chart, on a desktop and on a 390 px phone without sideways
// scrolling. It saves web/screenshots/dashboard-outcomes{,-phone}.png.
func TestBrowserOutcomes(t *testing.T) {
	chrome := chromiumOrSkip(t)
	env := newJourneyEnv(t)
	base := env.web.URL
	ctx := browserContext(t, chrome, 3*time.Minute)
	failed := func(step string, err error) {
		t.Helper()
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nat %s\n%s", step, err, loc, body)
	}
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			failed(step, err)
		}
	}
	eval := func(step, js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			failed(step, err)
		}
		return n
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			failed("screenshot "+name, err)
		}
		if err := os.WriteFile(filepath.Join(screenshotDir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	submit := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Evaluate[bool](`document.body.setAttribute("data-stale", "1"), true`)(ctx, tg)
				return err
			}),
			chromedp.Click(css(sel)),
			chromedp.WaitNotPresent(css("body[data-stale]")),
			chromedp.WaitReady(css("body")),
		)
	}
	funnel := func(key string) int {
		return eval("read the funnel", fmt.Sprintf(`(() => { const e = document.querySelector('[data-funnel=%q]'); return e ? parseInt(e.textContent, 10) : -1 })()`, key))
	}

	var hhUser hhsandbox.User
	for _, u := range env.sandbox.Users() {
		if u.Applicant && len(u.Resumes) > 0 && u.Resumes[0].Published {
			hhUser = u
			break
		}
	}
	run("register, connect hh, create a rule and run it",
		chromedp.Navigate(base+"/register"),
		chromedp.SendKeys(css("#email"), "seeker@example.com"),
		chromedp.SendKeys(css("#password"), "correct horse battery"),
		submit(`form[action="/register"] button[type=submit]`),
		chromedp.Click(css(`main a[href="/hh/connect"]`)),
		chromedp.WaitVisible(css(fmt.Sprintf(`button[data-user-id=%q]`, hhUser.ID))),
		chromedp.Click(css(fmt.Sprintf(`button[data-user-id=%q]`, hhUser.ID))),
		chromedp.WaitVisible(css(`button[name=decision][value=allow]`)),
		chromedp.Click(css(`button[name=decision][value=allow]`)),
		chromedp.WaitVisible(css(`a[href="/hh/connect?force_login=1"]`)),
		chromedp.Navigate(base+"/rules/new"),
		chromedp.SendKeys(css("#name"), "Всё подряд"),
		chromedp.SetValue(css("#resume_id"), hhUser.Resumes[0].ID),
		chromedp.SetValue(css("#daily_limit"), "30"),
		chromedp.SetValue(css("#active_from"), "00:00"),
		chromedp.SetValue(css("#active_to"), "00:00"),
		submit(`form[action="/rules"] button[type=submit]`),
		chromedp.WaitVisible(css(`form[action$="/run"] button`)),
		submit(`form[action$="/run"] button`),
	)
	// Wait for the run's applications to stop arriving.
	deadline := time.Now().Add(time.Minute)
	for last := -1; ; {
		n := len(env.sandbox.Applications())
		if n >= 10 && n == last {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("applications never settled: %d at the sandbox", n)
		}
		last = n
		time.Sleep(2 * time.Second)
	}

	// The employers answer: every fifth invites, the next discards, the
	// next only looks.
	want := map[string]int{}
	yes := true
	for i, a := range env.sandbox.Applications() {
		want["applied"]++
		state := ""
		switch i % 5 {
		case 0:
			state = "invitation"
		case 1:
			state = "discard"
		case 2:
		default:
			continue
		}
		if err := env.sandbox.SetNegotiation(a.NegotiationID, state, &yes); err != nil {
			t.Fatal(err)
		}
		want["viewed"]++
		if state != "" {
			want[state]++
		}
	}
	// Wait until the ledger says applied for every application hh has.
	deadline = time.Now().Add(time.Minute)
	for {
		run("dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`[data-funnel="applied"]`)))
		if funnel("applied") == want["applied"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the funnel shows %d applied, hh has %d", funnel("applied"), want["applied"])
		}
		time.Sleep(300 * time.Millisecond)
	}
	run("press «Обновить»", submit(`button[data-action="outcomes-refresh"]`), chromedp.WaitVisible(css(`.flash`)))
	deadline = time.Now().Add(time.Minute)
	for funnel("invitation") != want["invitation"] {
		if time.Now().After(deadline) {
			failed("wait for the sync", fmt.Errorf("invitations %d, want %d", funnel("invitation"), want["invitation"]))
		}
		time.Sleep(300 * time.Millisecond)
		run("reload", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`[data-funnel]`)))
	}
	for _, key := range []string{"applied", "viewed", "invitation", "discard"} {
		if got := funnel(key); got != want[key] {
			t.Errorf("funnel %s = %d, want %d", key, got, want[key])
		}
	}
	if n := eval("find the chart", `document.querySelectorAll('svg[data-chart="daily"] rect[data-invitations]').length`); n != 1 {
		t.Errorf("the chart draws %d days with invitations, want today's", n)
	}
	shot("dashboard-outcomes.png")

	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`svg[data-chart]`)))
	if w := eval("page width", `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("on a 390 px phone the dashboard is %s px wide: it scrolls sideways", strconv.Itoa(w))
	}
	if w := eval("chart width", `Math.round(document.querySelector('svg[data-chart]').getBoundingClientRect().width)`); w > 390 || w < 280 {
		t.Errorf("on a 390 px phone the chart is %d px wide", w)
	}
	shot("dashboard-outcomes-phone.png")
}
