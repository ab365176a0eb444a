// Package tasks is Otklik's worker: asynq task types and their handlers, the
// per-minute scheduler tick, token refresh, and the hh request budget shared
// by every worker process through Redis.
package tasks

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// Task type names. These are the only names the queue ever carries.
const (
	TypeSchedulerTick = "scheduler:tick"
	TypeRuleRun       = "rule:run"
	TypeApply         = "vacancy:apply"
	TypeTokenRefresh  = "token:refresh"
	TypeSummarySend   = "summary:send"
	TypeResumeRaise   = "resume:raise"
)

// Queues, by weight: work a person just asked for goes first.
const (
	QueueCritical = "critical" // "run now", a letter sent from the review queue, token refresh
	QueueDefault  = "default"  // scheduled rule runs and their applications
	QueueLow      = "low"      // daily summaries
)

// Queues returns the weighted queue set for asynq.Config.Queues.
func Queues() map[string]int {
	return map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}
}

// Payloads carry IDs only: never a token, a letter or a password (Redis and the
// queue dashboard show payloads).

// TickPayload names the minute slot a scheduler tick is for.
type TickPayload struct {
	Slot int64 `json:"slot"` // Unix minute
}

// RuleRunPayload names a rule run.
type RuleRunPayload struct {
	UserID int64 `json:"user_id"`
	RuleID int64 `json:"rule_id"`
	Manual bool  `json:"manual,omitempty"`
}

// ApplyPayload names one row of the applications ledger.
type ApplyPayload struct {
	UserID        int64 `json:"user_id"`
	ApplicationID int64 `json:"application_id"`
	// Booked: the task is scheduled for the slot its run booked in the
	// account's sequence, so the handler does not book one.
	Booked bool `json:"booked,omitempty"`
}

// TokenRefreshPayload names the hh account (one per user) to refresh.
type TokenRefreshPayload struct {
	UserID int64 `json:"user_id"`
}

// SummaryPayload names a user's daily summary for one local day.
type SummaryPayload struct {
	UserID int64  `json:"user_id"`
	Day    string `json:"day"` // YYYY-MM-DD in the user's time zone
}

// minuteSlot is the Unix minute t falls in.
func minuteSlot(t time.Time) int64 { return t.Unix() / 60 }

func newTask(typ string, payload any, opts ...asynq.Option) *asynq.Task {
	b, err := json.Marshal(payload)
	if err != nil {
		// Payloads are plain structs of integers and strings.
		panic(fmt.Sprintf("tasks: marshal %s payload: %v", typ, err))
	}
	return asynq.NewTask(typ, b, opts...)
}

// NewTickTask is the tick for one minute slot. Its TaskID is the slot, and it
// is retained after completion, so every worker's cron can enqueue it and only
// one runs.
func NewTickTask(slot int64) *asynq.Task {
	return newTask(TypeSchedulerTick, TickPayload{Slot: slot},
		asynq.TaskID("tick:"+strconv.FormatInt(slot, 10)),
		asynq.Queue(QueueCritical), asynq.MaxRetry(2), asynq.Timeout(50*time.Second),
		asynq.Retention(2*time.Hour))
}

// NewScheduledRuleRunTask is a rule run the tick found due. The TaskID holds
// the rule and the run's slot, so a replayed tick or a second worker enqueues
// nothing twice.
func NewScheduledRuleRunTask(userID, ruleID int64, slot int64) *asynq.Task {
	return newTask(TypeRuleRun, RuleRunPayload{UserID: userID, RuleID: ruleID},
		asynq.TaskID(scheduledRunID(ruleID, slot)),
		asynq.Queue(QueueDefault), asynq.MaxRetry(5), asynq.Timeout(15*time.Minute),
		asynq.Retention(2*time.Hour))
}

