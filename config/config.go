// Package config reads Otklik's configuration from the environment once, in
// main, into a Config that is passed down (DESIGN.md, "Contracts").
package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
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
}

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
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, &Error{Var: name, Reason: fmt.Sprintf(format, args...)})
	}
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}

	c := Config{
		ListenAddr:     get("LISTEN_ADDR", ":8080"),
		DataDir:        get("DATA_DIR", "./data"),
		RedisURL:       get("REDIS_URL", ""),
		HHClientID:     get("HH_CLIENT_ID", ""),
		HHClientSecret: get("HH_CLIENT_SECRET", ""),
		HHUserAgent:    get("HH_USER_AGENT", "Otklik/"+Version+" (self-hosted; https://github.com/otklik/otklik)"),
		HHAPIURL:       get("HH_API_URL", "https://api.hh.ru"),
		HHOAuthURL:     get("HH_OAUTH_URL", "https://hh.ru"),
		SMTPURL:        get("SMTP_URL", ""),
		MailFrom:       get("MAIL_FROM", ""),
		Registration:   get("REGISTRATION", RegistrationOpen),
		LogLevel:       get("LOG_LEVEL", "info"),
		LogFormat:      get("LOG_FORMAT", "text"),
	}
	c.DatabaseURL = get("DATABASE_URL", "file:"+filepath.ToSlash(filepath.Join(c.DataDir, "otklik.db")))

	base, err := url.Parse(get("BASE_URL", "http://localhost:8080"))
	switch {
	case err != nil:
		bad("BASE_URL", "not a URL: %v", err)
	case base.Scheme != "http" && base.Scheme != "https", base.Host == "":
		bad("BASE_URL", "must be an absolute http or https URL such as https://otklik.example.com")
	default:
		base.Path = strings.TrimRight(base.Path, "/")
		c.BaseURL = base
	}

	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			bad("REDIS_URL", "must look like redis://host:6379/0")
		}
	}
	if s := getenv("SECRET_KEY"); s != "" {
		key, err := decodeKey(s)
		if err != nil {
			bad("SECRET_KEY", "%v", err)
		}
		c.SecretKey = key
	}
	c.SecretKeyVersion = 1
	current := 1
	if v := get("SECRET_KEY_VERSION", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad("SECRET_KEY_VERSION", "must be a whole number from 1 (the version of SECRET_KEY), not %q", v)
			n = 0 // compare SECRET_KEY_PREVIOUS with nothing
		}
		c.SecretKeyVersion = max(n, 1)
		current = n
	}
	if s := getenv("SECRET_KEY_PREVIOUS"); strings.TrimSpace(s) != "" {
		keys, err := parsePreviousKeys(s, current)
		if err != nil {
			bad("SECRET_KEY_PREVIOUS", "%v", err)
		}
		c.PreviousSecretKeys = keys
	}
	if (c.HHClientID == "") != (c.HHClientSecret == "") {
		bad("HH_CLIENT_SECRET", "HH_CLIENT_ID and HH_CLIENT_SECRET must be set together (leave both unset for the sandbox)")
	}
	for name, v := range map[string]string{"HH_API_URL": c.HHAPIURL, "HH_OAUTH_URL": c.HHOAuthURL} {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(name, "must be an absolute http or https URL")
		}
	}
	if strings.TrimSpace(c.HHUserAgent) == "" {
		bad("HH_USER_AGENT", "must not be empty: hh refuses requests without it")
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			bad("SMTP_URL", "must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
		}
		if c.MailFrom == "" {
			bad("MAIL_FROM", "is required when SMTP_URL is set")
		}
	}
	switch c.Registration {
	case RegistrationOpen, RegistrationInvite, RegistrationClosed:
	default:
		bad("REGISTRATION", "must be open, invite or closed, not %q", c.Registration)
	}

	c.HHRateLimit = 5
	if v := get("HH_RATE_LIMIT", ""); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1000 {
			bad("HH_RATE_LIMIT", "must be a number of requests per second between 0 and 1000, not %q", v)
		}
		c.HHRateLimit = f
	}
	c.ApplyInterval = 2 * time.Second
	if v := get("APPLY_INTERVAL", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Hour {
			bad("APPLY_INTERVAL", "must be a duration such as 2s or 500ms, at most 1h, not %q", v)
		}
		c.ApplyInterval = d
	}
	c.OutcomesEvery = 3 * time.Hour
	if v := get("OUTCOMES_EVERY", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 7*24*time.Hour {
			bad("OUTCOMES_EVERY", "must be a duration such as 3h or 30m, between 1m and 168h, not %q", v)
		}
		c.OutcomesEvery = d
	}
	if v := get("TRUST_PROXY", ""); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("TRUST_PROXY", "must be true or false, not %q", v)
		}
		c.TrustProxy = b
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", "must be debug, info, warn or error")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("LOG_FORMAT", "must be text or json")
	}
	return c, errors.Join(errs...)
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
