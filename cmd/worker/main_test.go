package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusesToStart: a worker with bad configuration, or over a database
// the web app has not migrated yet, exits non-zero with a message naming the
// variable to fix.
func TestRefusesToStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "otklik-worker")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:1/0" // never reached: the schema check comes first
	}
	key := "SECRET_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"no redis", []string{key}, "REDIS_URL"},
		{"bad rate", []string{key, "REDIS_URL=" + redisURL, "HH_RATE_LIMIT=fast"}, "HH_RATE_LIMIT"},
		{"bad interval", []string{key, "REDIS_URL=" + redisURL, "APPLY_INTERVAL=-3s"}, "APPLY_INTERVAL"},
		{"half credentials", []string{key, "REDIS_URL=" + redisURL, "HH_CLIENT_ID=abc"}, "HH_CLIENT_SECRET"},
		{"schema behind", []string{key, "REDIS_URL=" + redisURL, "DATA_DIR=" + filepath.Join(dir, "data")}, "DATABASE_URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin)
			cmd.Dir = dir
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, c.env...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("worker started; output:\n%s", out)
			}
			if !strings.Contains(string(out), c.want) {
				t.Errorf("the message does not name %s:\n%s", c.want, out)
			}
		})
	}
}
