package faults_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// webBin is cmd/web, built once for the suite, beside the worker binary.
var webBin struct {
	once sync.Once
	path string
	err  error
}

// startWebProcess runs cmd/web as a process of its own with the case's
// environment (its LISTEN_ADDR and BASE_URL on a free loopback port),
// logging to web-N.log, and returns once it answers /healthz. It stops
// (SIGTERM) when the case ends.
func (e *env) startWebProcess() *webApp {
	e.t.Helper()
	webBin.once.Do(func() {
		dir := filepath.Dir(buildWorker(e.t))
		gobin, err := exec.LookPath("go")
		if err != nil {
			gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		path := filepath.Join(dir, "otklik-web")
		if out, err := exec.Command(gobin, "build", "-o", path, "github.com/otklik/otklik/cmd/web").CombinedOutput(); err != nil {
			webBin.err = fmt.Errorf("go build ./cmd/web: %v\n%s", err, out)
			return
		}
		webBin.path = path
	})
	if webBin.err != nil {
		e.t.Fatal(webBin.err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	e.webs++
	w := &webApp{url: "http://" + addr, logPath: filepath.Join(e.dir, fmt.Sprintf("web-%d.log", e.webs))}
	logf, err := os.Create(w.logPath)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(webBin.path)
	cmd.Dir = e.dir
	cmd.Env = append(os.Environ(), e.processEnv()...)
	cmd.Env = append(cmd.Env, "LISTEN_ADDR="+addr, "BASE_URL="+w.url)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		e.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}()
	e.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		select {
		case <-done:
			e.t.Fatalf("the web process exited at start:\n%s", w.log())
		default:
		}
		if res, err := http.Get(w.url + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return w
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the web process did not answer /healthz in a minute:\n%s", w.log())
		}
	}
}
