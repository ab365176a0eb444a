package app

import (
	"slices"
	"testing"
	"time"
)

func TestShiftedEnv(t *testing.T) {
	cases := []struct {
		name string
		in   []string
		busy bool
		want []string
	}{
		{"to busy, no GODEBUG", []string{"A=1"}, true, []string{"A=1", "GODEBUG=" + busyGODEBUG}},
		{"to busy, operator's GODEBUG kept", []string{"GODEBUG=http2client=0", "A=1"}, true, []string{"A=1", "GODEBUG=http2client=0," + busyGODEBUG}},
		{"to busy twice", []string{"GODEBUG=" + busyGODEBUG}, true, []string{"GODEBUG=" + busyGODEBUG}},
		{"to quiet", []string{"A=1", "GODEBUG=" + busyGODEBUG}, false, []string{"A=1"}},
		{"to quiet, operator's GODEBUG kept", []string{"GODEBUG=http2client=0," + busyGODEBUG}, false, []string{"GODEBUG=http2client=0"}},
		{"empty GODEBUG", []string{"GODEBUG="}, false, []string{}},
	}
	for _, c := range cases {
		if got := shiftedEnv(c.in, c.busy); !slices.Equal(got, c.want) {
			t.Errorf("%s: shiftedEnv(%q, %v) = %q, want %q", c.name, c.in, c.busy, got, c.want)
		}
	}
}

// An operator's own schedtrace is theirs: the process keeps its mode.
func TestCanShift(t *testing.T) {
	for godebug, want := range map[string]bool{
		"":                             canReexec,
		"http2client=0":                canReexec,
		busyGODEBUG:                    canReexec,
		"schedtrace=1000":              false,
		"x=1,schedtrace=1000,y=2":      false,
		"scheddetail=1," + busyGODEBUG: canReexec,
	} {
		if got := canShift(godebug); got != want {
			t.Errorf("canShift(%q) = %v, want %v", godebug, got, want)
		}
	}
}

func TestShifterAsks(t *testing.T) {
	asked := func(s *shifter) bool {
		select {
		case <-s.asked:
			return true
		default:
			return false
		}
	}
	quiet := &shifter{busyAfter: 15 * time.Second, quietAfter: time.Minute, asked: make(chan struct{})}
	quiet.awake(14 * time.Second)
	quiet.dozing(time.Hour) // dozing is what quiet mode is for
	if asked(quiet) {
		t.Fatal("a quiet worker asked to change mode before working steadily for busyAfter")
	}
	quiet.awake(15 * time.Second)
	quiet.awake(16 * time.Second) // asking twice closes nothing twice
	if !asked(quiet) {
		t.Fatal("a quiet worker awake for busyAfter did not ask for busy mode")
	}

	busy := &shifter{busy: true, busyAfter: 15 * time.Second, quietAfter: time.Minute, asked: make(chan struct{})}
	busy.awake(time.Hour)
	busy.dozing(59 * time.Second)
	if asked(busy) {
		t.Fatal("a busy worker asked to change mode before dozing for quietAfter")
	}
	busy.dozing(time.Minute)
	if !asked(busy) {
		t.Fatal("a busy worker dozing for quietAfter did not ask for quiet mode")
	}
}
