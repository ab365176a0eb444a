// Package smtptest runs a real SMTP server in-process for tests and keeps
// every message it receives.
package smtptest

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one received e-mail, parsed.
type Message struct {
	From    string
	To      []string
	Subject string
	Text    string // the text/plain part
	HTML    string // the text/html part
	Raw     []byte
}

// Server is an SMTP server on 127.0.0.1 that stores what it receives.
type Server struct {
	Addr string // host:port

	mu       sync.Mutex
	messages []Message
	arrived  chan struct{}
}

// New starts a server that stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: l.Addr().String(), arrived: make(chan struct{}, 1024)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL is the SMTP_URL to reach this server.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// Messages returns what has arrived so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Wait waits until n messages have arrived or the timeout passes, and returns
// what has arrived.
func (s *Server) Wait(n int, timeout time.Duration) []Message {
	return s.WaitFor(n, timeout, func(Message) bool { return true })
}

// WaitFor waits until n messages that keep accepts have arrived or the
// timeout passes, and returns those that have.
func (s *Server) WaitFor(n int, timeout time.Duration, keep func(Message) bool) []Message {
	deadline := time.After(timeout)
	kept := func() []Message {
		var out []Message
		for _, m := range s.Messages() {
			if keep(m) {
				out = append(out, m)
			}
		}
		return out
	}
	for {
		if m := kept(); len(m) >= n {
			return m
		}
		select {
		case <-s.arrived:
		case <-deadline:
			return kept()
		}
	}
}

type session struct {
	srv  *Server
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{From: s.from, To: s.to, Raw: raw}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		dec := new(mime.WordDecoder)
		if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
			m.Subject = subj
		}
		collect(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	}
	s.srv.mu.Lock()
	s.srv.messages = append(s.srv.messages, m)
	s.srv.mu.Unlock()
	s.srv.arrived <- struct{}{}
	return nil
}

func collect(m *Message, contentType, encoding string, body io.Reader) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			collect(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
		}
	}
	b, err := io.ReadAll(decodeTransfer(encoding, body))
	if err != nil {
		return
	}
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
}
