// Package app wires Otklik's parts from a config.Config: it is what
// cmd/web and cmd/worker share (logging, the store, Redis, hh endpoints and
// the worker's asynq server).
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store"
)

// SandboxPath is where cmd/web mounts the hh sandbox in sandbox mode.
const SandboxPath = "/sandbox"

// SandboxClientID is the sandbox application's client id.
const SandboxClientID = "otklik-sandbox"

// NewLogger builds the process logger from LOG_LEVEL and LOG_FORMAT.
func NewLogger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// SandboxSecret is the sandbox application's client secret, derived from
// SECRET_KEY so that web and worker processes agree on it without sharing
// another value.
func SandboxSecret(secretKey []byte) string {
	m := hmac.New(sha256.New, secretKey)
	m.Write([]byte("otklik hh sandbox client secret"))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// SandboxURL is the public URL of the mounted sandbox.
func SandboxURL(cfg config.Config) string {
	return strings.TrimRight(cfg.BaseURL.String(), "/") + SandboxPath
}

// HHConfig is the hh client configuration: the real hh.ru with the
// operator's credentials, or the sandbox mounted in the web app. transport,
// when set, carries the requests (the in-process sandbox).
func HHConfig(cfg config.Config, transport http.RoundTripper) hh.Config {
	c := hh.Config{
		APIURL:       cfg.HHAPIURL,
		OAuthURL:     cfg.HHOAuthURL,
		UserAgent:    cfg.HHUserAgent,
		ClientID:     cfg.HHClientID,
		ClientSecret: cfg.HHClientSecret,
	}
	if cfg.Sandbox() {
		c.APIURL = SandboxURL(cfg)
		c.OAuthURL = SandboxURL(cfg)
		c.ClientID = SandboxClientID
		c.ClientSecret = SandboxSecret(cfg.SecretKey)
	}
	if transport != nil {
		c.HTTPClient = &http.Client{Transport: transport}
	}
	return c
}

// OpenStore opens the database with every configured token key (SECRET_KEY
// and SECRET_KEY_PREVIOUS). The web process (migrate) migrates it and then
// re-encrypts the hh tokens stored under older keys with SECRET_KEY; a worker
// only checks that the schema is current (after WaitForSchema) and refuses to
// start otherwise.
// Both refuse to start when a key in use by stored tokens is missing or wrong.
func OpenStore(ctx context.Context, cfg config.Config, migrate bool, logger *slog.Logger) (*store.Store, error) {
	if logger == nil {
		logger = slog.Default()
	}
	cipher, err := store.NewCipher(cfg.TokenKeys(), cfg.CurrentKeyVersion())
	if err != nil {
		return nil, fmt.Errorf("SECRET_KEY: %w", err)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{Cipher: cipher, Migrate: migrate})
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if !migrate {
		if err := st.CheckSchema(ctx); err != nil {
			st.Close()
			return nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
	}
	if err := checkSecretKey(ctx, st); err != nil {
		st.Close()
		return nil, err
	}
	if migrate {
		rotateTokens(ctx, st, cfg, logger)
	}
	return st, nil
}

// DefaultSchemaWait is how long a worker waits for the web process to
// migrate the database before it gives up.
const DefaultSchemaWait = 2 * time.Minute

// schemaPoll is how often a waiting worker looks at the schema again.
const schemaPoll = 500 * time.Millisecond

// WaitForSchema returns once the database's schema is current: a worker
// started before the web process (or together with it, as a process manager
// starts them) waits for the web process to migrate, saying so once. It
// gives up after wait with an error naming DATABASE_URL, and returns
// ctx's error if ctx ends first.
func WaitForSchema(ctx context.Context, cfg config.Config, wait time.Duration, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{})
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	defer st.Close()
	deadline := time.Now().Add(wait)
	said := false
	for {
		err := st.CheckSchema(ctx)
		if err == nil {
			if said {
				logger.Info("database schema is current")
			}
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("DATABASE_URL: %w (waited %s for the web process to migrate it: start it "+
				"with the same DATABASE_URL, or DATA_DIR)", err, wait)
		}
		if !said {
			logger.Info("waiting for the web process to migrate the database", "wait", wait.String(), "reason", err.Error())
			said = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(schemaPoll, time.Until(deadline))):
		}
	}
}