// NewManualRuleRunTask is "run now". Its ID names the rule's last completed
// run: a second press while this run is pending or active conflicts with it
// (and joins it); once the run has completed, the next press names a new
// last run and starts a new one.
func NewManualRuleRunTask(userID, ruleID int64, lastCompleted time.Time) *asynq.Task {
	return newTask(TypeRuleRun, RuleRunPayload{UserID: userID, RuleID: ruleID, Manual: true},
		asynq.TaskID(manualRunID(ruleID, lastCompleted)),
		asynq.Queue(QueueCritical), asynq.MaxRetry(3), asynq.Timeout(15*time.Minute))
}

func scheduledRunID(ruleID, slot int64) string { return fmt.Sprintf("rule:run:%d:%d", ruleID, slot) }

func manualRunID(ruleID int64, lastCompleted time.Time) string {
	return fmt.Sprintf("rule:run:%d:now:%d", ruleID, lastCompleted.UnixMilli())
}

// NewApplyTask applies to one ledger row. Applying is idempotent by the
// ledger's state, so a duplicate task is harmless; the TaskID (row and
// generation) keeps the queue from holding copies.
func NewApplyTask(userID, applicationID int64, generation string, queue string, delay time.Duration) *asynq.Task {
	return newApplyTask(userID, applicationID, generation, queue, delay, false)
}

// newApplyTask is NewApplyTask for a task scheduled (delay) for the slot
// booked for it when booked is true.
func newApplyTask(userID, applicationID int64, generation string, queue string, delay time.Duration, booked bool) *asynq.Task {
	opts := []asynq.Option{
		asynq.TaskID(fmt.Sprintf("apply:%d:%s", applicationID, generation)),
		asynq.Queue(queue), asynq.MaxRetry(12), asynq.Timeout(2 * time.Minute),
	}
	if delay > 0 {
		opts = append(opts, asynq.ProcessIn(delay))
	}
	return newTask(TypeApply, ApplyPayload{UserID: userID, ApplicationID: applicationID, Booked: booked}, opts...)
}

// NewTokenRefreshTask refreshes one account's hh token pair. generation is the
// stored pair's generation, so the task for one expired pair is enqueued once.
func NewTokenRefreshTask(userID int64, generation int64) *asynq.Task {
	return newTask(TypeTokenRefresh, TokenRefreshPayload{UserID: userID},
		asynq.TaskID(fmt.Sprintf("token:refresh:%d:%d", userID, generation)),
		asynq.Queue(QueueCritical), asynq.MaxRetry(8), asynq.Timeout(time.Minute),
		asynq.Retention(time.Hour))
}

// NewSummaryTask renders and sends one user's summary for one local day.
func NewSummaryTask(userID int64, day string) *asynq.Task {
	return newTask(TypeSummarySend, SummaryPayload{UserID: userID, Day: day},
		asynq.TaskID(fmt.Sprintf("summary:%d:%s", userID, day)),
		asynq.Queue(QueueLow), asynq.MaxRetry(10), asynq.Timeout(2*time.Minute),
		asynq.Retention(26*time.Hour))
}

// newSummaryResendTask is the tick's hourly second try at e-mailing a day's
// summary that is stored but was never sent (SMTP down through every retry
// of its task). The hour in its ID makes it one task per hour.
func newSummaryResendTask(userID int64, day string, hour int) *asynq.Task {
	return newTask(TypeSummarySend, SummaryPayload{UserID: userID, Day: day},
		asynq.TaskID(fmt.Sprintf("summary:%d:%s:resend:%02d", userID, day, hour)),
		asynq.Queue(QueueLow), asynq.MaxRetry(3), asynq.Timeout(2*time.Minute),
		asynq.Retention(26*time.Hour))
}

// decode reads a payload; a bad one is never retried.
func decode(t *asynq.Task, v any) error {
	if err := json.Unmarshal(t.Payload(), v); err != nil {
		return fmt.Errorf("tasks: %s: bad payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	return nil
}

func minuteSlotNow() int64 { return minuteSlot(time.Now()) }
