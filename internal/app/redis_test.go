package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// TestRedisThroughSentinel: with master_name in REDIS_URL, Otklik finds the
// master through a real Redis Sentinel, and asynq and our own client both
// write to that master's database.
func TestRedisThroughSentinel(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	masterPort, sentinelPort := freeTCPPort(t), freeTCPPort(t)
	start(t, bin, "--port", fmt.Sprint(masterPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	conf := filepath.Join(dir, "sentinel.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(
		"port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor otklik 127.0.0.1 %d 1\n", sentinelPort, dir, masterPort)), 0o600); err != nil {
		t.Fatal(err)
	}
	start(t, bin, conf, "--sentinel")

	ctx := context.Background()
	sentinel := redis.NewSentinelClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", sentinelPort)})
	defer sentinel.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		addr, err := sentinel.GetMasterAddrByName(ctx, "otklik").Result()
		if err == nil && len(addr) == 2 && addr[1] == fmt.Sprint(masterPort) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sentinel does not know the master: %v %v", addr, err)
		}
	}

	r, err := ConnectRedis(ctx, fmt.Sprintf("redis://127.0.0.1:%d/3?master_name=otklik", sentinelPort))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, ok := r.Conn.(asynq.RedisFailoverClientOpt); !ok {
		t.Fatalf("asynq connection is %T, want a failover connection", r.Conn)
	}
	if err := r.Client.Set(ctx, "otklik:test:sentinel", "through sentinel", 0).Err(); err != nil {
		t.Fatal(err)
	}
	q := asynq.NewClient(r.Conn)
	defer q.Close()
	if _, err := q.EnqueueContext(ctx, asynq.NewTask("test:sentinel", nil), asynq.Queue("sentinel_test")); err != nil {
		t.Fatal(err)
	}

	master := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", masterPort), DB: 3})
	defer master.Close()
	if v, err := master.Get(ctx, "otklik:test:sentinel").Result(); err != nil || v != "through sentinel" {
		t.Fatalf("our client's write on the master's database 3: %q, %v", v, err)
	}
	if n, err := master.LLen(ctx, "asynq:{sentinel_test}:pending").Result(); err != nil || n != 1 {
		t.Fatalf("asynq's pending task on the master's database 3: %d, %v", n, err)
	}
}

func TestConnectRedisRefusesBadURLs(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"redis://127.0.0.1:1/0?master_name=", "master_name is empty"},
		{"redis://127.0.0.1:1/0?master_name=m&x=1", "unexpected option: x"},
		{"redis://127.0.0.1:1/zero", "invalid database number"},
		{"redis://127.0.0.1:1/0?dial_timeout=100ms", "Redis does not answer"}, // valid, but nothing listens
	} {
		_, err := ConnectRedis(context.Background(), c.url)
		if err == nil || !strings.HasPrefix(err.Error(), "REDIS_URL: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ConnectRedis(%q) = %v, want an error naming REDIS_URL and saying %q", c.url, err, c.want)
		}
	}
}

func TestRedactRedisURL(t *testing.T) {
	got := RedactRedisURL("redis://sentinel-user:s3cret-sentinel@10.0.0.1:26379/0?master_name=m&password=s3cret-master&addr=10.0.0.2:26379")
	if strings.Contains(got, "s3cret") {
		t.Fatalf("a password survived redaction: %s", got)
	}
	for _, want := range []string{"10.0.0.1:26379", "master_name=m", "addr=10.0.0.2"} {
		if !strings.Contains(got, want) {
			t.Errorf("redacted URL %s lost %q", got, want)
		}
	}
}

// start runs a Redis process until the test ends.
func start(t *testing.T, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
