package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/store"
)

// journey is the browser journey's state and helpers, handed to its later
// chapters.
type journey struct {
	env     *journeyEnv
	ctx     context.Context
	base    string
	hhUser  hhsandbox.User
	run     func(step string, actions ...chromedp.Action[chromedp.Void])
	read    func(step string, a chromedp.Action[string]) string
	count   func(sel string) int
	waitFor func(path, sel string, within time.Duration)
	submit  func(sel string) chromedp.Action[chromedp.Void]
	failed  func(step string, err error)
}

// phoneShot saves the page at phone width as screenshots/<name>; the
// dashboard's warnings are copied to docs/ by hand (see README).
func (j *journey) phoneShot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(j.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		j.failed("screenshot "+name, err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sandboxAdmin posts JSON to the sandbox's admin API.
func (j *journey) sandboxAdmin(t *testing.T, path, body string) {
	t.Helper()
	res, err := http.Post(j.env.hhURL+path, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sandbox admin %s = %d", path, res.StatusCode)
	}
}

// hhSignIn goes through whichever of the sandbox's sign-in pages comes
// (pick a user, allow, or continue) as hhUserID, back to Otklik.
func (j *journey) hhSignIn(t *testing.T, hhUserID string) {
	t.Helper()
	for range 4 {
		loc := j.read("where", chromedp.Location())
		if strings.HasPrefix(loc, j.base) {
			return
		}
		switch {
		case j.count(fmt.Sprintf(`button[data-user-id=%q]`, hhUserID)) > 0:
			j.run("pick the hh user", j.submit(fmt.Sprintf(`button[data-user-id=%q]`, hhUserID)))
		case j.count(`button[name=decision][value=allow]`) > 0:
			j.run("allow", j.submit(`button[name=decision][value=allow]`))
		case j.count(`button[name=choice][value=continue]`) > 0:
			j.run("continue", j.submit(`button[name=choice][value=continue]`))
		default:
			j.failed("hh sign-in", fmt.Errorf("no known sandbox page"))
		}
	}
	j.failed("hh sign-in", fmt.Errorf("never came back to Otklik"))
}

// sendableItem is the id ("item-N") and vacancy of a review item hh can
// take from here: no test, not the employer's own site.
func (j *journey) sendableItem(t *testing.T) (itemID, vacancyID string) {
	t.Helper()
	j.run("open review", chromedp.Navigate(j.base+"/review"), chromedp.WaitVisible(chromedp.CSS("main")))
	items, err := chromedp.Run(j.ctx, chromedp.AttributesAll(chromedp.CSSAll(`li[data-status="review"]`)))
	if err != nil {
		j.failed("read review items", err)
	}
	for _, it := range items {
		if v, ok := j.env.sandbox.Vacancy(it["data-vacancy-id"]); ok && !v.HasTest && !v.TestRequired && v.Type != "direct" {
			return it["id"], it["data-vacancy-id"]
		}
	}
	t.Fatalf("no sendable review item among %d", len(items))
	return "", ""
}

func (j *journey) applied(vacancyID string) bool {
	for _, a := range j.env.sandbox.Applications() {
		if a.VacancyID == vacancyID {
			return true
		}
	}
	return false
}

// accessJourney: captcha → «Я решил капчу» → resumed; disconnect → the
// review queue says why a sent item waits → reconnect → sent; a switch to
// another hh person, warned first and marked after. Each dashboard
// warning is photographed at phone width.
func accessJourney(t *testing.T, j *journey) {
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	ctx := context.Background()
	userID := int64(1)

	// 8. Captcha: hh starts asking (the sandbox's admin API), a sent
	// review item waits, the dashboard says what to do.
	j.sandboxAdmin(t, "/_sandbox/faults", `{"captcha": true}`)
	itemID, vacancyID := j.sendableItem(t)
	j.run("send while hh wants a captcha",
		j.submit("#"+itemID+` form[action$="/send"] button`),
		chromedp.WaitVisible(css(`.flash`)))
	j.waitFor("/", `[data-warning="captcha"]`, time.Minute)
	j.phoneShot(t, "warning-captcha-phone.png")
	if j.count(`[data-warning="captcha"] form[action="/hh/check"] button`) != 1 {
		j.failed("captcha warning", fmt.Errorf("no «Я решил капчу» button"))
	}
	j.waitFor("/review", fmt.Sprintf(`li[data-vacancy-id=%q] [data-waiting="captcha"]`, vacancyID), 30*time.Second)
	// Pressed before solving: still paused, and told so.
	j.run("check too early", chromedp.Navigate(j.base+"/"), j.submit(`[data-warning="captcha"] form[action="/hh/check"] button`))
	if flash := j.read("flash", chromedp.Text(css(`.flash`))); !strings.Contains(flash, "всё ещё просит капчу") || j.count(`[data-warning="captcha"]`) != 1 {
		t.Errorf("an early «Я решил капчу» says %q", flash)
	}
	// Solve it on hh's page, come back, press the button: resumed at once.
	j.run("solve the captcha",
		chromedp.Click(css(`[data-warning="captcha"] a[href*="captcha"]`)),
		chromedp.WaitVisible(css(`form[action="captcha"] button`)),
		j.submit(`form[action="captcha"] button`),
		chromedp.WaitVisible(css(`[data-warning="captcha"]`)), // back on Otklik's dashboard
		j.submit(`[data-warning="captcha"] form[action="/hh/check"] button`),
		chromedp.WaitVisible(css(`.flash`)))
	if flash := j.read("flash", chromedp.Text(css(`.flash`))); !strings.Contains(flash, "снова принимает отклики") {
		t.Errorf("after solving, «Я решил капчу» says %q", flash)
	}
	if j.count(`[data-warning]`) != 0 {
		t.Error("the captcha warning stays after hh agreed")
	}
	j.waitFor("/review", fmt.Sprintf(`li[data-vacancy-id=%q][data-status="applied"]`, vacancyID), time.Minute)
	if !j.applied(vacancyID) {
		t.Errorf("the sandbox never got %s after the captcha", vacancyID)
	}
	j.sandboxAdmin(t, "/_sandbox/faults", `{"captcha": false}`)

	// The daily limit and a lost token, as the worker records them:
	// photographed, each saying when or how it resumes.
	must(t, j.env.store.SetAccountState(ctx, userID, store.AccountLimited, "", time.Now().Add(5*time.Hour), "limit_exceeded"))
	j.waitFor("/", `[data-warning="limit"]`, 10*time.Second)
	j.phoneShot(t, "warning-limit-phone.png")
	must(t, j.env.store.SetAccountState(ctx, userID, store.AccountReconnect, "", time.Time{}, "invalid_grant"))
	j.waitFor("/", `[data-warning="reconnect"]`, 10*time.Second)
	j.phoneShot(t, "warning-reconnect-phone.png")
	must(t, j.env.store.SetAccountState(ctx, userID, store.AccountConnected, "", time.Time{}, ""))

	// 9. Disconnect (a second step), send from review: it waits and says why.
	j.run("disconnect",
		chromedp.Navigate(j.base+"/"),
		j.submit(`main a[href="/hh/disconnect"]`),
		chromedp.WaitVisible(css(`[data-page="confirm"]`)),
		j.submit(`[data-page="confirm"] button[data-action="confirm"]`),
		chromedp.WaitVisible(css(`[data-warning="disconnected"]`)))
	j.phoneShot(t, "warning-disconnected-phone.png")
	itemID, vacancyID = j.sendableItem(t)
	if j.count(`[data-warning="disconnected"]`) != 1 {
		j.failed("review while disconnected", fmt.Errorf("no disconnected warning"))
	}
	j.run("send while disconnected",
		j.submit("#"+itemID+` form[action$="/send"] button`),
		chromedp.WaitVisible(css(`.flash`)))
	if flash := j.read("flash", chromedp.Text(css(`.flash`))); !strings.Contains(flash, "как только доступ к hh.ru вернётся") {
		t.Errorf("sending while disconnected says %q", flash)
	}
	j.waitFor("/review", fmt.Sprintf(`li[data-vacancy-id=%q] [data-waiting="not_connected"]`, vacancyID), 30*time.Second)
	j.phoneShot(t, "review-disconnected-phone.png")
	// Reconnect from the warning: the waiting item goes out by itself.
	j.run("reconnect", j.submit(`[data-warning="disconnected"] a[href="/hh/connect"]`))
	j.hhSignIn(t, j.hhUser.ID)
	j.waitFor("/review", fmt.Sprintf(`li[data-vacancy-id=%q][data-status="applied"]`, vacancyID), time.Minute)
	if !j.applied(vacancyID) {
		t.Errorf("the sandbox never got %s after reconnecting", vacancyID)
	}

	// 10. «Это не вы?»: warned first, then another person; the rules with
	// the first person's resume are marked and ask for a new one.
	var other hhsandbox.User
	for _, u := range j.env.sandbox.Users() {
		if u.Applicant && u.ID != j.hhUser.ID {
			other = u
			break
		}
	}
	j.run("not you",
		chromedp.Navigate(j.base+"/"),
		j.submit(`a[href="/hh/connect?force_login=1"]`),
		chromedp.WaitVisible(css(`[data-page="hh-switch"]`)))
	j.phoneShot(t, "switch-warning-phone.png")
	j.run("switch", j.submit(`[data-page="hh-switch"] a[data-action="switch"]`))
	j.hhSignIn(t, other.ID)
	j.run("dashboard after the switch", chromedp.WaitVisible(css(`[data-notice="resume_gone"]`)))
	if flash := j.read("flash", chromedp.Text(css(`.flash`))); !strings.Contains(flash, "другой аккаунт hh.ru") {
		t.Errorf("after the switch the dashboard says %q", flash)
	}
	j.phoneShot(t, "warning-switched-phone.png")
	j.waitFor("/rules", `li[data-rule-warning="resume_gone"]`, 10*time.Second)
	acct, err := j.env.store.HHAccountState(ctx, userID)
	if err != nil || acct.HHUserID != other.ID {
		t.Errorf("after the switch the account is %+v (%v)", acct, err)
	}
}
