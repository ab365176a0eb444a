// Package config reads Otklik's configuration from the environment once, in
// main, into a Config that is passed down (docs/ARCHITECTURE.md, "Contracts").
package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Version is Otklik's version, sent in the default HH-User-Agent.
const Version = "0.1.0"

// Registration policies (REGISTRATION).
const (
	RegistrationOpen   = "open"
	RegistrationInvite = "invite"
	RegistrationClosed = "closed"
)

// Config is the whole of Otklik's configuration.
type Config struct {
	ListenAddr  string
	BaseURL     *url.URL
	DataDir     string
	DatabaseURL string
	RedisURL    string // empty: embedded in-process Redis, worker inside web
	SecretKey   []byte
	// SecretKeyVersion is SecretKey's version (SECRET_KEY_VERSION, default
	// 1): stored tokens name the version they were encrypted under.
	SecretKeyVersion int
	// PreviousSecretKeys are older keys by version (SECRET_KEY_PREVIOUS),
	// kept so tokens encrypted under them still decrypt until the web
	// process re-encrypts them under SecretKey.
	PreviousSecretKeys map[int][]byte
	HHClientID         string // empty: sandbox mode
	HHClientSecret     string
	HHUserAgent        string
	HHAPIURL           string
	HHOAuthURL         string
	SMTPURL            string
	MailFrom           string
	Registration       string
	HHRateLimit        float64       // shared hh requests per second, all workers together
	ApplyInterval      time.Duration // minimum gap between one account's applications
	OutcomesEvery      time.Duration // how often each account's negotiations are synced
	LogLevel           string
	LogFormat          string // "text" or "json"
	// TrustProxy makes the web app take the client's address from the last
	// entry of X-Forwarded-For (for the sign-in throttle): set it only when
	// a reverse proxy in front sets that header, or clients could pick
	// their own address.
	TrustProxy bool
	// Telegram is the optional bot; its Token is empty when Telegram is off
	// (no Telegram anywhere, nothing shown).
	Telegram TelegramConfig
	// AI is the OpenAI-compatible model for letters and screening; its
	// BaseURL is empty when AI is off (no AI anywhere, no AI field shown).
	AI AIConfig
}

// AIConfig is the optional model Otklik asks to write letters and screen
// vacancies (AI_BASE_URL, AI_API_KEY, AI_MODEL, AI_DAILY_TOKENS).
type AIConfig struct {
	BaseURL string // empty: AI is off
	APIKey  string // may be empty (a local model)
	Model   string
	// DailyTokens is each user's cap of model tokens per day.
	DailyTokens int
}

// TelegramConfig is the optional Telegram bot (TELEGRAM_BOT_TOKEN,
// TELEGRAM_API_URL).
type TelegramConfig struct {
	Token  string // empty: Telegram is off
	APIURL string // the Bot API, https://api.telegram.org by default
}

// Enabled reports whether a bot is configured.
func (t TelegramConfig) Enabled() bool { return t.Token != "" }

// Enabled reports whether a model is configured.
func (a AIConfig) Enabled() bool { return a.BaseURL != "" }

// Sandbox reports whether Otklik talks to the built-in hh emulator.
func (c Config) Sandbox() bool { return c.HHClientID == "" }

// EmbeddedRedis reports whether Otklik runs its own in-process Redis.
func (c Config) EmbeddedRedis() bool { return c.RedisURL == "" }

// RedirectURI is the OAuth redirect URI registered at hh.
func (c Config) RedirectURI() string {
	return strings.TrimRight(c.BaseURL.String(), "/") + "/hh/callback"
}

// CurrentKeyVersion is SecretKeyVersion, or 1 in a Config built by hand
// without one.
func (c Config) CurrentKeyVersion() int {
	if c.SecretKeyVersion < 1 {
		return 1
	}
	return c.SecretKeyVersion
}

// TokenKeys returns every configured token key by version: SecretKey under
// CurrentKeyVersion and the previous ones.
func (c Config) TokenKeys() map[int][]byte {
	keys := make(map[int][]byte, len(c.PreviousSecretKeys)+1)
	for v, k := range c.PreviousSecretKeys {
		keys[v] = k
	}
	keys[c.CurrentKeyVersion()] = c.SecretKey
	return keys
}

// SecureCookies reports whether cookies must carry the Secure flag.
func (c Config) SecureCookies() bool { return c.BaseURL.Scheme == "https" }

