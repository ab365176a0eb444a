// Package aitest is an in-process fake of an OpenAI-compatible chat API
// for tests: it answers POST /v1/chat/completions from a script, counts
// calls and the tokens it reports, and keeps the prompts it was sent.
package aitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Request is one chat request as the fake saw it.
type Request struct {
	Model  string
	System string
	User   string
}

// Answer is the fake's reply to one request.
type Answer struct {
	Content string
	// Status, when not 0 or 200, is an error answer.
	Status int
	// Delay holds the answer back (a timeout test cancels the context).
	Delay time.Duration
	// Tokens is the total the answer reports (default 100).
	Tokens int
}

// Server is the fake model.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	script   func(Request) Answer
	requests []Request
	tokens   int
}

// New starts a fake answering each request with script(request). Its API
// base URL is URL()+"/v1".
func New(script func(Request) Answer) *Server {
	s := &Server{script: script}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// BaseURL is the value for AI_BASE_URL.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// SetScript replaces the script.
func (s *Server) SetScript(script func(Request) Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = script
}

// Calls is how many chat requests the fake answered or refused.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Requests are the requests so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Tokens is the total the fake reported in successful answers.
func (s *Server) Tokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	var body struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	req := Request{Model: body.Model}
	for _, m := range body.Messages {
		switch m.Role {
		case "system", "developer":
			req.System += m.Content
		case "user":
			req.User += m.Content
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	script := s.script
	s.mu.Unlock()
	a := script(req)
	if a.Delay > 0 {
		select {
		case <-time.After(a.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if a.Status != 0 && a.Status != http.StatusOK {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.Status)
		fmt.Fprint(w, `{"error":{"message":"scripted failure","type":"server_error"}}`)
		return
	}
	tokens := a.Tokens
	if tokens == 0 {
		tokens = 100
	}
	s.mu.Lock()
	s.tokens += tokens
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": body.Model,
		"choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": a.Content},
		}},
		"usage": map[string]any{"prompt_tokens": tokens / 2, "completion_tokens": tokens - tokens/2, "total_tokens": tokens},
	})
}
