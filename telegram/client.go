// Package telegram is Otklik's second front door beside the web app: the
// bot that links a chat to an account, tells the person of invitations,
// warnings, the summary and new review items, and lets them clear the
// review queue with inline buttons (DESIGN.md, flow 8).
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// DefaultAPIURL is Telegram's Bot API (TELEGRAM_API_URL's default).
const DefaultAPIURL = "https://api.telegram.org"

// Client talks to the Bot API: github.com/go-telegram/bot for the methods,
// and getUpdates by hand, since that library's own polling loop keeps its
// offset in memory and cannot be driven under a lease with the offset in
// the database.
type Client struct {
	bot    *bot.Bot
	apiURL string
	token  string
	http   *http.Client

	mu       sync.Mutex
	username string
}

// NewClient is a client of the Bot API at apiURL ("" for Telegram's) with
// the bot's token. It asks nothing of Telegram yet.
func NewClient(apiURL, token string, httpClient *http.Client) (*Client, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	apiURL = strings.TrimRight(apiURL, "/")
	if httpClient == nil {
		httpClient = &http.Client{Timeout: time.Minute}
	}
	b, err := bot.New(token, bot.WithServerURL(apiURL), bot.WithSkipGetMe(),
		bot.WithHTTPClient(time.Minute, httpClient), bot.WithErrorsHandler(func(error) {}))
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	return &Client{bot: b, apiURL: apiURL, token: token, http: httpClient}, nil
}

// Username is the bot's @username (getMe), asked once.
func (c *Client) Username(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.username != "" {
		return c.username, nil
	}
	me, err := c.bot.GetMe(ctx)
	if err != nil {
		return "", classify("getMe", err)
	}
	c.username = me.Username
	return c.username, nil
}

// Message is one outgoing message: its text and, optionally, rows of
// inline buttons.
type Message struct {
	Text    string
	Buttons [][]Button
}

// Button is an inline button: a callback (Data, a signed token) or a link.
type Button struct {
	Text string
	Data string
	URL  string
}

// Send sends m to chatID.
func (c *Client) Send(ctx context.Context, chatID int64, m Message) error {
	p := &bot.SendMessageParams{ChatID: chatID, Text: m.Text,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()}}
	if len(m.Buttons) > 0 {
		kb := &models.InlineKeyboardMarkup{}
		for _, row := range m.Buttons {
			var r []models.InlineKeyboardButton
			for _, b := range row {
				r = append(r, models.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, r)
		}
		p.ReplyMarkup = kb
	}
	_, err := c.bot.SendMessage(ctx, p)
	return classify("sendMessage", err)
}

// Answer answers a button press with a short notice.
func (c *Client) Answer(ctx context.Context, callbackID, text string) error {
	_, err := c.bot.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: callbackID, Text: text})
	return classify("answerCallbackQuery", err)
}

// Updates long-polls for the updates from offset on, waiting up to wait.
func (c *Client) Updates(ctx context.Context, offset int64, wait time.Duration) ([]models.Update, error) {
	body, _ := json.Marshal(map[string]any{
		"offset": offset, "timeout": int(wait / time.Second),
		"allowed_updates": []string{"message", "callback_query"},
	})
	ctx, cancel := context.WithTimeout(ctx, wait+30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.apiURL+"/bot"+c.token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, &Error{Method: "getUpdates", Temporary: true, Err: errors.New("bad request URL")}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL holds the token: say what failed without it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &Error{Method: "getUpdates", Temporary: true, Err: err}
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool            `json:"ok"`
		Result      []models.Update `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&r); err != nil {
		return nil, &Error{Method: "getUpdates", Temporary: true, Err: fmt.Errorf("status %d: %w", resp.StatusCode, err)}
	}
	if !r.OK {
		e := &Error{Method: "getUpdates", Code: r.ErrorCode, Err: errors.New(r.Description),
			RetryAfter: time.Duration(r.Parameters.RetryAfter) * time.Second}
		e.Temporary = r.ErrorCode == http.StatusTooManyRequests || r.ErrorCode >= 500 || r.ErrorCode == http.StatusConflict
		return nil, e
	}
	return r.Result, nil
}

// Error is the Bot API's refusal of a method.
type Error struct {
	Method string
	Code   int // Telegram's error_code; 0 for a network error
	// Blocked: 403, the person blocked the bot (or the chat is gone).
	Blocked bool
	// RetryAfter is what a 429 asks to wait.
	RetryAfter time.Duration
	// Temporary: a network error, 5xx or 429, worth trying again.
	Temporary bool
	Err       error
}

func (e *Error) Error() string { return fmt.Sprintf("telegram: %s: %v", e.Method, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// IsBlocked reports a 403: the person blocked the bot.
func IsBlocked(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Blocked
}

// RetryAfter is how long a 429 asks to wait; false for any other error.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// classify turns the library's errors into an *Error.
func classify(method string, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Method: method, Err: err}
	var tooMany *bot.TooManyRequestsError
	switch {
	case errors.As(err, &tooMany):
		e.Code, e.Temporary = http.StatusTooManyRequests, true
		e.RetryAfter = max(time.Duration(tooMany.RetryAfter)*time.Second, time.Second)
	case errors.Is(err, bot.ErrorForbidden):
		e.Code, e.Blocked = http.StatusForbidden, true
	case errors.Is(err, bot.ErrorBadRequest), errors.Is(err, bot.ErrorUnauthorized), errors.Is(err, bot.ErrorNotFound):
	default:
		// 5xx, network: the library says no more than that.
		e.Temporary = true
	}
	return e
}