// Error names the variable that is wrong and why.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s: %s", e.Var, e.Reason) }

// Load reads the configuration through getenv (os.Getenv in main; a map in
// tests). It reports every invalid variable at once, each naming the variable.
// It does not touch the disk: see EnsureSecretKey.
func Load(getenv func(string) string) (Config, error) {
	l := &loader{getenv: getenv}
	c := Config{
		ListenAddr:     l.get("LISTEN_ADDR", ":8080"),
		DataDir:        l.get("DATA_DIR", "./data"),
		RedisURL:       l.get("REDIS_URL", ""),
		HHClientID:     l.get("HH_CLIENT_ID", ""),
		HHClientSecret: l.get("HH_CLIENT_SECRET", ""),
		HHUserAgent:    l.get("HH_USER_AGENT", "Otklik/"+Version+" (self-hosted; https://github.com/otklik/otklik)"),
		HHAPIURL:       l.get("HH_API_URL", "https://api.hh.ru"),
		HHOAuthURL:     l.get("HH_OAUTH_URL", "https://hh.ru"),
		SMTPURL:        l.get("SMTP_URL", ""),
		MailFrom:       l.get("MAIL_FROM", ""),
		Registration:   l.oneOf("REGISTRATION", RegistrationOpen, RegistrationOpen, RegistrationInvite, RegistrationClosed),
		LogLevel:       l.get("LOG_LEVEL", "info"),
		LogFormat:      l.oneOf("LOG_FORMAT", "text", "text", "json"),
		HHRateLimit:    l.number("HH_RATE_LIMIT", 5, 1000, "requests per second"),
		ApplyInterval:  l.duration("APPLY_INTERVAL", 2*time.Second, time.Hour, "2s or 500ms"),
		TrustProxy:     l.boolean("TRUST_PROXY"),
		OutcomesEvery:  l.durationBetween("OUTCOMES_EVERY", 3*time.Hour, time.Minute, 7*24*time.Hour, "3h or 30m"),
	}
	c.DatabaseURL = l.get("DATABASE_URL", "file:"+filepath.ToSlash(filepath.Join(c.DataDir, "otklik.db")))
	c.BaseURL = l.baseURL()
	l.redisURL(c.RedisURL)
	l.secretKeys(&c)
	l.hh(&c)
	l.mail(&c)
	l.ai(&c)
	l.telegram(&c)
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		l.bad("LOG_LEVEL", "must be debug, info, warn or error")
	}
	return c, errors.Join(l.errs...)
}

// ai reads the optional model's settings: with AI_BASE_URL unset the rest
// is ignored.
func (l *loader) ai(c *Config) {
	base := l.get("AI_BASE_URL", "")
	if base == "" {
		return
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.bad("AI_BASE_URL", "must be an absolute http or https URL such as http://127.0.0.1:11434/v1")
		return
	}
	c.AI = AIConfig{
		BaseURL: strings.TrimRight(base, "/"),
		APIKey:  l.get("AI_API_KEY", ""),
		Model:   l.get("AI_MODEL", ""),
	}
	if c.AI.Model == "" {
		l.bad("AI_MODEL", "must name the model when AI_BASE_URL is set, e.g. qwen2.5:7b or gpt-4o-mini")
	}
	c.AI.DailyTokens = int(l.number("AI_DAILY_TOKENS", 200000, 1e9, "tokens"))
}

// telegram reads the optional bot's settings.
func (l *loader) telegram(c *Config) {
	c.Telegram.Token = l.get("TELEGRAM_BOT_TOKEN", "")
	c.Telegram.APIURL = strings.TrimRight(l.get("TELEGRAM_API_URL", "https://api.telegram.org"), "/")
	if c.Telegram.Token == "" {
		return
	}
	if strings.ContainsAny(c.Telegram.Token, "/ ?#") {
		l.bad("TELEGRAM_BOT_TOKEN", "must be the token @BotFather gave, such as 123456:ABC-DEF…")
	}
	u, err := url.Parse(c.Telegram.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.bad("TELEGRAM_API_URL", "must be an absolute http or https URL such as https://api.telegram.org")
	}
}

// loader reads the environment once, collecting every bad variable so the
// error names them all.
type loader struct {
	getenv func(string) string
	errs   []error
}

