package locale

import (
	"sync"
	"time"
	_ "time/tzdata" // every zone, whether or not the machine has /usr/share/zoneinfo
)

// DefaultZone is a new person's time zone, hh's home one (the users table
// gives it as its default too).
const DefaultZone = "Europe/Moscow"

// zones keeps the zones loaded so far: time.LoadLocation reads and parses
// the zone on every call, and the tick asks for every user's zone each
// minute.
var zones sync.Map

// Zone is the person's time zone by its IANA name: the one place Otklik
// turns a stored name into a *time.Location, for the web's dates, the
// worker's schedules and summaries, and the AI's daily cap, so all of them
// agree on where a person's day starts. A name that does not load (only a
// row written by hand could hold one: the settings form takes IANA names
// only) is DefaultZone's; "" is UTC, as time.LoadLocation has it.
func Zone(name string) *time.Location {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		if loc, err = time.LoadLocation(DefaultZone); err != nil {
			loc = time.FixedZone("MSK", 3*60*60) // not reached: the zones are embedded
		}
	}
	zones.Store(name, loc)
	return loc
}
