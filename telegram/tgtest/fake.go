// Package tgtest is an in-process fake of Telegram's Bot API for tests: it
// records every method call, keeps what the bot sent to each chat, feeds
// updates (messages and button presses) to getUpdates, and answers with
// Telegram's errors on demand (429 with retry_after, 403, 5xx).
package tgtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Token is the bot token the fake accepts; Username its @username.
const (
	Token    = "123456:fake-token"
	Username = "otklik_test_bot"
)

// Call is one method call the bot made.
type Call struct {
	Method string
	Params map[string]string
	At     time.Time
}

// Sent is a message the bot sent to a chat.
type Sent struct {
	ChatID  int64
	Text    string
	Buttons [][]models.InlineKeyboardButton
}

// Answer is the bot's answer to a button press.
type Answer struct {
	CallbackID string
	Text       string
}

// Server is the fake Bot API.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced whenever anything happens
	calls    []Call
	sent     []Sent
	answers  []Answer
	updates  []models.Update
	nextID   int64
	nextMsg  int
	blocked  map[int64]bool
	failures map[string][]int // method → error codes to answer next
	// retryAfter is the 429s' retry_after; until, when set, is the moment
	// before which a call of the method refused is an early retry.
	retryAfter int
	until      map[string]time.Time
	early      int
}

// New starts a fake Bot API, closed when the test ends.
func New(t interface{ Cleanup(func()) }) *Server {
	s := &Server{changed: make(chan struct{}), nextID: 100, blocked: map[int64]bool{},
		failures: map[string][]int{}, until: map[string]time.Time{}, retryAfter: 1}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// SendText makes the person in chatID (a private chat) send text.
func (s *Server) SendText(chatID int64, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextMsg++
	s.updates = append(s.updates, models.Update{ID: s.nextID, Message: &models.Message{
		ID: s.nextMsg, Date: int(time.Now().Unix()), Text: text,
		From: &models.User{ID: chatID, FirstName: "Anna"},
		Chat: models.Chat{ID: chatID, Type: models.ChatTypePrivate, FirstName: "Anna", Username: fmt.Sprintf("user%d", chatID)},
	}})
	s.nextID++
	s.notify()
}

// Press makes the person in chatID press a button carrying data.
func (s *Server) Press(chatID int64, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextMsg++
	id := fmt.Sprintf("cb%d", s.nextID)
	s.updates = append(s.updates, models.Update{ID: s.nextID, CallbackQuery: &models.CallbackQuery{
		ID: id, From: models.User{ID: chatID, FirstName: "Anna"}, Data: data,
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &models.Message{
			ID: s.nextMsg, Date: int(time.Now().Unix()), Chat: models.Chat{ID: chatID, Type: models.ChatTypePrivate}}},
	}})
	s.nextID++
	s.notify()
	return id
}

// NextUpdateID is the id the next update fed will have: a bot that has
// handled every update asks getUpdates from it.
func (s *Server) NextUpdateID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextID
}

// Block makes chatID's person block the bot: sendMessage there answers 403.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// Fail makes the next len(codes) calls of method answer those error codes
// (429 with retry_after seconds, 403, 500…).
func (s *Server) Fail(method string, retryAfter int, codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], codes...)
	s.retryAfter = retryAfter
}

// Early is how many calls came before the retry_after of the 429 that
// refused the call before them had passed.
func (s *Server) Early() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.early
}

// Calls lists the calls of method ("" for all).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Sent lists the messages sent to chatID.
func (s *Server) Sent(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.sent {
		if m.ChatID == chatID {
			out = append(out, m)
		}
	}
	return out
}

// Answers lists the answers to button presses.
func (s *Server) Answers() []Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Answer(nil), s.answers...)
}

// AnswerTo is the answer to the press callbackID, and whether there is one.
func (s *Server) AnswerTo(callbackID string) (string, bool) {
	for _, a := range s.Answers() {
		if a.CallbackID == callbackID {
			return a.Text, true
		}
	}
	return "", false
}

// Wait returns once cond holds, reporting false if it did not within a
// generous minute (a hung bot, not a slow one).
func (s *Server) Wait(cond func() bool) bool {
	deadline := time.After(time.Minute)
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			return cond()
		}
	}
}

