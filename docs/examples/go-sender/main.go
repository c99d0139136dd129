// Command go-sender reports call events to the billing engine the way a Go telephony service
// would, with the official Temporal Go SDK and nothing of ours: one event by signal-with-start
// (`callCompleted`), then a batch by update-with-start (`recordCalls`), then the `usage` query.
// It prints what it learned as one JSON object on stdout. The contract it follows is
// docs/api.md; an integration test (test/integration/contract/go-sender.test.ts) builds and
// runs it against the test harness's Temporal server and a billing worker.
//
//	go run . -address 127.0.0.1:7233 -task-queue billing -account acme
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
)

// The names of the contract (docs/api.md, "At a glance").
const (
	workflowType      = "accountBilling"
	signalName        = "callCompleted"
	updateName        = "recordCalls"
	queryName         = "usage"
	continuingAsNewEr = "ContinuingAsNewError"
)

func workflowID(accountID string) string { return "billing-" + accountID }

// AccountBillingInput is the workflow's start argument.
type AccountBillingInput struct {
	AccountID string `json:"accountId"`
}

// CallEvent is the call event of BILLING-RULES.md section 3. Instants are RFC 3339 strings;
// optional instants are pointers so that an absent one is sent as null.
type CallEvent struct {
	CallID        string  `json:"callId"`
	AccountID     string  `json:"accountId"`
	Direction     string  `json:"direction"`
	Status        string  `json:"status"`
	AnsweredAt    *string `json:"answeredAt"`
	EndedAt       string  `json:"endedAt"`
	HandoffAt     *string `json:"handoffAt"`
	HoldSeconds   int     `json:"holdSeconds"`
	SystemSeconds int     `json:"systemSeconds"`
	ParentCallID  *string `json:"parentCallId"`
}

// RecordCallsInput is the update's input: up to 500 events.
type RecordCallsInput struct {
	Events []CallEvent `json:"events"`
}

// CallOutcome is one element of the update's reply. A rejection's callId may be null.
type CallOutcome struct {
	CallID  *string `json:"callId"`
	Outcome string  `json:"outcome"`
	Reason  string  `json:"reason,omitempty"`
	Detail  string  `json:"detail,omitempty"`
}

// RecordCallsResult is the update's reply: one outcome per event, in order.
type RecordCallsResult struct {
	Outcomes []CallOutcome `json:"outcomes"`
}

// usageFigures is the part of the `usage` reply this program reads. Amounts are decimal strings
// of integers: parse them as integers, never as floats.
type usageFigures struct {
	Status string `json:"status"`
	Cycle  struct {
		UsedMillicredits string `json:"usedMillicredits"`
		BillableSeconds  int64  `json:"billableSeconds"`
	} `json:"cycle"`
	PendingEvents int `json:"pendingEvents"`
}

// report is what the program prints.
type report struct {
	WorkflowID  string            `json:"workflowId"`
	Signal      signalReport      `json:"signal"`
	RecordCalls RecordCallsResult `json:"recordCalls"`
	// UsedMillicredits is usage.cycle.usedMillicredits parsed as an integer, printed back.
	UsedMillicredits int64           `json:"usedMillicredits"`
	Usage            json.RawMessage `json:"usage"`
}

type signalReport struct {
	CallID string `json:"callId"`
	RunID  string `json:"runId"`
}

func instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func ptr(s string) *string { return &s }

// completedCall is an inbound call answered `ago` before now that lasted `seconds`.
func completedCall(accountID, callID string, ago time.Duration, seconds int) CallEvent {
	answered := time.Now().Add(-ago)
	return CallEvent{
		CallID:     callID,
		AccountID:  accountID,
		Direction:  "inbound",
		Status:     "completed",
		AnsweredAt: ptr(instant(answered)),
		EndedAt:    instant(answered.Add(time.Duration(seconds) * time.Second)),
	}
}

// sendCallEvent is fire and forget: no error means Temporal durably recorded the signal.
func sendCallEvent(ctx context.Context, c client.Client, taskQueue string, ev CallEvent) (string, error) {
	run, err := c.SignalWithStartWorkflow(ctx, workflowID(ev.AccountID), signalName, ev,
		client.StartWorkflowOptions{TaskQueue: taskQueue},
		workflowType, AccountBillingInput{AccountID: ev.AccountID})
	if err != nil {
		return "", err
	}
	return run.GetRunID(), nil
}