func (l *loader) bad(name, format string, args ...any) {
	l.errs = append(l.errs, &Error{Var: name, Reason: fmt.Sprintf(format, args...)})
}

// get is the variable, trimmed, or def when unset or blank.
func (l *loader) get(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

// oneOf is the variable, which must be one of allowed, or def when unset.
func (l *loader) oneOf(name, def string, allowed ...string) string {
	v := l.get(name, def)
	if !slices.Contains(allowed, v) {
		l.bad(name, "must be %s or %s, not %q", strings.Join(allowed[:len(allowed)-1], ", "), allowed[len(allowed)-1], v)
	}
	return v
}

// number is a positive number up to most, or def when unset.
func (l *loader) number(name string, def, most float64, unit string) float64 {
	v := l.get(name, "")
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || f > most {
		l.bad(name, "must be a number of %s between 0 and %g, not %q", unit, most, v)
	}
	return f
}

// duration is a duration from 0 up to most (example names its form), or
// def when unset.
func (l *loader) duration(name string, def, most time.Duration, example string) time.Duration {
	v := l.get(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > most {
		l.bad(name, "must be a duration such as %s, at most %s, not %q", example, shortDuration(most), v)
	}
	return d
}

// durationBetween is a duration from least up to most (example names its
// form), or def when unset.
func (l *loader) durationBetween(name string, def, least, most time.Duration, example string) time.Duration {
	v := l.get(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < least || d > most {
		l.bad(name, "must be a duration such as %s, between %s and %s, not %q", example, shortDuration(least), shortDuration(most), v)
	}
	return d
}

// boolean is true or false, false when unset.
func (l *loader) boolean(name string) bool {
	v := l.get(name, "")
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		l.bad(name, "must be true or false, not %q", v)
	}
	return b
}

func (l *loader) baseURL() *url.URL {
	base, err := url.Parse(l.get("BASE_URL", "http://localhost:8080"))
	switch {
	case err != nil:
		l.bad("BASE_URL", "not a URL: %v", err)
	case base.Scheme != "http" && base.Scheme != "https", base.Host == "":
		l.bad("BASE_URL", "must be an absolute http or https URL such as https://otklik.example.com")
	default:
		base.Path = strings.TrimRight(base.Path, "/")
		return base
	}
	return nil
}

func (l *loader) redisURL(v string) {
	if v == "" {
		return
	}
	if u, err := url.Parse(v); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		l.bad("REDIS_URL", "must look like redis://host:6379/0")
	}
}

// secretKeys reads SECRET_KEY, its version and the previous keys.
func (l *loader) secretKeys(c *Config) {
	if s := l.getenv("SECRET_KEY"); s != "" {
		key, err := decodeKey(s)
		if err != nil {
			l.bad("SECRET_KEY", "%v", err)
		}
		c.SecretKey = key
	}
	c.SecretKeyVersion = 1
	current := 1
	if v := l.get("SECRET_KEY_VERSION", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			l.bad("SECRET_KEY_VERSION", "must be a whole number from 1 (the version of SECRET_KEY), not %q", v)
			n = 0 // compare SECRET_KEY_PREVIOUS with nothing
		}
		c.SecretKeyVersion = max(n, 1)
		current = n
	}
	if s := l.getenv("SECRET_KEY_PREVIOUS"); strings.TrimSpace(s) != "" {
		keys, err := parsePreviousKeys(s, current)
		if err != nil {
			l.bad("SECRET_KEY_PREVIOUS", "%v", err)
		}
		c.PreviousSecretKeys = keys
	}
}

// hh checks the hh application's credentials, URLs and user agent.
func (l *loader) hh(c *Config) {
	if (c.HHClientID == "") != (c.HHClientSecret == "") {
		l.bad("HH_CLIENT_SECRET", "HH_CLIENT_ID and HH_CLIENT_SECRET must be set together (leave both unset for the sandbox)")
	}
	for _, v := range []struct{ name, url string }{{"HH_API_URL", c.HHAPIURL}, {"HH_OAUTH_URL", c.HHOAuthURL}} {
		if u, err := url.Parse(v.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			l.bad(v.name, "must be an absolute http or https URL")
		}
	}
	if strings.TrimSpace(c.HHUserAgent) == "" {
		l.bad("HH_USER_AGENT", "must not be empty: hh refuses requests without it")
	}
}