// checkSecretKey stops the process at start when a key in use by stored hh
// tokens is missing or wrong (store.CheckTokenKeys), saying which variable to
// set.
func checkSecretKey(ctx context.Context, st *store.Store) error {
	err := st.CheckTokenKeys(ctx)
	var ke *store.KeyError
	if !errors.As(err, &ke) {
		if err != nil {
			return fmt.Errorf("DATABASE_URL: %w", err)
		}
		return nil
	}
	version, current := ke.Version, ke.Current
	var problem string
	switch ke.Problem {
	case store.KeyNewer:
		return &config.Error{Var: "SECRET_KEY", Reason: fmt.Sprintf("stored hh tokens are encrypted under key "+
			"version %d, newer than SECRET_KEY (version %d): start with that key as SECRET_KEY and "+
			"SECRET_KEY_VERSION=%d, as the other processes do (%v)", version, current, version, ke.Err)}
	case store.KeyMissing:
		problem = fmt.Sprintf("stored hh tokens are encrypted under key version %d, which is not configured "+
			"(SECRET_KEY is version %d): give that key as SECRET_KEY_PREVIOUS=%d:<key>", version, current, version)
	case store.KeyWrongCurrent:
		problem = fmt.Sprintf("SECRET_KEY (version %d) does not decrypt the stored hh tokens of that version: "+
			"it is not the key they were encrypted with; start with that key (SECRET_KEY, or DATA_DIR/secret.key "+
			"if it was generated)", version)
	default:
		problem = fmt.Sprintf("the version %d key in SECRET_KEY_PREVIOUS does not decrypt the stored hh tokens of "+
			"that version: it is not the key they were encrypted with", version)
	}
	return &config.Error{Var: "SECRET_KEY", Reason: fmt.Sprintf("%s (%v). To rotate to a new key, keep the old one "+
		"as SECRET_KEY_PREVIOUS=<its version>:<old key> and set the new SECRET_KEY with a higher SECRET_KEY_VERSION "+
		"(README: Rotating the secret key)", problem, ke.Err)}
}

// rotateTokens re-encrypts the hh tokens stored under older keys with
// SECRET_KEY (store.RotateAllTokens), once per start of the web process, and
// says whether older keys are still needed. A failure is logged, not fatal:
// every account still decrypts with the configured keys, and the next start
// tries again.
func rotateTokens(ctx context.Context, st *store.Store, cfg config.Config, logger *slog.Logger) {
	current := cfg.CurrentKeyVersion()
	r, err := st.RotateAllTokens(ctx)
	if err != nil {
		logger.Error("hh token rotation incomplete: keep the older keys in SECRET_KEY_PREVIOUS",
			"rotated_accounts", r.Rotated, "key_version", current, "error", err)
		return
	}
	if r.Rotated > 0 {
		logger.Info("hh tokens re-encrypted under the current key", "rotated_accounts", r.Rotated, "key_version", current)
	}
	if len(r.Left) > 0 {
		// Rewritten meanwhile by a process still running with an older
		// SECRET_KEY: the next start of web rotates them.
		logger.Warn("some hh accounts are still encrypted under older keys: keep them in SECRET_KEY_PREVIOUS",
			"key_version", current, "old_key_versions", r.Left)
		return
	}
	if r.Rotated > 0 || len(cfg.PreviousSecretKeys) > 0 {
		logger.Info("hh token rotation complete: all hh accounts are encrypted under the current key, "+
			"SECRET_KEY_PREVIOUS is no longer needed", "key_version", current)
	}
}
