package tasks

import "time"

// SetRefreshLease sets the token refresh lock's lease, so a test can hold a
// refresh for longer than the lease without waiting minutes.
func SetRefreshLease(w *Worker, d time.Duration) { w.refreshLease = d }

// BookedSlotKey is the Redis key holding an application's booked pacing
// slot (Unix ms): it exists once the apply has passed its checks before
// the account's lock.
func BookedSlotKey(userID, appID int64) string { return paceKeys(userID, appID)[1] }

// ErrLater marks a handler error that only asks for another try later.
var ErrLater = errLaterNotFailed

// BudgetKey is the Redis key of the shared hh request budget (GCRA: its
// value is the bucket's theoretical arrival time, in seconds since
// BudgetEpoch).
const BudgetKey = budgetKey

// BudgetEpoch is the zero of the budget key's clock (redis_rate's).
var BudgetEpoch = time.Unix(1483228800, 0)
