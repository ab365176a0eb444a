package store

import (
	"context"
	"strconv"
	"testing"
)

func BenchmarkInsertApplication(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b)
	u := mustUser(b, s, "bench@example.com")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := s.InsertApplication(ctx, testApplication(u.ID, strconv.Itoa(i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInsertApplicationExisting measures the common case of a rule run
// meeting a vacancy already in the ledger.
func BenchmarkInsertApplicationExisting(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b)
	u := mustUser(b, s, "bench@example.com")
	if _, err := s.InsertApplication(ctx, testApplication(u.ID, "1")); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.InsertApplication(ctx, testApplication(u.ID, "1")); err != nil {
			b.Fatal(err)
		}
	}
}