// recordCalls sends up to 500 events with update-with-start and waits for their outcomes. A run
// about to continue as new refuses the batch with ContinuingAsNewError: nothing was recorded,
// so the same update is sent again.
func recordCalls(ctx context.Context, c client.Client, taskQueue, accountID string, events []CallEvent) (RecordCallsResult, error) {
	var result RecordCallsResult
	for attempt := 1; ; attempt++ {
		start := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID:                       workflowID(accountID),
			TaskQueue:                taskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, workflowType, AccountBillingInput{AccountID: accountID})
		handle, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: start,
			UpdateOptions: client.UpdateWorkflowOptions{
				UpdateName:   updateName,
				Args:         []interface{}{RecordCallsInput{Events: events}},
				WaitForStage: client.WorkflowUpdateStageCompleted,
			},
		})
		if err == nil {
			err = handle.Get(ctx, &result)
		}
		var appErr *temporal.ApplicationError
		if err != nil && errors.As(err, &appErr) && appErr.Type() == continuingAsNewEr && attempt < 20 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		return result, err
	}
}

// usage runs the query; it fails with AccountNotLoadedError while a new run is starting.
func usage(ctx context.Context, c client.Client, accountID string) (json.RawMessage, error) {
	value, err := c.QueryWorkflow(ctx, workflowID(accountID), "", queryName)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	err = value.Get(&raw)
	return raw, err
}

func run() error {
	address := flag.String("address", "127.0.0.1:7233", "Temporal frontend host:port")
	namespace := flag.String("namespace", "default", "Temporal namespace")
	taskQueue := flag.String("task-queue", "billing", "the billing worker's task queue")
	accountID := flag.String("account", "", "an existing account id (required)")
	prefix := flag.String("call-prefix", "go", "prefix of the call ids this program sends")
	flag.Parse()
	if *accountID == "" {
		return errors.New("-account is required")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The SDK logs to stdout by default; stdout is for the report, so logs go to stderr.
	logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr,
		&slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.DialContext(ctx, client.Options{
		HostPort: *address, Namespace: *namespace, Logger: logger,
	})
	if err != nil {
		return fmt.Errorf("connect to %s: %w", *address, err)
	}
	defer c.Close()

	signaled := completedCall(*accountID, *prefix+"-signal-1", 30*time.Minute, 95)
	runID, err := sendCallEvent(ctx, c, *taskQueue, signaled)
	if err != nil {
		return fmt.Errorf("signal-with-start %s: %w", signalName, err)
	}

	answered := time.Now().Add(-20 * time.Minute)
	endedTooEarly := completedCall(*accountID, *prefix+"-update-3", 20*time.Minute, 60)
	endedTooEarly.EndedAt = instant(answered.Add(-time.Minute))
	batch := []CallEvent{
		completedCall(*accountID, *prefix+"-update-1", 25*time.Minute, 125),
		signaled,      // the same call again: a duplicate, counted once
		endedTooEarly, // ended before it was answered: rejected
		{
			CallID: *prefix + "-update-4", AccountID: *accountID, Direction: "outbound",
			Status: "no-answer", EndedAt: instant(time.Now().Add(-10 * time.Minute)),
		},
	}
	outcomes, err := recordCalls(ctx, c, *taskQueue, *accountID, batch)
	if err != nil {
		return fmt.Errorf("update-with-start %s: %w", updateName, err)
	}

	raw, err := usage(ctx, c, *accountID)
	if err != nil {
		return fmt.Errorf("query %s: %w", queryName, err)
	}
	var figures usageFigures
	if err := json.Unmarshal(raw, &figures); err != nil {
		return fmt.Errorf("decode usage: %w", err)
	}
	used, err := strconv.ParseInt(figures.Cycle.UsedMillicredits, 10, 64)
	if err != nil {
		return fmt.Errorf("usedMillicredits %q: %w", figures.Cycle.UsedMillicredits, err)
	}

	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	return out.Encode(report{
		WorkflowID:       workflowID(*accountID),
		Signal:           signalReport{CallID: signaled.CallID, RunID: runID},
		RecordCalls:      outcomes,
		UsedMillicredits: used,
		Usage:            raw,
	})
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "go-sender:", err)
		os.Exit(1)
	}
}
