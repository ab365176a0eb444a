package store

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
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

// BenchmarkResumes measures the read the worker makes before each POST to
// check the row's resume is still the connected person's.
func BenchmarkResumes(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b)
	u := mustUser(b, s, "bench@example.com")
	if err := s.ReplaceResumes(ctx, u.ID, []hh.Resume{{ID: "r1", Title: "Go"}, {ID: "r2", Title: "Rust"}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Resumes(ctx, u.ID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplication(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b)
	u := mustUser(b, s, "bench@example.com")
	a := testApplication(u.ID, "1")
	if _, err := s.InsertApplication(ctx, a); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Application(ctx, u.ID, a.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplicationWhileWriting is BenchmarkApplication with another
// connection writing to the ledger every millisecond, as the worker's rule
// runs and POSTs do: each read then starts on a page cache another
// connection's commit has made stale.
func BenchmarkApplicationWhileWriting(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b)
	u := mustUser(b, s, "bench@example.com")
	var a *Application
	for i := range 6000 {
		a = testApplication(u.ID, strconv.Itoa(i))
		if _, err := s.InsertApplication(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-t.C:
				_ = s.AddRunRequests(ctx, u.ID, 0, 0)
				if _, err := s.InsertApplication(ctx, testApplication(u.ID, "w"+strconv.Itoa(i))); err != nil {
					b.Error(err)
					return
				}
			}
		}
	}()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Application(ctx, u.ID, a.ID); err != nil {
			b.Fatal(err)
		}
	}
	close(stop)
	<-done
}
