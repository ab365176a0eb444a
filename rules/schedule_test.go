package rules

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseClock(t *testing.T) {
	good := map[string]int{"00:00": 0, "09:30": 570, "9:30": 570, "23:59": 1439}
	for s, want := range good {
		if got, ok := ParseClock(s); !ok || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "24:00", "12:60", "9", "09:3", "0930", "ab:cd", "09:30:00", " 9:30", "-1:00", "9:3a"} {
		if _, ok := ParseClock(s); ok {
			t.Errorf("ParseClock(%q) accepted", s)
		}
	}
}

func TestActive(t *testing.T) {
	msk := mustZone(t, "Europe/Moscow")
	at := func(hhmm string) time.Time {
		c, _ := ParseClock(hhmm)
		return time.Date(2026, 3, 10, c/60, c%60, 0, 0, msk)
	}
	tests := []struct {
		from, to string
		on, off  []string
	}{
		{"09:00", "18:00", []string{"09:00", "12:00", "17:59"}, []string{"08:59", "18:00", "23:00", "00:00"}},
		{"22:00", "06:00", []string{"22:00", "23:59", "00:00", "05:59"}, []string{"06:00", "12:00", "21:59"}},
		{"00:00", "00:00", []string{"00:00", "12:00", "23:59"}, nil},
		{"10:00", "10:00", []string{"09:59", "10:00", "03:00"}, nil},
		{"00:00", "12:00", []string{"00:00", "11:59"}, []string{"12:00", "23:59"}},
		{"12:00", "00:00", []string{"12:00", "23:59"}, []string{"00:00", "11:59"}},
		{"bad", "18:00", []string{"03:00"}, nil}, // unreadable: round the clock
	}
	for _, tt := range tests {
		r := Rule{ActiveFrom: tt.from, ActiveTo: tt.to}
		for _, s := range tt.on {
			if !r.Active(at(s), msk) {
				t.Errorf("%s–%s: %s should be active", tt.from, tt.to, s)
			}
		}
		for _, s := range tt.off {
			if r.Active(at(s), msk) {
				t.Errorf("%s–%s: %s should be quiet", tt.from, tt.to, s)
			}
		}
	}
}

func TestActiveUsesTheUsersZone(t *testing.T) {
	r := Rule{ActiveFrom: "09:00", ActiveTo: "18:00"}
	now := time.Date(2026, 3, 10, 4, 30, 0, 0, time.UTC) // 07:30 Moscow, 09:30 Almaty
	if r.Active(now, mustZone(t, "Europe/Moscow")) {
		t.Error("07:30 in Moscow should be quiet")
	}
	if !r.Active(now, mustZone(t, "Asia/Almaty")) {
		t.Error("09:30 in Almaty should be active")
	}
	if r.Active(now, nil) {
		t.Error("04:30 UTC (nil zone) should be quiet")
	}
}

