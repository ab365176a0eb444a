// Package storetest gives tests a fresh database of their own: a temp SQLite
// file, or, when OTKLIK_TEST_POSTGRES names a PostgreSQL server, a new
// PostgreSQL database created for the test and dropped after it.
//
// A package's tests run on both with Main in its TestMain: the whole suite
// runs once on SQLite and, when OTKLIK_TEST_POSTGRES is set, once more on
// PostgreSQL; DSN hands each test a database of the pass's dialect. Without
// the variable the PostgreSQL pass is skipped (and says so).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvPostgres names the PostgreSQL server the tests may create databases on,
// e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. The role
// needs CREATEDB.
const EnvPostgres = "OTKLIK_TEST_POSTGRES"

// EnvDialect, when set to "sqlite" or "postgres", runs only that pass.
const EnvDialect = "OTKLIK_TEST_DIALECT"

var postgresPass atomic.Bool

// Postgres reports whether the running pass is PostgreSQL's.
func Postgres() bool { return postgresPass.Load() }

// Dialect names the running pass: "sqlite" or "postgres".
func Dialect() string {
	if Postgres() {
		return "postgres"
	}
	return "sqlite"
}

// ServerURL is OTKLIK_TEST_POSTGRES, "" when unset.
func ServerURL() string { return strings.TrimSpace(os.Getenv(EnvPostgres)) }

// Main runs the package's tests on SQLite, then on PostgreSQL when
// OTKLIK_TEST_POSTGRES is set, and exits with the first failure's code.
// Call it from TestMain, after any setup of the package's own.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main without the exit, for a TestMain with teardown of its own.
func Run(m *testing.M) int {
	only := os.Getenv(EnvDialect)
	code := 0
	if only == "" || only == "sqlite" {
		code = m.Run()
	}
	if only == "sqlite" {
		return code
	}
	if ServerURL() == "" {
		if only == "postgres" {
			fmt.Fprintf(os.Stderr, "storetest: %s=postgres but %s is not set\n", EnvDialect, EnvPostgres)
			return 1
		}
		return code
	}
	if err := ping(ServerURL()); err != nil {
		fmt.Fprintf(os.Stderr, "storetest: %s does not answer: %v\n", EnvPostgres, err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "storetest: the same tests on PostgreSQL")
	postgresPass.Store(true)
	defer postgresPass.Store(false)
	if c := m.Run(); code == 0 {
		code = c
	}
	return code
}

// DSN returns the DATABASE_URL of a new empty database for t, of the running
// pass's dialect: a file under t.TempDir(), or a PostgreSQL database dropped
// when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return "file:" + filepath.Join(t.TempDir(), "otklik.db")
	}
	return NewPostgres(t)
}

// SQLiteDSN returns a new SQLite database file's DSN whatever the pass.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	return "file:" + filepath.Join(t.TempDir(), "otklik.db")
}

// NewPostgres creates an empty PostgreSQL database on OTKLIK_TEST_POSTGRES's
// server, drops it when t ends, and returns its URL. It skips t when the
// variable is unset.
func NewPostgres(t testing.TB) string {
	t.Helper()
	server := ServerURL()
	if server == "" {
		t.Skipf("%s is not set", EnvPostgres)
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvPostgres, err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "otklik_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("storetest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", server)
		if err != nil {
			t.Errorf("storetest: %v", err)
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE ends the connections a test left open (a process it killed).
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func ping(server string) error {
	db, err := sql.Open("pgx", server)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}