// WaitSent waits for a message to chatID containing text and returns it.
func (s *Server) WaitSent(chatID int64, text string) (Sent, bool) {
	var found Sent
	ok := s.Wait(func() bool {
		for _, m := range s.Sent(chatID) {
			if strings.Contains(m.Text, text) {
				found = m
				return true
			}
		}
		return false
	})
	return found, ok
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || token != Token {
		reply(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	params, err := readParams(r)
	if err != nil {
		reply(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: " + err.Error()})
		return
	}
	s.mu.Lock()
	now := time.Now()
	s.calls = append(s.calls, Call{Method: method, Params: params, At: now})
	if until, ok := s.until[method]; ok {
		if now.Before(until) {
			s.early++
		}
		delete(s.until, method)
	}
	if codes := s.failures[method]; len(codes) > 0 {
		code := codes[0]
		s.failures[method] = codes[1:]
		body := map[string]any{"ok": false, "error_code": code, "description": http.StatusText(code)}
		if code == http.StatusTooManyRequests {
			body["description"] = fmt.Sprintf("Too Many Requests: retry after %d", s.retryAfter)
			body["parameters"] = map[string]any{"retry_after": s.retryAfter}
			s.until[method] = now.Add(time.Duration(s.retryAfter) * time.Second)
		}
		s.notify()
		s.mu.Unlock()
		reply(w, code, body)
		return
	}
	s.notify()
	s.mu.Unlock()

	switch method {
	case "getMe":
		ok200(w, models.User{ID: 123456, IsBot: true, FirstName: "Otklik", Username: Username})
	case "sendMessage":
		s.sendMessage(w, params)
	case "answerCallbackQuery":
		s.mu.Lock()
		s.answers = append(s.answers, Answer{CallbackID: params["callback_query_id"], Text: params["text"]})
		s.notify()
		s.mu.Unlock()
		ok200(w, true)
	case "getUpdates":
		s.getUpdates(w, r, params)
	default:
		ok200(w, true)
	}
}

func (s *Server) sendMessage(w http.ResponseWriter, params map[string]string) {
	chatID, err := strconv.ParseInt(params["chat_id"], 10, 64)
	if err != nil || params["text"] == "" {
		reply(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: chat_id and text"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[chatID] {
		reply(w, http.StatusForbidden, map[string]any{"ok": false, "error_code": 403,
			"description": "Forbidden: bot was blocked by the user"})
		return
	}
	m := Sent{ChatID: chatID, Text: params["text"]}
	if raw := params["reply_markup"]; raw != "" {
		var kb models.InlineKeyboardMarkup
		if err := json.Unmarshal([]byte(raw), &kb); err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: reply_markup"})
			return
		}
		for _, row := range kb.InlineKeyboard {
			for _, b := range row {
				if (b.URL == "") == (b.CallbackData == "") || len(b.CallbackData) > 64 {
					reply(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400,
						"description": "Bad Request: BUTTON_DATA_INVALID"})
					return
				}
			}
		}
		m.Buttons = kb.InlineKeyboard
	}
	if len([]rune(m.Text)) > 4096 {
		reply(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: message is too long"})
		return
	}
	s.sent = append(s.sent, m)
	s.nextMsg++
	s.notify()
	ok200(w, models.Message{ID: s.nextMsg, Date: int(time.Now().Unix()), Text: m.Text,
		Chat: models.Chat{ID: chatID, Type: models.ChatTypePrivate}})
}

// getUpdates answers the updates from offset on, forgetting those before
// it (confirmed), and waits up to timeout seconds when there are none.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, params map[string]string) {
	offset, _ := strconv.ParseInt(params["offset"], 10, 64)
	timeout, _ := strconv.Atoi(params["timeout"])
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		kept := s.updates[:0]
		for _, u := range s.updates {
			if u.ID >= offset {
				kept = append(kept, u)
			}
		}
		s.updates = kept
		out := append([]models.Update(nil), kept...)
		ch := s.changed
		s.mu.Unlock()
		if len(out) > 0 {
			ok200(w, out)
			return
		}
		select {
		case <-ch:
		case <-deadline:
			ok200(w, []models.Update{})
			return
		case <-r.Context().Done():
			return
		}
	}
}

// readParams reads a method's parameters from a multipart form (what
// go-telegram/bot sends), a URL-encoded form or JSON.
func readParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return nil, err
		}
		for k, v := range m {
			if s, ok := v.(string); ok {
				out[k] = s
				continue
			}
			b, _ := json.Marshal(v)
			out[k] = string(b)
		}
	case "multipart/form-data":
		err := r.ParseMultipartForm(1 << 20)
		if errors.Is(err, io.EOF) {
			return out, nil // a method without parameters: an empty body
		}
		if err != nil {
			return nil, err
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		for k, v := range r.Form {
			out[k] = v[0]
		}
	}
	return out, nil
}

func ok200(w http.ResponseWriter, result any) {
	reply(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func reply(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