func TestNextRun(t *testing.T) {
	msk := mustZone(t, "Europe/Moscow")
	ala := mustZone(t, "Asia/Almaty")
	tests := []struct {
		name     string
		from, to string
		every    int
		loc      *time.Location
		after    time.Time
		want     time.Time
	}{
		{"inside the window", "09:00", "21:00", 4, msk,
			time.Date(2026, 3, 10, 9, 0, 0, 0, msk), time.Date(2026, 3, 10, 13, 0, 0, 0, msk)},
		{"last slot of the day moves to tomorrow's start", "09:00", "21:00", 4, msk,
			time.Date(2026, 3, 10, 18, 30, 0, 0, msk), time.Date(2026, 3, 11, 9, 0, 0, 0, msk)},
		{"the window end is excluded", "09:00", "21:00", 4, msk,
			time.Date(2026, 3, 10, 17, 0, 0, 0, msk), time.Date(2026, 3, 11, 9, 0, 0, 0, msk)},
		{"before the window opens the same day", "09:00", "21:00", 1, msk,
			time.Date(2026, 3, 10, 3, 0, 0, 0, msk), time.Date(2026, 3, 10, 9, 0, 0, 0, msk)},
		{"just inside the end", "09:00", "21:00", 1, msk,
			time.Date(2026, 3, 10, 19, 59, 0, 0, msk), time.Date(2026, 3, 10, 20, 59, 0, 0, msk)},
		{"midnight-spanning window, across midnight", "22:00", "06:00", 3, msk,
			time.Date(2026, 3, 10, 22, 0, 0, 0, msk), time.Date(2026, 3, 11, 1, 0, 0, 0, msk)},
		{"midnight-spanning window, after the morning end", "22:00", "06:00", 3, msk,
			time.Date(2026, 3, 11, 4, 0, 0, 0, msk), time.Date(2026, 3, 11, 22, 0, 0, 0, msk)},
		{"midnight-spanning window, last evening slot", "22:00", "02:00", 4, msk,
			time.Date(2026, 3, 10, 23, 0, 0, 0, msk), time.Date(2026, 3, 11, 22, 0, 0, 0, msk)},
		{"round the clock", "00:00", "00:00", 6, msk,
			time.Date(2026, 3, 10, 23, 0, 0, 0, msk), time.Date(2026, 3, 11, 5, 0, 0, 0, msk)},
		{"every 24 hours", "09:00", "18:00", 24, msk,
			time.Date(2026, 3, 10, 10, 0, 0, 0, msk), time.Date(2026, 3, 11, 10, 0, 0, 0, msk)},
		{"month end", "09:00", "18:00", 12, msk,
			time.Date(2026, 3, 31, 12, 0, 0, 0, msk), time.Date(2026, 4, 1, 9, 0, 0, 0, msk)},
		{"Almaty, the zone of the person not the server", "09:00", "18:00", 4, ala,
			time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC), time.Date(2026, 3, 11, 9, 0, 0, 0, ala)},
		{"zero interval counts as one hour", "00:00", "00:00", 0, msk,
			time.Date(2026, 3, 10, 10, 0, 0, 0, msk), time.Date(2026, 3, 10, 11, 0, 0, 0, msk)},
		{"huge interval counts as a day", "00:00", "00:00", 1000, msk,
			time.Date(2026, 3, 10, 10, 0, 0, 0, msk), time.Date(2026, 3, 11, 10, 0, 0, 0, msk)},
		{"nil zone is UTC", "09:00", "18:00", 4, nil,
			time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC), time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rule{EveryHours: tt.every, ActiveFrom: tt.from, ActiveTo: tt.to}
			got := r.NextRun(tt.after, tt.loc)
			if !got.Equal(tt.want) {
				t.Errorf("NextRun(%v) = %v, want %v", tt.after, got, tt.want)
			}
			if !got.After(tt.after) {
				t.Errorf("NextRun(%v) = %v is not later", tt.after, got)
			}
			if !r.Active(got, tt.loc) {
				t.Errorf("NextRun(%v) = %v is outside the window", tt.after, got)
			}
		})
	}
}

// A day of runs stays inside the window and keeps the rhythm.
func TestNextRunDay(t *testing.T) {
	ala := mustZone(t, "Asia/Almaty")
	r := Rule{EveryHours: 5, ActiveFrom: "08:00", ActiveTo: "23:30"}
	at := r.NextActive(time.Date(2026, 6, 1, 2, 0, 0, 0, ala), ala)
	var got []string
	for range 6 {
		got = append(got, at.In(ala).Format("02 15:04"))
		at = r.NextRun(at, ala)
	}
	want := []string{"01 08:00", "01 13:00", "01 18:00", "01 23:00", "02 08:00", "02 13:00"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("runs = %v, want %v", got, want)
		}
	}
}

func TestNextActive(t *testing.T) {
	msk := mustZone(t, "Europe/Moscow")
	r := Rule{ActiveFrom: "22:00", ActiveTo: "06:00"}
	inside := time.Date(2026, 3, 10, 23, 15, 0, 0, msk)
	if got := r.NextActive(inside, msk); !got.Equal(inside) {
		t.Errorf("inside the window: %v", got)
	}
	if got, want := r.NextActive(time.Date(2026, 3, 10, 6, 0, 0, 0, msk), msk), time.Date(2026, 3, 10, 22, 0, 0, 0, msk); !got.Equal(want) {
		t.Errorf("after the window: %v, want %v", got, want)
	}
	if !(&Rule{ActiveFrom: "07:00", ActiveTo: "07:00"}).AllDay() || r.AllDay() {
		t.Error("AllDay")
	}
}
