package main

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/store/storetest"
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
		args []string
		env  []string
		want string
	}{
		{"no redis", nil, []string{key}, "REDIS_URL"},
		{"bad rate", nil, []string{key, "REDIS_URL=" + redisURL, "HH_RATE_LIMIT=fast"}, "HH_RATE_LIMIT"},
		{"bad interval", nil, []string{key, "REDIS_URL=" + redisURL, "APPLY_INTERVAL=-3s"}, "APPLY_INTERVAL"},
		{"half credentials", nil, []string{key, "REDIS_URL=" + redisURL, "HH_CLIENT_ID=abc"}, "HH_CLIENT_SECRET"},
		// No web process migrates it: the worker waits (saying so), then
		// gives up.
		{"schema behind", []string{"-schema-wait", "1s"}, []string{key, "REDIS_URL=" + redisURL, "DATA_DIR=" + filepath.Join(dir, "data")}, "DATABASE_URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			cmd.Dir = dir
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, c.env...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("worker started; output:\n%s", out)
			}
			if !strings.Contains(string(out), c.want) {
				t.Errorf("the message does not name %s:\n%s", c.want, out)
			}
			if n := strings.Count(string(out), waitingForSchema); c.name == "schema behind" && n != 1 {
				t.Errorf("the worker said %d times that it waits for the schema, want once:\n%s", n, out)
			}
		})
	}
}

// TestServesMetrics: a worker started with -metrics-addr serves its own
// Prometheus series, and its per-minute tick (enqueued at start) shows up.
func TestServesMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	rig := newWorkerRig(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	cmd := exec.Command(rig.bin, "-metrics-addr", addr)
	cmd.Dir = rig.dir
	cmd.Env = append(rig.env, "LOG_LEVEL=warn")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})

	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), `otklik_tasks_total{result="ok",type="scheduler:tick"}`) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no tick in the worker's metrics (last error %v)", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// workerRig is a built worker binary with what it runs on: a migrated
// database of its own and a private in-process Redis (no other package's
// database is touched), in env.
type workerRig struct {
	dir, bin string
	env      []string
	redis    *miniredis.Miniredis
}

func newWorkerRig(t *testing.T) workerRig {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "otklik-worker")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	secret := []byte("0123456789abcdef0123456789abcdef")
	cipher, err := store.NewCipherFromSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	dsn := storetest.DSN(t)
	st, err := store.Open(context.Background(), dsn, store.Options{Cipher: cipher, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	m := miniredis.RunT(t)
	return workerRig{dir: dir, bin: bin, redis: m, env: []string{"PATH=" + os.Getenv("PATH"),
		"REDIS_URL=redis://" + m.Addr() + "/0", "DATABASE_URL=" + dsn,
		"SECRET_KEY=" + base64.StdEncoding.EncodeToString(secret)}}
}
