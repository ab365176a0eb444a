// Package faults is Otklik's fault-injection suite: it runs the real worker
// binary (cmd/worker) against the hh sandbox and a temp SQLite store, breaks
// things — kill -9 the worker, restart Redis, 5xx bursts and 429 storms,
// a token revoked mid-run, SQLite contention from the web app serving
// signed-in browsers over HTTP — and checks afterwards that no vacancy was
// applied twice and every ledger row reached a final state. The tests run
// only with OTKLIK_FAULTS=1:
//
//	OTKLIK_FAULTS=1 go test ./faults/ -v -timeout 30m
//
// docs/RELIABILITY.md has the figures they print.
package faults