func (l *loader) mail(c *Config) {
	if c.SMTPURL == "" {
		return
	}
	if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
		l.bad("SMTP_URL", "must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
	}
	if c.MailFrom == "" {
		l.bad("MAIL_FROM", "is required when SMTP_URL is set")
	}
}

// shortDuration prints whole hours and minutes without trailing zeros (1h,
// not 1h0m0s).
func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// decodeKey accepts a SECRET_KEY as base64 (std or URL, padded or not) holding
// at least 32 bytes, or else any string of at least 32 characters (a hex key
// is read as base64 when it decodes as such: the same in every process).
func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) >= 32 {
			return b, nil
		}
	}
	if len(s) >= 32 {
		return []byte(s), nil
	}
	return nil, errors.New("must hold at least 32 bytes of key material (e.g. the output of: openssl rand -base64 32)")
}

// parsePreviousKeys reads SECRET_KEY_PREVIOUS: "N:key[,M:key…]", each N a
// key version other than current and each key as SECRET_KEY accepts it.
// Errors never quote a key.
func parsePreviousKeys(s string, current int) (map[int][]byte, error) {
	type entry struct {
		version int
		key     string
	}
	// The form of every entry first: a comma inside a key shows as a
	// malformed entry, which says why, rather than as a short key.
	var entries []entry
	for i, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue // a trailing comma
		}
		n, key, ok := strings.Cut(e, ":")
		version, err := strconv.Atoi(strings.TrimSpace(n))
		if !ok || err != nil {
			return nil, fmt.Errorf("entry %d must look like N:key, N the key's version (e.g. 1:<the old SECRET_KEY>); "+
				"entries are separated by commas, so a key cannot contain one", i+1)
		}
		entries = append(entries, entry{version, strings.TrimSpace(key)})
	}
	keys := make(map[int][]byte, len(entries))
	for _, e := range entries {
		switch {
		case e.version < 1:
			return nil, fmt.Errorf("key versions start at 1, not %d", e.version)
		case e.version == current:
			return nil, fmt.Errorf("version %d is SECRET_KEY_VERSION, the version of SECRET_KEY: list only the other keys here", e.version)
		case keys[e.version] != nil:
			return nil, fmt.Errorf("version %d is listed twice", e.version)
		}
		b, err := decodeKey(e.key)
		if err != nil {
			return nil, fmt.Errorf("the key of version %d %v", e.version, err)
		}
		keys[e.version] = b
	}
	return keys, nil
}

// secretFile is where a generated SECRET_KEY lives inside DATA_DIR.
const secretFile = "secret.key"

// EnsureSecretKey makes sure c.SecretKey is set: when SECRET_KEY was not
// given, it reads DATA_DIR/secret.key, generating it (mode 0600) on first run.
// It returns the path of the file used, or "" when SECRET_KEY came from the
// environment. A generated key is version SECRET_KEY_VERSION (1 by default)
// like any other.
//
// web and worker may start together on a fresh DATA_DIR: the key is written
// to a temporary file and hard-linked into place, which fails when a key is
// already there, so the file appears whole or not at all, the first writer's
// key wins and everyone else reads it.
func (c *Config) EnsureSecretKey() (string, error) {
	if len(c.SecretKey) > 0 {
		return "", nil
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return "", fmt.Errorf("config: DATA_DIR: %w", err)
	}
	path := filepath.Join(c.DataDir, secretFile)
	key, err := readSecretKey(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err = createSecretKey(path)
		if errors.Is(err, os.ErrExist) {
			key, err = readSecretKey(path) // another process won
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		err = fmt.Errorf("config: read %s: %w", path, err) // removed as we read it
	}
	if err != nil {
		return "", err
	}
	c.SecretKey = key
	return path, nil
}

// readSecretKey reads a generated key; a missing file is os.ErrNotExist.
func readSecretKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	key, err := decodeKey(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	return key, nil
}

// createSecretKey generates a key and puts it at path unless a file is
// already there (then os.ErrExist).
func createSecretKey(path string) ([]byte, error) {
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand, Go ≥ 1.24)
	// CreateTemp makes the file with mode 0600.
	f, err := os.CreateTemp(filepath.Dir(path), "."+secretFile+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("config: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("config: write %s: %w", path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, err
		}
		return nil, fmt.Errorf("config: write %s: %w (on a file system without hard links, set SECRET_KEY instead)", path, err)
	}
	return key, nil
}
