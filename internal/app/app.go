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

// OpenStore opens the database. The web app migrates it; a worker only
// checks that the schema is current and refuses to start otherwise.
func OpenStore(ctx context.Context, cfg config.Config, migrate bool) (*store.Store, error) {
	cipher, err := store.NewCipherFromSecret(cfg.SecretKey)
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
	return st, nil
}

// checkSecretKey tries the key on one stored hh account, so a SECRET_KEY
// other than the one the tokens were encrypted with stops the process at
// start, not later as every account failing.
func checkSecretKey(ctx context.Context, st *store.Store) error {
	ids, err := st.ListUserIDs(ctx)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	for _, id := range ids {
		// The state needs no key: it tells "no account" from "cannot decrypt".
		if _, err := st.HHAccountState(ctx, id); errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return fmt.Errorf("DATABASE_URL: %w", err)
		}
		_, err := st.HHAccount(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // disconnected meanwhile
		}
		if err == nil {
			return nil
		}
		// The store can read tokens under older key versions, but only one
		// key is configured, so there is no rotation to offer yet.
		return &config.Error{Var: "SECRET_KEY", Reason: fmt.Sprintf("does not decrypt the stored hh tokens (%v): it is not "+
			"the key they were encrypted with. Start with that key (SECRET_KEY, or DATA_DIR/secret.key if it was generated); "+
			"Otklik reads one key only, so it cannot rotate to a new one yet", err)}
	}
	return nil
}
