// Package ai asks an OpenAI-compatible model (the operator's: AI_BASE_URL)
// to write cover letters and to screen vacancies. Nothing else is
// contacted. The prompts live in prompt.tmpl; every answer is treated as
// untrusted input — bounded, validated — and a caller that gets an error
// falls back to the plain template letter or to no screening. Each call
// first reserves tokens against the user's daily cap in the store, so the
// cap holds however many workers call at once.
package ai

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/otklik/otklik/locale"
)

//go:embed prompt.tmpl
var promptText string

var prompts = template.Must(template.New("prompt").Parse(promptText))

// Limits on what is sent and what is accepted back.
const (
	// MaxLetterRunes is hh's limit on a cover letter.
	MaxLetterRunes = 10000
	// maxInputRunes bounds each text sent (resume, vacancy, template,
	// criteria), so one call's cost is bounded too.
	maxInputRunes = 6000
	// letterTokens and screenTokens bound the model's answer.
	letterTokens = 1500
	screenTokens = 150
	// promptOverheadTokens bounds the tokens a chat request adds to its
	// messages' text (roles, separators).
	promptOverheadTokens = 16
	// MaxReasonRunes bounds the screening reason kept and shown.
	MaxReasonRunes = 200
	// Timeout bounds one model call.
	Timeout = 60 * time.Second
)

var (
	// ErrCapSpent: the user's daily token cap would be exceeded.
	ErrCapSpent = errors.New("ai: daily token cap spent")
	// ErrUnavailable: the model did not answer (error, timeout) or its
	// answer was unusable (empty, malformed). Worth retrying later.
	ErrUnavailable = errors.New("ai: model unavailable")
	// ErrRejected: the model answered, but the letter failed a check
	// (length, placeholders, a fact not in the resume). Retrying would
	// not help: use the template's letter.
	ErrRejected = errors.New("ai: letter rejected")
)

// Usage is the store's per-user token ledger (*store.Store is one).
type Usage interface {
	// ReserveAITokens adds n to the user's tokens of day if the total
	// stays within limit, atomically; ok is false when it would not.
	ReserveAITokens(ctx context.Context, userID int64, day string, n, limit int) (ok bool, err error)
	// AdjustAITokens adds delta (maybe negative) to the user's tokens of day.
	AdjustAITokens(ctx context.Context, userID int64, day string, delta int) error
	// UserTimeZone is the user's IANA time zone: the cap's day is theirs.
	UserTimeZone(ctx context.Context, userID int64) (string, error)
}

// Config is what the client needs: the operator's endpoint.
type Config struct {
	BaseURL     string
	APIKey      string
	Model       string
	DailyTokens int
	// HTTPClient, when set, carries the requests (tests).
	HTTPClient *http.Client
}

// Client is the model. Safe for concurrent use.
type Client struct {
	oc    openai.Client
	model string
	limit int
	usage Usage
	now   func() time.Time
}

// New is the model at cfg.BaseURL, its tokens counted in usage.
func New(cfg Config, usage Usage) *Client {
	opts := []option.RequestOption{
		option.WithBaseURL(strings.TrimRight(cfg.BaseURL, "/") + "/"),
		option.WithAPIKey(cfg.APIKey),
		option.WithMaxRetries(0), // a failure leaves the vacancy queued; the task retries
		option.WithRequestTimeout(Timeout),
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(cfg.HTTPClient))
	}
	limit := cfg.DailyTokens
	if limit <= 0 {
		limit = 200000
	}
	return &Client{oc: openai.NewClient(opts...), model: cfg.Model, limit: limit, usage: usage, now: time.Now}
}

// CapSpent reports whether used tokens of limit leave too little for even
// a screening: the model is not asked again until the next day.
func CapSpent(used, limit int) bool { return limit-used < 2*screenTokens }

// Day is the token ledger's day of t: the person's own calendar day in
// loc (their time zone), so their cap renews at their midnight.
func Day(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02")
}

// Resume is what a letter is written from.
type Resume struct {
	Title      string
	Skills     string
	Experience string
}

// Vacancy is what a letter or a verdict is about.
type Vacancy struct {
	Name     string
	Employer string
	Salary   string
	// Text is the full description, or the snippet.
	Text string
}

// Letter writes a cover letter for vacancy v from the resume r, with the
// rendered template letter as guidance for tone and length. The answer is
// checked (see CheckLetter); a failed check is ErrRejected.
func (c *Client) Letter(ctx context.Context, userID int64, r Resume, v Vacancy, templateLetter string) (string, error) {
	data := map[string]any{
		"MaxRunes": MaxLetterRunes,
		"Resume":   Resume{Title: clip(r.Title), Skills: clip(r.Skills), Experience: clip(r.Experience)},
		"Vacancy":  clipVacancy(v),
		"Template": clip(templateLetter),
	}
	answer, err := c.complete(ctx, userID, "letter", data, letterTokens)
	if err != nil {
		return "", err
	}
	letter, err := CheckLetter(answer, r, v, templateLetter)
	if err != nil {
		return "", err
	}
	return letter, nil
}

// Verdict is the model's judgement of a vacancy against the criteria.
type Verdict struct {
	Match  bool
	Reason string // one line, at most MaxReasonRunes
}

