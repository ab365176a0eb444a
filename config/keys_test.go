package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

const (
	testKeyA = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // base64 of 0123456789abcdef0123456789abcdef
	testKeyB = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
)

// The operator rotates by giving the new key a higher version and listing
// the old ones; every key is read as SECRET_KEY is.
func TestLoadSecretKeyVersions(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.SecretKeyVersion != 1 || len(c.PreviousSecretKeys) != 0 {
		t.Errorf("defaults: version %d, previous %d keys", c.SecretKeyVersion, len(c.PreviousSecretKeys))
	}

	raw := "a raw passphrase: 32 characters or more"
	c, err = Load(env(map[string]string{
		"SECRET_KEY":          testKeyB,
		"SECRET_KEY_VERSION":  " 3 ",
		"SECRET_KEY_PREVIOUS": "1:" + testKeyA + ", 2:" + raw + ",",
	}))
	if err != nil {
		t.Fatal(err)
	}
	keys := c.TokenKeys()
	if c.SecretKeyVersion != 3 || len(keys) != 3 ||
		string(keys[1]) != "0123456789abcdef0123456789abcdef" || string(keys[2]) != raw || string(keys[3]) != string(c.SecretKey) {
		t.Errorf("version %d, %d keys", c.SecretKeyVersion, len(keys))
	}
}

// A generated key is version 1, or SECRET_KEY_VERSION when that is set.
func TestGeneratedSecretKeyVersion(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, tc := range []struct {
		version string
		want    int
	}{{"", 1}, {"2", 2}} {
		c, err := Load(env(map[string]string{"DATA_DIR": dir, "SECRET_KEY_VERSION": tc.version, "SECRET_KEY_PREVIOUS": "7:" + testKeyA}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.EnsureSecretKey(); err != nil {
			t.Fatal(err)
		}
		if keys := c.TokenKeys(); c.CurrentKeyVersion() != tc.want || len(keys) != 2 || string(keys[tc.want]) != string(c.SecretKey) {
			t.Errorf("SECRET_KEY_VERSION=%q: current %d, keys %d", tc.version, c.CurrentKeyVersion(), len(keys))
		}
	}
}

func TestLoadBadSecretKeyVersions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		varName string
		says    string
	}{
		{"version not a number", map[string]string{"SECRET_KEY_VERSION": "two"}, "SECRET_KEY_VERSION", "whole number from 1"},
		{"version zero", map[string]string{"SECRET_KEY_VERSION": "0"}, "SECRET_KEY_VERSION", "whole number from 1"},
		{"version negative", map[string]string{"SECRET_KEY_VERSION": "-2"}, "SECRET_KEY_VERSION", "whole number from 1"},
		{"previous without version", map[string]string{"SECRET_KEY_PREVIOUS": testKeyA}, "SECRET_KEY_PREVIOUS", "entry 1 must look like N:key"},
		{"previous version not a number", map[string]string{"SECRET_KEY_PREVIOUS": "one:" + testKeyA}, "SECRET_KEY_PREVIOUS", "entry 1 must look like N:key"},
		{"comma inside a key", map[string]string{"SECRET_KEY_VERSION": "2", "SECRET_KEY_PREVIOUS": "1:a raw key, with a comma, 32 chars long"}, "SECRET_KEY_PREVIOUS", "entry 2 must look like N:key"},
		{"previous version zero", map[string]string{"SECRET_KEY_PREVIOUS": "0:" + testKeyA}, "SECRET_KEY_PREVIOUS", "versions start at 1"},
		{"the current version", map[string]string{"SECRET_KEY_VERSION": "2", "SECRET_KEY_PREVIOUS": "1:" + testKeyA + ",2:" + testKeyB}, "SECRET_KEY_PREVIOUS", "version 2 is SECRET_KEY_VERSION"},
		{"the default current version", map[string]string{"SECRET_KEY_PREVIOUS": "1:" + testKeyA}, "SECRET_KEY_PREVIOUS", "version 1 is SECRET_KEY_VERSION"},
		{"a version twice", map[string]string{"SECRET_KEY_VERSION": "3", "SECRET_KEY_PREVIOUS": "1:" + testKeyA + ",1:" + testKeyB}, "SECRET_KEY_PREVIOUS", "version 1 is listed twice"},
		{"a short key", map[string]string{"SECRET_KEY_VERSION": "2", "SECRET_KEY_PREVIOUS": "1:c2hvcnQ="}, "SECRET_KEY_PREVIOUS", "the key of version 1 must hold at least 32 bytes"},
		{"an empty key", map[string]string{"SECRET_KEY_VERSION": "2", "SECRET_KEY_PREVIOUS": "1:"}, "SECRET_KEY_PREVIOUS", "the key of version 1 must hold at least 32 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env))
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != tc.varName || !strings.Contains(ce.Reason, tc.says) {
				t.Fatalf("Load = %v, want an error naming %s that says %q", err, tc.varName, tc.says)
			}
			for _, key := range []string{testKeyA, testKeyB, "c2hvcnQ=", "raw key"} {
				if strings.Contains(err.Error(), key) {
					t.Errorf("the error quotes a key: %v", err)
				}
			}
		})
	}
}
