package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != ":8080" || c.BaseURL.String() != "http://localhost:8080" || c.DataDir != "./data" {
		t.Errorf("defaults: %+v", c)
	}
	if c.DatabaseURL != "file:data/otklik.db" {
		t.Errorf("DatabaseURL = %q", c.DatabaseURL)
	}
	if !c.Sandbox() || !c.EmbeddedRedis() {
		t.Error("an empty environment must mean sandbox and embedded Redis")
	}
	if c.HHRateLimit != 5 || c.ApplyInterval != 2*time.Second || c.Registration != RegistrationOpen {
		t.Errorf("pace and registration defaults: %+v", c)
	}
	if c.RedirectURI() != "http://localhost:8080/hh/callback" {
		t.Errorf("RedirectURI = %q", c.RedirectURI())
	}
	if c.SecureCookies() {
		t.Error("http BASE_URL must not set Secure cookies")
	}
	if c.TrustProxy {
		t.Error("X-Forwarded-For must not be trusted by default")
	}
}

func TestLoadNamesEveryBadVariable(t *testing.T) {
	_, err := Load(env(map[string]string{
		"BASE_URL":       "localhost:8080",
		"REDIS_URL":      "http://x",
		"SECRET_KEY":     "short",
		"HH_CLIENT_ID":   "id-without-secret",
		"REGISTRATION":   "sometimes",
		"HH_RATE_LIMIT":  "-1",
		"APPLY_INTERVAL": "soon",
		"SMTP_URL":       "smtp://mail.example.com:587",
		"TRUST_PROXY":    "maybe",
		"OUTCOMES_EVERY": "often",
	}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, name := range []string{"BASE_URL", "REDIS_URL", "SECRET_KEY", "HH_CLIENT_SECRET", "REGISTRATION", "HH_RATE_LIMIT", "APPLY_INTERVAL", "MAIL_FROM", "TRUST_PROXY", "OUTCOMES_EVERY"} {
		if !strings.Contains(err.Error(), name+":") {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Errorf("errors.As(*Error) failed for %v", err)
	}
}

func TestLoadProduction(t *testing.T) {
	c, err := Load(env(map[string]string{
		"BASE_URL":         "https://otklik.example.com/",
		"REDIS_URL":        "redis://127.0.0.1:6379/0",
		"HH_CLIENT_ID":     "ID",
		"HH_CLIENT_SECRET": "SECRET",
		"SECRET_KEY":       "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"HH_RATE_LIMIT":    "2.5",
		"APPLY_INTERVAL":   "3s",
		"TRUST_PROXY":      "true",
		"OUTCOMES_EVERY":   "90m",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Sandbox() || c.EmbeddedRedis() || !c.SecureCookies() {
		t.Errorf("modes: %+v", c)
	}
	if c.RedirectURI() != "https://otklik.example.com/hh/callback" {
		t.Errorf("RedirectURI = %q", c.RedirectURI())
	}
	if len(c.SecretKey) != 32 || c.HHRateLimit != 2.5 || c.ApplyInterval != 3*time.Second {
		t.Errorf("parsed values: key %d bytes, %v, %v", len(c.SecretKey), c.HHRateLimit, c.ApplyInterval)
	}
	if !c.TrustProxy {
		t.Error("TRUST_PROXY=true not read")
	}
	if c.OutcomesEvery != 90*time.Minute {
		t.Errorf("OUTCOMES_EVERY=90m read as %v", c.OutcomesEvery)
	}
}

func TestEnsureSecretKeyGeneratesOnceWithMode0600(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	c, err := Load(env(map[string]string{"DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	path, err := c.EnsureSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode = %v, want 0600", fi.Mode().Perm())
	}
	first := string(c.SecretKey)

	c2, _ := Load(env(map[string]string{"DATA_DIR": dir}))
	if _, err := c2.EnsureSecretKey(); err != nil {
		t.Fatal(err)
	}
	if string(c2.SecretKey) != first || len(first) != 32 {
		t.Error("a second start must reuse the generated key")
	}
}

// web and worker starting together on a fresh DATA_DIR both generate a key:
// exactly one is kept, every caller ends up with it, and none fails on the
// file the other is creating or reads it half-written.
func TestEnsureSecretKeyConcurrentFirstRun(t *testing.T) {
	const rounds, callers = 20, 16
	for round := range rounds {
		dir := filepath.Join(t.TempDir(), "data")
		keys := make([]string, callers)
		errs := make([]error, callers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := Load(env(map[string]string{"DATA_DIR": dir}))
				if err != nil {
					errs[i] = err
					return
				}
				<-start
				_, errs[i] = c.EnsureSecretKey()
				keys[i] = string(c.SecretKey)
			}()
		}
		close(start)
		wg.Wait()
		for i := range callers {
			if errs[i] != nil {
				t.Fatalf("round %d, caller %d: %v", round, i, errs[i])
			}
			if len(keys[i]) != 32 || keys[i] != keys[0] {
				t.Fatalf("round %d: callers got different keys (caller %d: %d bytes)", round, i, len(keys[i]))
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, secretFile))
		if err != nil {
			t.Fatal(err)
		}
		if key, err := decodeKey(strings.TrimSpace(string(b))); err != nil || string(key) != keys[0] {
			t.Fatalf("round %d: the key file does not hold the key the callers use (%v)", round, err)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("round %d: DATA_DIR holds %v, want only %s", round, names, secretFile)
		}
	}
}

func TestLoadAI(t *testing.T) {
	c, err := Load(env(map[string]string{"AI_API_KEY": "k", "AI_MODEL": "m"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.AI.Enabled() {
		t.Errorf("without AI_BASE_URL AI must be off: %+v", c.AI)
	}
	c, err = Load(env(map[string]string{"AI_BASE_URL": "http://127.0.0.1:11434/v1/", "AI_MODEL": "qwen2.5:7b"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.AI.Enabled() || c.AI.BaseURL != "http://127.0.0.1:11434/v1" || c.AI.Model != "qwen2.5:7b" || c.AI.DailyTokens != 200000 {
		t.Errorf("AI: %+v", c.AI)
	}
	_, err = Load(env(map[string]string{"AI_BASE_URL": "localhost", "AI_DAILY_TOKENS": "-1"}))
	for _, name := range []string{"AI_BASE_URL"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
	_, err = Load(env(map[string]string{"AI_BASE_URL": "http://x/v1", "AI_DAILY_TOKENS": "lots"}))
	for _, name := range []string{"AI_MODEL", "AI_DAILY_TOKENS"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}

func TestLoadTelegram(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.Telegram.Enabled() || c.Telegram.APIURL != "https://api.telegram.org" {
		t.Errorf("defaults: %+v, %v", c.Telegram, err)
	}
	c, err = Load(env(map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_URL": "http://127.0.0.1:8081/"}))
	if err != nil || !c.Telegram.Enabled() || c.Telegram.APIURL != "http://127.0.0.1:8081" {
		t.Errorf("set: %+v, %v", c.Telegram, err)
	}
	_, err = Load(env(map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_URL": "api.telegram.org"}))
	var ce *Error
	if !errors.As(err, &ce) || ce.Var != "TELEGRAM_API_URL" {
		t.Errorf("a relative TELEGRAM_API_URL: %v", err)
	}
}
