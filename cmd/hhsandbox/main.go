// Command hhsandbox runs the hh.ru emulator as a standalone server, so an
// operator can try Otklik end to end before hh approves their application.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

// config is everything the flags set.
type config struct {
	addr          string
	baseURL       string
	seed          int64
	vacancies     int
	redirectURI   string
	clientID      string
	clientSecret  string
	latency       time.Duration
	errorRate     float64
	rateLimitRate float64
	retryAfter    time.Duration
	captcha       bool
	dailyLimit    int
	limitStatus   int
	tokenTTL      time.Duration
	state         string
	employers     bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("hhsandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "localhost:8090", "listen address")
	fs.StringVar(&c.baseURL, "base-url", "", "public URL of the sandbox, with any path prefix (default: http://<listen address>)")
	fs.Int64Var(&c.seed, "seed", 1, "seed of the generated dataset")
	fs.IntVar(&c.vacancies, "vacancies", hhsandbox.DefaultVacancies, "number of generated vacancies")
	fs.StringVar(&c.redirectURI, "redirect-uri", "http://localhost:8080/hh/callback", "the application's registered redirect URI (empty: accept any)")
	fs.StringVar(&c.clientID, "client-id", "", "client_id of the registered application (default: generated)")
	fs.StringVar(&c.clientSecret, "client-secret", "", "client_secret of the registered application (default: derived from the seed)")
	fs.DurationVar(&c.latency, "latency", 0, "delay added to every API response")
	fs.Float64Var(&c.errorRate, "error-rate", 0, "share of API requests answered with a 5xx (0..1)")
	fs.Float64Var(&c.rateLimitRate, "rate-limit-rate", 0, "share of API requests answered 429 with Retry-After (0..1)")
	fs.DurationVar(&c.retryAfter, "retry-after", time.Second, "Retry-After of those 429s (rounded up to whole seconds)")
	fs.BoolVar(&c.captcha, "captcha", false, "demand a captcha on applying and on vacancy pages")
	fs.IntVar(&c.dailyLimit, "daily-limit", hhsandbox.DefaultDailyLimit, "applications per user in a rolling 24 hours")
	fs.IntVar(&c.limitStatus, "limit-status", http.StatusBadRequest, "HTTP status of limit_exceeded: 400, 403 or 429")
	fs.DurationVar(&c.tokenTTL, "token-ttl", hhsandbox.DefaultTokenTTL, "access token lifetime")
	fs.StringVar(&c.state, "state", "", "keep the sandbox's state (tokens, applications, blacklists, faults, clock) in this file across restarts (mode 0600: it holds tokens); fault settings saved there win over the flags until POST /_sandbox/reset")
	fs.BoolVar(&c.employers, "employer-activity", true, "employers view, invite and discard applications by themselves over the sandbox's time (deterministic by the seed)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	switch {
	case c.errorRate < 0 || c.errorRate > 1:
		return config{}, fmt.Errorf("-error-rate %v: want 0..1", c.errorRate)
	case c.rateLimitRate < 0 || c.rateLimitRate > 1:
		return config{}, fmt.Errorf("-rate-limit-rate %v: want 0..1", c.rateLimitRate)
	case c.retryAfter <= 0:
		return config{}, fmt.Errorf("-retry-after %v: want more than 0", c.retryAfter)
	case c.limitStatus != 400 && c.limitStatus != 403 && c.limitStatus != 429:
		return config{}, fmt.Errorf("-limit-status %d: want 400, 403 or 429", c.limitStatus)
	case c.vacancies < 1:
		return config{}, fmt.Errorf("-vacancies %d: want at least 1", c.vacancies)
	}
	c.baseURL = strings.TrimRight(c.baseURL, "/")
	return c, nil
}

// listenURL is the URL of a listener for people on this machine: an
// unspecified host (":8090") becomes localhost.
func listenURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (c config) options() hhsandbox.Options {
	return hhsandbox.Options{
		Seed:         c.seed,
		Vacancies:    c.vacancies,
		ClientID:     c.clientID,
		ClientSecret: c.clientSecret,
		RedirectURI:  c.redirectURI,
		BaseURL:      c.baseURL,
		TokenTTL:     c.tokenTTL,
		DailyLimit:   c.dailyLimit,

		EmployerActivity: c.employers,
		Faults: hhsandbox.Faults{
			Latency:       c.latency,
			ErrorRate:     c.errorRate,
			RateLimitRate: c.rateLimitRate,
			RetryAfter:    c.retryAfter,
			Captcha:       c.captcha,
			LimitStatus:   c.limitStatus,
		},
	}
}

// banner tells the operator what to configure Otklik with.
func banner(w io.Writer, c config, sb *hhsandbox.Sandbox) {
	fmt.Fprintf(w, `hh sandbox (Песочница hh.ru) on %[1]s

Configure Otklik with:
  HH_CLIENT_ID=%[2]s
  HH_CLIENT_SECRET=%[3]s
  HH_API_URL=%[1]s
  HH_OAUTH_URL=%[1]s

`, c.baseURL, sb.ClientID(), sb.ClientSecret())
	if c.redirectURI != "" {
		fmt.Fprintf(w, "Registered redirect URI: %s\n", c.redirectURI)
		fmt.Fprintf(w, "Login page:  %s/oauth/authorize?response_type=code&client_id=%s\n", c.baseURL, sb.ClientID())
	} else {
		// With nothing registered, a login URL must carry its own
		// redirect_uri; a bare link would only reach an error page.
		fmt.Fprintln(w, "Registered redirect URI: none (any http(s) URI is accepted)")
		fmt.Fprintln(w, "Login page:  opened by the application, which must pass redirect_uri")
	}
	fmt.Fprintf(w, "Admin API:   %s/_sandbox/\n", c.baseURL)
	fmt.Fprintln(w, "\nUsers:")
	for _, u := range sb.Users() {
		kind := "applicant"
		if !u.Applicant {
			kind = "employer"
		}
		fmt.Fprintf(w, "  %s  %-20s %-32s %s, %d resumes\n", u.ID, u.FullName(), u.Email, kind, len(u.Resumes))
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("hhsandbox: listen %s: %w", c.addr, err)
	}
	if c.baseURL == "" {
		c.baseURL = listenURL(ln.Addr())
	}
	opts := c.options()
	opts.Logger = logger
	var sb *hhsandbox.Sandbox
	if c.state == "" {
		sb = hhsandbox.New(opts)
	} else {
		if sb, err = hhsandbox.Open(opts, c.state); err != nil {
			ln.Close()
			return fmt.Errorf("hhsandbox: -state: %w", err)
		}
		defer func() {
			if err := sb.Close(); err != nil {
				logger.Error("state not saved", "path", c.state, "error", err)
			}
		}()
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	banner(stdout, c, sb)
	logger.Info("serving", "addr", ln.Addr().String(), "base_url", c.baseURL, "vacancies", c.vacancies, "seed", c.seed)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("hhsandbox: serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("hhsandbox: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("hhsandbox: serve: %w", err)
	}
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		slog.Error("hhsandbox failed", "error", err)
		os.Exit(1)
	}
}