// Screen judges vacancy v against the person's criteria.
func (c *Client) Screen(ctx context.Context, userID int64, criteria string, v Vacancy) (Verdict, error) {
	data := map[string]any{"Criteria": clip(criteria), "Vacancy": clipVacancy(v)}
	answer, err := c.complete(ctx, userID, "screen", data, screenTokens)
	if err != nil {
		return Verdict{}, err
	}
	return ParseVerdict(answer)
}

// complete sends the prompt pair name_system/name_user and returns the
// answer's text, counting its tokens against the user's cap.
func (c *Client) complete(ctx context.Context, userID int64, name string, data any, maxTokens int) (string, error) {
	system, err := render(name+"_system", data)
	if err != nil {
		return "", err
	}
	user, err := render(name+"_user", data)
	if err != nil {
		return "", err
	}
	// Reserve an upper bound first, so workers calling at once cannot
	// together pass the cap: a token is at least one byte of the prompt
	// (plus a few per message), and the answer is bounded by maxTokens.
	// The model's own count replaces the reservation afterwards.
	reserved := len(system) + len(user) + promptOverheadTokens + maxTokens
	tz, err := c.usage.UserTimeZone(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("ai: time zone of user %d: %w", userID, err)
	}
	day := Day(c.now(), locale.Zone(tz))
	ok, err := c.usage.ReserveAITokens(ctx, userID, day, reserved, c.limit)
	if err != nil {
		return "", fmt.Errorf("ai: reserve tokens: %w", err)
	}
	if !ok {
		return "", ErrCapSpent
	}
	resp, err := c.oc.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model: c.model,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage(system),
			openai.UserMessage(user),
		},
		MaxTokens: openai.Int(int64(maxTokens)),
	})
	used := reserved
	if err == nil && resp.Usage.TotalTokens > 0 {
		used = int(resp.Usage.TotalTokens)
	}
	if used != reserved {
		if aerr := c.usage.AdjustAITokens(context.WithoutCancel(ctx), userID, day, used-reserved); aerr != nil {
			return "", fmt.Errorf("ai: record tokens: %w", aerr)
		}
	}
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrUnavailable, name, err)
	}
	if len(resp.Choices) == 0 {
		return "", fmt.Errorf("%w: %s: no choices", ErrUnavailable, name)
	}
	return resp.Choices[0].Message.Content, nil
}

func render(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := prompts.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("ai: prompt %s: %w", name, err)
	}
	return b.String(), nil
}

var (
	placeholder = regexp.MustCompile(`\{[\p{L}_ ]{1,40}\}|\[[\p{L}_ ]{1,40}\]`)
	number      = regexp.MustCompile(`\d+`)
)

// CheckLetter validates a model's letter: trimmed, not empty, within hh's
// limit, no unfilled {placeholder} or [placeholder], and no number that is
// in neither the resume, the vacancy nor the template (a cheap guard
// against invented years, sums and counts). The error wraps ErrRejected
// and says which check failed.
func CheckLetter(answer string, r Resume, v Vacancy, templateLetter string) (string, error) {
	s := strings.TrimSpace(answer)
	switch {
	case s == "":
		return "", fmt.Errorf("%w: empty", ErrRejected)
	case utf8.RuneCountInString(s) > MaxLetterRunes:
		return "", fmt.Errorf("%w: longer than %d characters", ErrRejected, MaxLetterRunes)
	case placeholder.MatchString(s):
		return "", fmt.Errorf("%w: unfilled placeholder %s", ErrRejected, placeholder.FindString(s))
	}
	known := strings.Join([]string{r.Title, r.Skills, r.Experience, v.Name, v.Employer, v.Salary, v.Text, templateLetter}, "\n")
	knownNumbers := map[string]bool{}
	for _, n := range number.FindAllString(known, -1) {
		knownNumbers[n] = true
	}
	for _, n := range number.FindAllString(s, -1) {
		if !knownNumbers[n] {
			return "", fmt.Errorf("%w: the number %s is in neither the resume nor the vacancy", ErrRejected, n)
		}
	}
	return s, nil
}

var fence = regexp.MustCompile("(?s)^```[a-z]*\\s*(.*?)\\s*```$")

// ParseVerdict reads the model's JSON verdict; anything else is
// ErrUnavailable (garbage is retried, never taken as a verdict).
func ParseVerdict(answer string) (Verdict, error) {
	s := strings.TrimSpace(answer)
	if m := fence.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	if len(s) > 4096 {
		return Verdict{}, fmt.Errorf("%w: verdict too long", ErrUnavailable)
	}
	var raw struct {
		Match  *bool  `json:"match"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil || raw.Match == nil {
		return Verdict{}, fmt.Errorf("%w: verdict is not the JSON asked for", ErrUnavailable)
	}
	reason := strings.Join(strings.Fields(raw.Reason), " ") // one line
	if utf8.RuneCountInString(reason) > MaxReasonRunes {
		reason = string([]rune(reason)[:MaxReasonRunes-1]) + "…"
	}
	return Verdict{Match: *raw.Match, Reason: reason}, nil
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= maxInputRunes {
		return s
	}
	return string([]rune(s)[:maxInputRunes]) + "…"
}

func clipVacancy(v Vacancy) Vacancy {
	return Vacancy{Name: clip(v.Name), Employer: clip(v.Employer), Salary: clip(v.Salary), Text: clip(v.Text)}
}
