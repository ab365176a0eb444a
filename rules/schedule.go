package rules

import "time"

// ParseClock reads an "HH:MM" (or "H:MM") time of day, as the form's time
// inputs send it, and returns minutes since midnight.
func ParseClock(s string) (int, bool) {
	h, m, ok := 0, 0, false
	switch {
	case len(s) == 5 && s[2] == ':':
		h, ok = twoDigits(s[0:2])
	case len(s) == 4 && s[1] == ':':
		h, ok = twoDigits("0" + s[0:1])
	}
	if !ok {
		return 0, false
	}
	m, ok = twoDigits(s[len(s)-2:])
	if !ok || h > 23 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

func twoDigits(s string) (int, bool) {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// window is the rule's active hours in minutes since midnight. allDay when
// ActiveFrom equals ActiveTo, and also when either is unreadable (validation
// refuses that; a stored rule that slipped through keeps running rather than
// going silent).
func (r *Rule) window() (from, to int, allDay bool) {
	from, okFrom := ParseClock(r.ActiveFrom)
	to, okTo := ParseClock(r.ActiveTo)
	if !okFrom || !okTo || from == to {
		return 0, 0, true
	}
	return from, to, false
}

// AllDay reports whether the rule runs round the clock: ActiveFrom equal to
// ActiveTo ("00:00"–"00:00", "09:00"–"09:00") means no quiet hours.
func (r *Rule) AllDay() bool {
	_, _, allDay := r.window()
	return allDay
}

// Active reports whether t falls within the rule's active hours in loc (nil
// means UTC). The window includes ActiveFrom and excludes ActiveTo; when
// ActiveFrom is later than ActiveTo it spans midnight ("22:00"–"06:00").
func (r *Rule) Active(t time.Time, loc *time.Location) bool {
	from, to, allDay := r.window()
	if allDay {
		return true
	}
	if loc == nil {
		loc = time.UTC
	}
	h, m, s := t.In(loc).Clock()
	sec, f, e := h*3600+m*60+s, from*60, to*60
	if f < e {
		return f <= sec && sec < e
	}
	return sec >= f || sec < e
}

// NextRun is when the rule runs next after a run at after: EveryHours later
// (clamped to 1–24), or, when that falls outside the active hours in loc, at
// the start of the next active window. Pass the time the last run was due
// (its next_run_at) rather than when it finished, so runs do not drift.
func (r *Rule) NextRun(after time.Time, loc *time.Location) time.Time {
	every := min(max(r.EveryHours, MinEveryHours), MaxEveryHours)
	next := after.Add(time.Duration(every) * time.Hour)
	return r.NextActive(next, loc)
}

// NextActive is t when the rule is active at t, else the start of the next
// active window: when a new or re-enabled rule should first run.
func (r *Rule) NextActive(t time.Time, loc *time.Location) time.Time {
	if r.Active(t, loc) {
		return t
	}
	if loc == nil {
		loc = time.UTC
	}
	from, _, _ := r.window()
	y, m, d := t.In(loc).Date()
	start := time.Date(y, m, d, from/60, from%60, 0, 0, loc)
	// A few days at most: a DST jump can move a window start onto t's day.
	for i := 0; !start.After(t) && i < 3; i++ {
		d++
		start = time.Date(y, m, d, from/60, from%60, 0, 0, loc)
	}
	return start
}
