package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/otklik/otklik/store/storetest"
)

// TestMain runs the package's tests on SQLite, then on PostgreSQL when
// OTKLIK_TEST_POSTGRES is set.
func TestMain(m *testing.M) { storetest.Main(m) }

// waitingForSchema is what a worker says, once, while it waits for the web
// process to migrate the database.
const waitingForSchema = "waiting for the web process to migrate the database"

// TestStartsTogetherWithWeb: web and worker started at the same time on an
// empty database, as a Procfile starts them, both come up whichever starts
// first: the worker waits for the web process to migrate. Each start is on a
// fresh DATA_DIR with the environment the two share, and both stop cleanly
// on SIGTERM.
func TestStartsTogetherWithWeb(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binaries")
	}
	dir := t.TempDir()
	workerBin, webBin := filepath.Join(dir, "otklik-worker"), filepath.Join(dir, "otklik-web")
	for pkg, bin := range map[string]string{".": workerBin, "../web": webBin} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	orders := []string{"web first", "worker first", "together"}
	for i := range 9 {
		order := orders[i%len(orders)]
		t.Run(fmt.Sprintf("%d %s", i, order), func(t *testing.T) {
			// A private in-process Redis: no other package's database is touched.
			m := miniredis.RunT(t)
			data := t.TempDir()
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := l.Addr().String()
			l.Close()
			base := "http://" + addr
			env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + data, "DATA_DIR=" + data,
				"REDIS_URL=redis://" + m.Addr() + "/0", "LISTEN_ADDR=" + addr, "BASE_URL=" + base}
			if storetest.Postgres() {
				// An empty PostgreSQL database of its own; SQLite's is the
				// default file in DATA_DIR.
				env = append(env, "DATABASE_URL="+storetest.NewPostgres(t))
			}
			web := &process{name: "web", cmd: exec.Command(webBin)}
			worker := &process{name: "worker", cmd: exec.Command(workerBin)}

			switch order {
			case "web first":
				web.start(t, data, env)
				waitReady(t, base, web)
				worker.start(t, data, env)
			case "worker first":
				worker.start(t, data, env)
				worker.waitFor(t, waitingForSchema)
				web.start(t, data, env)
			case "together":
				web.start(t, data, env)
				worker.start(t, data, env)
			}
			waitReady(t, base, web)
			worker.waitFor(t, `msg="worker started"`)

			web.stop(t)
			worker.stop(t)
			switch n := strings.Count(worker.out.String(), waitingForSchema); {
			case order == "web first" && n != 0:
				t.Errorf("started after the web process, the worker still waited for the schema:\n%s", worker.out.String())
			case n > 1:
				t.Errorf("the worker said %d times that it waits for the schema, want once:\n%s", n, worker.out.String())
			}
		})
	}
}

// process is a started binary whose output the test reads.
type process struct {
	name string
	cmd  *exec.Cmd
	out  syncBuffer
	done chan struct{} // closed when it has exited
	err  error         // its exit, once done
	once sync.Once
}

func (p *process) start(t *testing.T, dir string, env []string) {
	t.Helper()
	p.cmd.Dir, p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = dir, env, &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.done = make(chan struct{})
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s output:\n%s", p.name, p.out.String())
		}
	})
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitFor waits until the process has printed want; it fails the test if
// the process ends first.
func (p *process) waitFor(t *testing.T, want string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(p.out.String(), want); time.Sleep(50 * time.Millisecond) {
		if p.exited() {
			t.Fatalf("%s exited (%v) before saying %q", p.name, p.err, want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never said %q", p.name, want)
		}
	}
}

// stop sends SIGTERM, as a process manager does, and wants a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if p.exited() {
		t.Fatalf("%s had exited already (%v)", p.name, p.err)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s stopped with %v", p.name, p.err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("%s did not stop on SIGTERM", p.name)
	}
}

func (p *process) kill() {
	if p.done == nil || p.exited() {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// waitReady waits for the web app's /readyz to answer 200; it fails the
// test if the web process ends first.
func waitReady(t *testing.T, base string, web *process) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, base+"/readyz", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if web.exited() {
			t.Fatalf("web exited (%v) before it was ready", web.err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the web app did not become ready")
		}
	}
}

// syncBuffer collects a subprocess's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
