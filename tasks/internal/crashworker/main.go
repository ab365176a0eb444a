// Command crashworker is a bare worker process for the tasks package's crash
// test: the test runs it against its own hh sandbox, database and Redis,
// kills it with SIGKILL mid-run and starts another.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/internal/app"
	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

func main() {
	hhURL := flag.String("hh", "", "hh sandbox URL")
	db := flag.String("db", "", "DATABASE_URL (a SQLite file or postgres://…)")
	redisAddr := flag.String("redis", "", "Redis address")
	redisDB := flag.Int("redis-db", 0, "Redis database")
	applyInterval := flag.Duration("apply-interval", 100*time.Millisecond, "gap between one account's applications")
	smtpURL := flag.String("smtp", "", "SMTP server URL (empty: no e-mail)")
	flag.Parse()
	if err := run(*hhURL, *db, *redisAddr, *redisDB, *applyInterval, *smtpURL); err != nil {
		fmt.Fprintln(os.Stderr, "crashworker:", err)
		os.Exit(1)
	}
}

func run(hhURL, db, redisAddr string, redisDB int, applyInterval time.Duration, smtpURL string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	cipher, err := store.NewCipherFromSecret([]byte(os.Getenv("CRASHWORKER_SECRET")))
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, db, store.Options{Cipher: cipher})
	if err != nil {
		return err
	}
	defer st.Close()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr, DB: redisDB})
	defer rdb.Close()
	conn := asynq.RedisClientOpt{Addr: redisAddr, DB: redisDB}
	queue := asynq.NewClient(conn)
	defer queue.Close()

	var mailer notify.Mailer
	if smtpURL != "" {
		if mailer, err = notify.NewSMTPMailer(smtpURL, "otklik@example.com"); err != nil {
			return err
		}
	}
	w, err := tasks.New(tasks.Deps{
		Store: st, Redis: rdb, Queue: queue,
		HH:        hh.Config{APIURL: hhURL, OAuthURL: hhURL, UserAgent: "OtklikTest/1.0 (tests@otklik.example)"},
		RateLimit: 500, ApplyInterval: applyInterval,
		BaseURL: "http://otklik.test", Logger: logger, Mailer: mailer,
	})
	if err != nil {
		return err
	}
	rw, err := app.StartWorker(w, &app.Redis{Conn: conn, Client: rdb}, queue, app.WorkerOptions{Concurrency: 8, NoTick: true}, logger)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	<-ctx.Done()
	rw.Stop()
	return nil
}
