// Package redisclock makes an in-process Redis (miniredis) keep time. miniredis
// expires keys and releases asynq's scheduled and retried tasks only when told
// that time has passed; the embedded mode and the tests that use it all need
// its clock to follow the real one.
package redisclock

import (
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// Follow moves m's clock forward by step every step of real time until the
// returned stop is called (stop may be called more than once).
func Follow(m *miniredis.Miniredis, step time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(step)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				m.FastForward(step)
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}
