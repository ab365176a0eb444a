// Command dbcopy copies a whole Otklik instance from one database to another:
// SQLite to PostgreSQL (or back, or SQLite to SQLite). The target is
// migrated and must be empty; every table is copied in one transaction,
// parents first, with its ids; row counts are checked; PostgreSQL's
// sequences are moved past the copied ids. Stop web and workers first.
//
//	go run ./cmd/dbcopy -from file:./data/otklik.db -to postgres://otklik@db/otklik
//
// hh tokens are copied encrypted: the target instance needs the same
// SECRET_KEY (and SECRET_KEY_PREVIOUS, if set) to read them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/otklik/otklik/store"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "otklik dbcopy:", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("dbcopy", flag.ContinueOnError)
	from := fs.String("from", getenv("DATABASE_URL"), "the source DATABASE_URL (default: $DATABASE_URL)")
	to := fs.String("to", "", "the target DATABASE_URL: an empty database (postgres://… or file:…)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("both -from and -to are required (e.g. -from file:./data/otklik.db -to postgres://otklik@db/otklik)")
	}
	if *from == *to {
		return errors.New("-from and -to name the same database")
	}
	if !store.IsPostgres(*from) {
		// Opening a missing SQLite file would create an empty one.
		path := strings.TrimSpace(*from)
		for _, prefix := range []string{"sqlite3://", "sqlite://", "file:"} {
			path = strings.TrimPrefix(path, prefix)
		}
		path, _, _ = strings.Cut(path, "?")
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("-from: %w", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	src, err := store.Open(ctx, *from, store.Options{})
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to, store.Options{})
	if err != nil {
		return fmt.Errorf("-to: %w", err)
	}
	defer dst.Close()

	fmt.Fprintf(out, "copying %s → %s\n", store.RedactDSN(*from), store.RedactDSN(*to))
	start := time.Now()
	var rows int64
	err = store.CopyDatabase(ctx, src, dst, func(p store.CopyProgress) {
		rows += p.Rows
		fmt.Fprintf(out, "  %-24s %9d rows  %8s  ok\n", p.Table, p.Rows, p.Elapsed.Round(time.Millisecond))
	})
	if errors.Is(err, store.ErrTargetNotEmpty) {
		return fmt.Errorf("%w\nthe target must be a new, empty database: nothing was written to it", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "copied %d rows in %s; point DATABASE_URL at the target and keep the same SECRET_KEY\n",
		rows, time.Since(start).Round(time.Millisecond))
	return nil
}
