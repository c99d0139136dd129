/**
 * `accountBilling`: one long-running workflow per account (id `billing-<accountId>`).
 *
 * Every message is stamped with the workflow time it was handled (its arrival) and queued in the
 * inbox. One loop, the only writer of the ledger, takes the inbox in order: runs of call events are
 * flushed in batches to the ingest activity (PostgreSQL decides accepted / duplicate / rejected),
 * requests are claimed by id in PostgreSQL and applied. The ledger (the billing core) advances
 * through boundaries and closes before each operation, so the workflow shows what `preview` computes
 * for the same operations at the same arrivals. Closed cycles are invoiced and charged in the
 * background, so a slow payment gateway never holds up ingestion. The run continues as new at each
 * cycle boundary and whenever its history grows long, carrying a small JSON state.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type defineUpdate,
} from '@temporalio/workflow';
import type { z } from 'zod';
import type { Activities } from '../../activities/index.js';
import type { IngestBatchInput, IngestItem, IngestOutcome } from '../../activities/ingest.js';
import type { NotifyInput } from '../../activities/notify.js';
import type { RunSettings } from '../../activities/accounts.js';
import { eventSize, oversizedEvent, type CallEvent } from '../../billing/call-event.js';
import {
  applyOperation,
  availableOf,
  createLedger,
  nextEventAt,
  openCycle,
  statementOf,
  type CycleStatement,
  type LedgerEffect,
  type LedgerOperation,
  type LedgerState,
  type PurchaseAddition,
} from '../../billing/ledger.js';
import {
  computeInsights,
  cycleDaily,
  emptyDailyUsage,
  pruneDailyUsage,
  recordBooking,
  type DailyUsage,
  type Insights,
} from '../../billing/insights.js';
import { chargeOf, declinedInvoice, type InvoiceOutcome } from '../../billing/invoice.js';
import {
  alertNotices,
  closeNotices,
  newAlertingState,
  paymentFailedNotice,
  projectionDue,
  projectionNotice,
  receiptNotice,
  type AlertingState,
  type Notice,
} from '../../billing/notifications.js';
import { formatCredits, formatInstant } from '../../billing/units.js';
import { openCycleUsage, statementView, type OpenCycleUsage } from '../../billing/usage.js';
import {
  callCompleted,
  cancelPurchase,
  cancelPurchaseSchema,
  changePlan,
  changePlanSchema,
  purchaseCredits,
  purchaseCreditsSchema,
  recordCalls,
  recordCallsSchema,
  ACCOUNT_ID_RE,
  accountWorkflowId,
  retryPayment,
  retryPaymentSchema,
  usage,
  type AccountBillingInput,
  type CallOutcome,
  type ClosedCycleView,
  type UsageReply,
} from './messages.js';
import { accountStatus, accountVisibility, changedPairs, currentDetails } from './visibility.js';

/** The change that added search attribute upserts (see test/replay/README.md). */
const VISIBILITY_PATCH = 'account-visibility';
/** Closed cycles kept in the state for the `usage` query (the invoices table keeps them all). */
const CLOSED_CYCLES_KEPT = 12;
/** Decided emails recorded in the outbox table per activity call. */
const NOTICES_PER_RECORD = 50;
/** Queued signal events a run hands to the next one at most (the payload limit is 2 MB). */
const MAX_CARRIED_EVENT_BYTES = 512 * 1024;
/** The size counted for an event rejected as too large: only its id and size are buffered. */
const TOO_LARGE_ITEM_BYTES = 200;

/** What a run hands to the next one through continue-as-new: small and JSON-safe. */
export interface CarriedState {
  ledger: LedgerState;
  /** Sequences of batch ids and request claim tokens, unique across the chain of runs. */
  seq: { batch: number; op: number };
  closedCycles: ClosedCycleView[];
  unpaidInvoices: InvoiceOutcome[];
  /** Credits per local day of the open cycle and the one before (insights, statements). */
  daily: DailyUsage;
  /** Threshold firings and the armed `exhausted` and projection alerts of the open cycle. */
  alerting: AlertingState;
  /** Emails decided and not yet recorded in the outbox table, oldest first. */
  outbox: NotifyInput[];
  /** Outbox rows (ids) recorded and not yet sent, oldest first. */
  unsent: string[];
}

export interface AccountBillingRunInput extends AccountBillingInput {
  /** Set by continue-as-new; a new account's workflow starts without it. */
  carried?: CarriedState;
  /** Call events from signals not yet recorded when the previous run continued as new. */
  inbox?: IngestItem[];
}

export interface AccountBillingResult {
  accountId: string;
  /** The workflow only ends on its own for an account that does not exist. */
  outcome: 'unknown_account';
  rejectedEvents: number;
}

type RequestInput =
  | { kind: 'purchaseCredits'; id: string; input: z.output<typeof purchaseCreditsSchema> }
  | { kind: 'cancelPurchase'; id: string; input: z.output<typeof cancelPurchaseSchema> }
  | { kind: 'changePlan'; id: string; input: z.output<typeof changePlanSchema> }
  | { kind: 'retryPayment'; id: string; input: z.output<typeof retryPaymentSchema> };

/** A request's result as stored in PostgreSQL: a replayed id gets exactly this back. */
type StoredResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; error: { type: string; message: string } };

/** A closed cycle waiting for its invoice, with what its statement email shows. */
interface PendingClose {
  statement: CycleStatement;
  purchases: PurchaseAddition[];
  daily: { date: string; millicredits: string }[];
}

type InboxItem =
  | { kind: 'call'; at: number; item: IngestItem; bytes: number; waiter: number | null }
  | { kind: 'request'; at: number; request: RequestInput; waiter: number };

const bootstrap = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * The activities of a run. Recording a batch stays a regular activity, not a local one: its
 * input (which events the batch holds) is then fixed in the history when it is scheduled. A local
 * activity's batch is fixed only by its marker, so after a worker crash the same batch id could be
 * re-formed with more events than its first, committed attempt held.
 */
function activitiesFor(settings: RunSettings) {
  return proxyActivities<Activities>({
    startToCloseTimeout: settings.activityStartToCloseMs,
    // Unlimited attempts: a database or gateway outage delays, never drops, a batch or a close.
    retry: {
      initialInterval: '500ms',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      nonRetryableErrorTypes: ['PaymentDeclinedError'],
    },
  });
}

/**
 * The email activity: retried without end (an SMTP outage delays mail, never loses it), backing
 * off up to the configured interval; a message the server refused for good is not retried.
 */
function notifierFor(settings: RunSettings) {
  return proxyActivities<Activities>({
    startToCloseTimeout: settings.activityStartToCloseMs,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: settings.notifyRetryMaxIntervalMs,
      nonRetryableErrorTypes: ['EmailRejectedError'],
    },
  });
}

/** Validates an update's input with its schema; a throw refuses the update with the message. */
function validated<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
    throw new Error(`invalid input: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** A request as stored with its id: the validated input, credit amounts as people write them. */
function storedRequest(req: RequestInput): Record<string, unknown> {
  if (req.kind !== 'purchaseCredits') return req.input;
  return { ...req.input, credits: formatCredits(BigInt(req.input.credits)) };
}

/**
 * The account this run is for: the start argument's `accountId` when it is a well-formed id and
 * the workflow id is `billing-<that id>`. Anything else (a sender's typo in the argument) can only
 * be an unknown account; its events are recorded under a key derived from the workflow id, in
 * characters every column and lock accepts.
 */
function accountIdOf(
  input: AccountBillingInput,
  workflowId: string,
): { accountId: string; valid: boolean } {
  const id: unknown = (input as Partial<AccountBillingInput> | null)?.accountId;
  if (typeof id === 'string' && ACCOUNT_ID_RE.test(id) && workflowId === accountWorkflowId(id)) {
    return { accountId: id, valid: true };
  }
  return { accountId: `invalid:${workflowId.replace(/[^A-Za-z0-9._:-]/g, '_')}`, valid: false };
}

function isFailureOfType(error: unknown, type: string): error is ActivityFailure {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === type
  );
}

function isPaymentDecline(error: unknown): error is ActivityFailure {
  return isFailureOfType(error, 'PaymentDeclinedError');
}

function toCallOutcome(o: IngestOutcome): CallOutcome {
  switch (o.outcome) {
    case 'accepted':
      return { callId: o.call.callId, outcome: 'accepted' };
    case 'duplicate':
      return { callId: o.callId, outcome: 'duplicate' };
    case 'rejected':
      return { callId: o.callId, outcome: 'rejected', reason: o.reason, detail: o.detail };
  }
}

export async function accountBilling(input: AccountBillingRunInput): Promise<AccountBillingResult> {
  const { accountId, valid: validAccountId } = accountIdOf(input, workflowInfo().workflowId);
  const chainId = workflowInfo().firstExecutionRunId;

  // Events a previous run handed over come first: they arrived before anything this run takes.
  const inbox: InboxItem[] = (input.inbox ?? []).map((item) => ({
    kind: 'call',
    at: item.at,
    item,
    bytes: 'event' in item ? eventSize(item.event) : TOO_LARGE_ITEM_BYTES,
    waiter: null,
  }));
  let inFlightEvents = 0;
  let nextWaiter = 0;
  const callReplies = new Map<number, CallOutcome>();
  /** True once the run only waits to continue as new (set when the account has loaded). */
  let continuing = (): boolean => false;
  const requestReplies = new Map<number, StoredResult>();

  function enqueueEvent(event: unknown, waiter: number | null): void {
    const at = Date.now();
    // The exact compact size: it bounds batches and what continue-as-new carries.
    const bytes = eventSize(event);
    const tooLarge = oversizedEvent(event, bytes);
    if (tooLarge !== null) {
      const item: IngestItem = { at, tooLarge };
      inbox.push({ kind: 'call', at, item, bytes: TOO_LARGE_ITEM_BYTES, waiter });
    } else {
      inbox.push({ kind: 'call', at, item: { at, event }, bytes, waiter });
    }
  }

  async function request(req: RequestInput): Promise<Record<string, unknown>> {
    const waiter = nextWaiter++;
    inbox.push({ kind: 'request', at: Date.now(), request: req, waiter });
    await condition(() => requestReplies.has(waiter));
    const reply = requestReplies.get(waiter)!;
    requestReplies.delete(waiter);
    if (!reply.ok) {
      throw ApplicationFailure.create({
        type: reply.error.type,
        message: reply.error.message,
        nonRetryable: true,
      });
    }
    return reply.value;
  }

  // Handlers first: messages delivered with the start (signal-with-start) wait in the inbox.
  setHandler(callCompleted, (event) => enqueueEvent(event, null));
  setHandler(
    recordCalls,
    async ({ events }) => {
      const waiters = events.map(() => nextWaiter++);
      events.forEach((event, i) => enqueueEvent(event, waiters[i]!));
      await condition(() => waiters.every((w) => callReplies.has(w)));
      const outcomes = waiters.map((w) => callReplies.get(w)!);
      for (const w of waiters) callReplies.delete(w);
      return { outcomes };
    },
    {
      validator: (i) => {
        validated(recordCallsSchema, i);
        // New batches wait for the next run, so a stream of updates cannot hold this one open.
        if (continuing()) {
          throw ApplicationFailure.create({
            type: 'ContinuingAsNewError',
            message: `account ${accountId} is continuing as new: send the same update again`,
            nonRetryable: true,
          });
        }
      },
    },
  );
  /** A request update: validated, queued for the loop, answered with its (first) result. */
  function handleRequest<I, Out, R>(
    update: ReturnType<typeof defineUpdate<R, [I]>>,
    schema: z.ZodType<Out>,
    toRequest: (input: Out) => RequestInput,
  ): void {
    setHandler(update, async (raw) => (await request(toRequest(validated(schema, raw)))) as R, {
      validator: (raw) => void validated(schema, raw),
    });
  }
  handleRequest(purchaseCredits, purchaseCreditsSchema, (input) => ({
    kind: 'purchaseCredits',
    id: input.purchaseId,
    input,
  }));
  handleRequest(cancelPurchase, cancelPurchaseSchema, (input) => ({
    kind: 'cancelPurchase',
    id: input.requestId,
    input,
  }));
  handleRequest(changePlan, changePlanSchema, (input) => ({
    kind: 'changePlan',
    id: input.requestId,
    input,
  }));
  handleRequest(retryPayment, retryPaymentSchema, (input) => ({
    kind: 'retryPayment',
    id: input.requestId,
    input,
  }));

  let current: CarriedState | null = null;

  // ---------------------------------------------------------------------------------------------
  // The usage query: a copy of the ledger advanced to now, so a timer not yet fired changes nothing.
  // Registered before the account loads, so an early query gets a clear error.

  setHandler(usage, (): UsageReply => {
    if (current === null) {
      throw ApplicationFailure.create({
        type: 'AccountNotLoadedError',
        message: `account ${accountId} is not loaded: it is starting, or it does not exist`,
      });
    }
    const state = current;
    const view = JSON.parse(JSON.stringify(state.ledger)) as LedgerState;
    applyOperation(view, { type: 'advance', at: Math.max(Date.now(), view.now) });
    const cycle: OpenCycleUsage = openCycleUsage(view);
    const grace = view.cycles.length > 1 ? view.cycles[0]! : null;
    return {
      accountId,
      asOf: formatInstant(view.now),
      status: accountStatus(view, state.unpaidInvoices.length),
      cycle,
      inGrace: grace === null ? null : statementView(statementOf(view, grace, false)),
      closedCycles: state.closedCycles,
      unpaidInvoices: state.unpaidInvoices,
      pendingEvents: inbox.length + inFlightEvents,
      insights: insightsOf(view, view.now),
      recurringPurchases: view.recurring.map((g) => ({
        purchaseId: g.purchaseId,
        millicredits: g.millicredits,
      })),
    };
  });

  /**
   * Takes the run of call events at the head of the inbox (bounded by count and bytes), records
   * them as one batch under `batchId` (unique in the chain of runs, the same on replay) and
   * answers their waiters; `onAccepted` books each accepted call.
   */
  async function recordBatch(
    acts: ReturnType<typeof activitiesFor>,
    limits: RunSettings,
    account: IngestBatchInput['account'],
    batchId: string,
    notBefore: number,
    onAccepted: (call: CallEvent, at: number) => void,
  ): Promise<number> {
    const batch: (InboxItem & { kind: 'call' })[] = [];
    let bytes = 0;
    for (;;) {
      const head = inbox[0];
      if (head?.kind !== 'call' || batch.length >= limits.batchMaxEvents) break;
      if (batch.length > 0 && bytes + head.bytes > limits.batchMaxBytes) break;
      // Never before the ledger's time (an account created by a client whose clock runs ahead
      // of the server's): the ledger only moves forward.
      if (head.at < notBefore) {
        head.at = notBefore;
        head.item = { ...head.item, at: notBefore };
      }
      batch.push(head);
      bytes += head.bytes;
      inbox.shift();
    }
    inFlightEvents = batch.length;
    try {
      const { outcomes } = await acts.recordCallBatch({
        accountId,
        batchId,
        account,
        items: batch.map((b) => b.item),
      });
      outcomes.forEach((outcome, i) => {
        const { at, waiter } = batch[i]!;
        if (outcome.outcome === 'accepted') onAccepted(outcome.call, at);
        if (waiter !== null) callReplies.set(waiter, toCallOutcome(outcome));
      });
      return batch.length;
    } finally {
      inFlightEvents = 0;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Start of the run: the account from PostgreSQL, or the state carried from the previous run.

  let settings: RunSettings;
  let state: CarriedState;
  if (input.carried === undefined) {
    const loaded = await bootstrap.loadAccount({ accountId });
    settings = loaded.settings;
    if (!loaded.found || !validAccountId) return drainUnknownAccount(settings);
    const created = createLedger(loaded.account, loaded.plan);
    state = {
      ledger: created.state,
      seq: { batch: 0, op: 0 },
      closedCycles: [],
      unpaidInvoices: [],
      daily: emptyDailyUsage(created.state.account.createdAt),
      alerting: newAlertingState(openCycle(created.state).index),
      outbox: [],
      unsent: [],
    };
    log.info('account workflow started', {
      accountId,
      cycleStart: formatInstant(openCycle(created.state).start),
    });
  } else {
    state = input.carried;
    // The carried state answers queries at once, before this run's first activity returns.
    current = state;
    settings = await bootstrap.runSettings();
  }
  current = state;
  const ledger = state.ledger;
  const acts = activitiesFor(settings);
  const facts = {
    accountId,
    createdAt: ledger.account.createdAt,
    maxLateSeconds: ledger.account.maxLateSeconds,
  };

  const notifier = notifierFor(settings);

  let boundaryCrossed = false;
  const pendingCloses: PendingClose[] = [];
  let closing = false;

  function handleEffects(effects: readonly LedgerEffect[]) {
    for (const effect of effects) {
      if (effect.type === 'callBooked') {
        recordBooking(state.daily, effect, ledger.calendar.timeZone);
      } else if (effect.type === 'cycleStarted') {
        boundaryCrossed = true;
        pruneDailyUsage(state.daily, effect.cycleIndex);
        log.info('cycle started', { accountId, cycle: effect.cycleIndex });
      } else if (effect.type === 'cycleClosed') {
        const { statement } = effect;
        pendingCloses.push({
          statement,
          purchases: effect.purchases,
          daily: cycleDaily(
            state.daily,
            statement.index,
            statement.start,
            statement.end,
            ledger.calendar.timeZone,
          ),
        });
      } else if (effect.type === 'alert') {
        log.info('threshold reached', {
          accountId,
          cycle: effect.cycleIndex,
          thresholdPercent: effect.thresholdPercent,
        });
      }
    }
    for (const notice of alertNotices(state.alerting, ledger, effects)) send(notice);
  }

  function apply(op: LedgerOperation): LedgerEffect[] {
    const { effects } = applyOperation(ledger, op);
    handleEffects(effects);
    return effects;
  }

  // ---------------------------------------------------------------------------------------------
  // Emails: decided here, sent in the background through the outbox, in the order decided.

  function send(notice: Notice): void {
    state.outbox.push({ accountId, ...notice });
    // Started here too: the main loop may be busy with a request while a close decides an email.
    startNotificationWork();
    log.info('notification queued', {
      accountId,
      kind: notice.content.kind,
      key: notice.key,
      firing: notice.firing,
    });
  }

  /** Records decided emails in the outbox table (ops see them from then on), in batches. */
  let recording = false;
  async function recordNotifications(): Promise<void> {
    recording = true;
    try {
      while (state.outbox.length > 0) {
        const batch = state.outbox.slice(0, NOTICES_PER_RECORD);
        const { ids } = await acts.recordNotifications({ accountId, notices: batch });
        state.outbox.splice(0, batch.length);
        state.unsent.push(...ids);
        startNotificationWork();
      }
    } finally {
      recording = false;
    }
  }

  /** Sends the recorded emails, in the order decided; an outage delays them, never drops one. */
  let sending = false;
  async function sendNotifications(): Promise<void> {
    sending = true;
    try {
      while (state.unsent.length > 0) {
        const id = state.unsent[0]!;
        try {
          await notifier.sendNotification({ accountId, id });
        } catch (error) {
          if (
            !isFailureOfType(error, 'EmailRejectedError') &&
            !isFailureOfType(error, 'EmailRenderError')
          ) {
            throw error;
          }
          // Recorded as rejected or failed in the outbox, where ops read it; the next one goes on.
          log.warn('notification not sent', { accountId, id, error: error.cause?.message });
        }
        state.unsent.shift();
      }
    } finally {
      sending = false;
    }
  }

  /** Starts whichever loop has work and is idle: from `send`, and for what a run was handed. */
  function startNotificationWork(): void {
    if (state.outbox.length > 0 && !recording) void recordNotifications();
    if (state.unsent.length > 0 && !sending) void sendNotifications();
  }

  function insightsOf(view: LedgerState, now: number): Insights {
    const open = openCycle(view);
    return computeInsights({
      now,
      // The view's own zone: a query can come before this run's start-up activity returned.
      timeZone: view.calendar.timeZone,
      accountCreatedAt: view.account.createdAt,
      cycle: {
        index: open.index,
        start: open.start,
        end: open.end,
        allowanceMillicredits: open.allowanceMillicredits,
        availableMillicredits: availableOf(open).toString(),
        usedMillicredits: open.usedMillicredits,
      },
      daily: state.daily,
      pastCycles: state.closedCycles,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Calls.

  async function flushCalls(): Promise<void> {
    const batchId = `${chainId}:${state.seq.batch++}`;
    let booked = false;
    await recordBatch(acts, settings, facts, batchId, ledger.now, (call, at) => {
      apply({ type: 'bookCall', at, call });
      booked = true;
    });
    // Usage only moves the projection up when calls are booked: check it then, at most hourly.
    if (booked && projectionDue(state.alerting, ledger)) {
      const notice = projectionNotice(state.alerting, ledger, insightsOf(ledger, ledger.now));
      if (notice !== null) send(notice);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Requests: claimed by id in PostgreSQL, then applied, then completed with their result.

  let requestRunning = false;
  async function runRequest(item: InboxItem & { kind: 'request' }): Promise<void> {
    requestRunning = true;
    try {
      await applyRequest(item);
    } finally {
      requestRunning = false;
    }
  }

  async function applyRequest(item: InboxItem & { kind: 'request' }): Promise<void> {
    const { request: req, waiter } = item;
    const at = Math.max(item.at, ledger.now);
    const key = { accountId, kind: req.kind, requestId: req.id };
    const claimToken = `${chainId}:op${state.seq.op++}`;
    const claim = await acts.claimRequest({
      ...key,
      claimToken,
      request: storedRequest(req),
      arrivedAt: at,
    });
    if (!claim.claimed) {
      const first = claim.result as StoredResult | null;
      requestReplies.set(
        waiter,
        first === null
          ? {
              ok: false,
              error: {
                type: 'RequestInterruptedError',
                message: `${req.kind} ${req.id} was claimed by a run that never finished it; use a new id`,
              },
            }
          : first.ok
            ? { ok: true, value: { ...first.value, replayed: true } }
            : first,
      );
      return;
    }
    const result = await executeRequest(req, at);
    await acts.completeRequest({ ...key, claimToken, result });
    requestReplies.set(waiter, result);
  }

  async function executeRequest(req: RequestInput, at: number): Promise<StoredResult> {
    const reply = { requestId: req.id, replayed: false };
    switch (req.kind) {
      case 'purchaseCredits': {
        const { purchaseId, credits, recurring } = req.input;
        apply({ type: 'purchase', at, purchaseId, millicredits: credits, recurring });
        send(receiptNotice(ledger, { purchaseId, millicredits: credits, recurring }));
        const value = {
          ...reply,
          purchaseId,
          purchasedMillicredits: credits,
          recurring,
          cycle: openCycleUsage(ledger),
        };
        return { ok: true, value };
      }
      case 'cancelPurchase': {
        const { purchaseId } = req.input;
        const cancelled = ledger.recurring.some((g) => g.purchaseId === purchaseId);
        apply({ type: 'cancelPurchase', at, purchaseId });
        return { ok: true, value: { ...reply, purchaseId, cancelled } };
      }
      case 'changePlan': {
        const plan = await acts.loadPlan({ planId: req.input.planId });
        if (plan === null) {
          return {
            ok: false,
            error: { type: 'UnknownPlanError', message: `no plan has id ${req.input.planId}` },
          };
        }
        const effects = apply({
          type: 'changePlan',
          at,
          plan,
          effective: req.input.effective ?? null,
        });
        const changed = effects.find((e) => e.type === 'planChanged');
        const nextCycle = changed?.effectiveFrom === 'next-cycle';
        const value = {
          ...reply,
          planId: plan.id,
          effective: nextCycle ? 'next-cycle' : 'now',
          effectiveFrom: formatInstant(nextCycle ? openCycle(ledger).end : at),
          cycle: openCycleUsage(ledger),
        };
        return { ok: true, value };
      }
      case 'retryPayment': {
        const invoices: InvoiceOutcome[] = [];
        for (const unpaid of [...state.unpaidInvoices]) {
          const attempt = unpaid.attempt + 1;
          let outcome: InvoiceOutcome;
          try {
            outcome = await acts.retryCharge({
              accountId,
              cycleStart: Date.parse(unpaid.cycleStart),
              attempt,
            });
          } catch (error) {
            if (!isPaymentDecline(error)) throw error;
            outcome = declinedInvoice(unpaid, attempt, declineText(error));
            const closed = state.closedCycles.find((c) => c.start === unpaid.cycleStart);
            const cycleEnd = Date.parse(closed === undefined ? unpaid.cycleStart : closed.end);
            send(paymentFailedNotice(at, outcome, cycleEnd));
          }
          invoices.push(outcome);
          recordInvoice(outcome);
        }
        return { ok: true, value: { ...reply, invoices } };
      }
    }
  }

  function declineText(error: ActivityFailure): string {
    return error.cause?.message ?? error.message;
  }

  /** Keeps the query's view of an invoice and the unpaid list in step with its latest outcome. */
  function recordInvoice(outcome: InvoiceOutcome): void {
    state.unpaidInvoices = state.unpaidInvoices.filter((u) => u.cycleStart !== outcome.cycleStart);
    if (outcome.status === 'payment_failed') state.unpaidInvoices.push(outcome);
    const closed = state.closedCycles.find((c) => c.start === outcome.cycleStart);
    if (closed !== undefined) closed.invoice = outcome;
    // A close runs beside the loop: its `payment_failed` is shown at once.
    publishVisibility();
  }

  // ---------------------------------------------------------------------------------------------
  // What ops see in the Temporal Web UI: search attributes (upserted only when one changes, so
  // the history grows by an event per change, not per batch) and the current details.

  function publishVisibility(): void {
    const typed = workflowInfo().typedSearchAttributes;
    const pairs = changedPairs(
      accountId,
      (key) => typed.get(key),
      accountVisibility(ledger, state.unpaidInvoices.length),
    );
    // Runs started before the upserts existed replay without them (their history has none).
    if (pairs.length > 0 && patched(VISIBILITY_PATCH)) upsertSearchAttributes(pairs);
    setCurrentDetails(
      currentDetails(ledger, {
        unpaidInvoices: state.unpaidInvoices.length,
        pendingEvents: inbox.length + inFlightEvents,
      }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Closes, in the background, in order.

  async function runCloses(): Promise<void> {
    closing = true;
    try {
      while (pendingCloses.length > 0) {
        const close = pendingCloses[0]!;
        const { statement } = close;
        state.closedCycles.unshift({ ...statementView(statement), invoice: null });
        state.closedCycles.splice(CLOSED_CYCLES_KEPT);
        let outcome: InvoiceOutcome;
        try {
          outcome = await acts.closeCycle({ accountId, statement });
        } catch (error) {
          if (!isPaymentDecline(error)) throw error;
          outcome = declinedInvoice(chargeOf(statement), 1, declineText(error));
        }
        recordInvoice(outcome);
        for (const notice of closeNotices(ledger.now, close, outcome)) send(notice);
        log.info('cycle closed', {
          accountId,
          cycle: statement.index,
          invoice: outcome.status,
          amountMinor: outcome.amountMinor,
        });
        pendingCloses.shift();
      }
    } finally {
      closing = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The loop.

  let timerAt: number | null = null;
  let timerFired = false;
  function armTimer(at: number): void {
    if (timerAt === at) return;
    timerAt = at;
    timerFired = false;
    void sleep(Math.max(1, at - Date.now())).then(() => {
      if (timerAt === at) timerFired = true;
    });
  }

  function wantsContinueAsNew(): boolean {
    const info = workflowInfo();
    return (
      boundaryCrossed ||
      info.continueAsNewSuggested ||
      info.historyLength >= settings.continueAsNewAfterEvents
    );
  }

  /**
   * Brings the ledger up to now (boundaries and closes due), never past a queued message: the
   * ledger only moves forward, and that message must be applied at its own arrival.
   */
  function advanceToNow(): void {
    const head = inbox[0];
    const to = head === undefined ? Date.now() : Math.min(Date.now(), head.at);
    if (to > ledger.now) apply({ type: 'advance', at: to });
  }

  /**
   * The run may continue as new once nothing waits on it: no close in flight, every update
   * answered, and only call events from signals queued (they travel on to the next run, so a
   * sender that never pauses cannot keep a run from continuing).
   */
  function readyToContinue(): boolean {
    if (closing || pendingCloses.length > 0 || !allHandlersFinished()) return false;
    let bytes = 0;
    for (const item of inbox) {
      if (item.kind !== 'call' || item.waiter !== null) return false;
      bytes += item.bytes;
    }
    return bytes <= MAX_CARRIED_EVENT_BYTES;
  }

  continuing = () =>
    wantsContinueAsNew() &&
    !closing &&
    pendingCloses.length === 0 &&
    !requestRunning &&
    inbox.every((i) => i.kind === 'call');
  advanceToNow();
  // Emails a previous run handed over; from here on `send` starts the loops.
  startNotificationWork();
  for (;;) {
    if (pendingCloses.length > 0 && !closing) void runCloses();
    if (wantsContinueAsNew() && readyToContinue()) {
      log.info('continuing as new', {
        accountId,
        historyLength: workflowInfo().historyLength,
        cycle: openCycle(ledger).index,
        carriedEvents: inbox.length,
      });
      const carriedInbox = inbox.flatMap((i) => (i.kind === 'call' ? [i.item] : []));
      return continueAsNew<typeof accountBilling>({
        accountId,
        carried: state,
        inbox: carriedInbox,
      });
    }
    publishVisibility();
    armTimer(nextEventAt(ledger));
    await condition(
      () => inbox.length > 0 || timerFired || (wantsContinueAsNew() && readyToContinue()),
    );
    const head = inbox[0];
    if (head?.kind === 'call') {
      await flushCalls();
    } else if (head?.kind === 'request') {
      inbox.shift();
      await runRequest(head);
    } else if (timerFired) {
      // Nothing queued: bring the ledger up to now (boundaries and closes due).
      timerFired = false;
      timerAt = null;
      advanceToNow();
    }
  }

  /**
   * An account that does not exist: record every event that reached this run as rejected
   * (`unknown_account`), refuse its requests, and end, leaving no running workflow behind.
   */
  async function drainUnknownAccount(runSettings: RunSettings): Promise<AccountBillingResult> {
    const acts = activitiesFor(runSettings);
    // Batch ids of their own: if the account turns up, the next run numbers its batches from 0.
    let drained = 0;
    let rejected = 0;
    let accountFound = false;
    // Once the account exists, new batches wait for the run that bills it.
    continuing = () => accountFound;
    for (;;) {
      // After the account turned up, only what an update waits on is still drained here; the
      // signal events behind it travel on to the account's billing run.
      const waited = inbox.some((i) => i.kind === 'request' || i.waiter !== null);
      const head = accountFound && !waited ? undefined : inbox[0];
      if (head?.kind === 'request') {
        inbox.shift();
        requestReplies.set(head.waiter, {
          ok: false,
          error: { type: 'UnknownAccountError', message: `no account has id ${accountId}` },
        });
      } else if (head?.kind === 'call') {
        const batchId = `${chainId}:unknown-account:${drained++}`;
        rejected += await recordBatch(acts, runSettings, null, batchId, 0, () => undefined);
      } else if (!allHandlersFinished()) {
        await condition(() => allHandlersFinished() || (!accountFound && inbox.length > 0));
      } else if (accountFound) {
        log.info('account created while its workflow drained: starting its billing', {
          accountId,
          handedOver: inbox.length,
        });
        const handedOver = inbox.flatMap((i) => (i.kind === 'call' ? [i.item] : []));
        return continueAsNew<typeof accountBilling>({ accountId, inbox: handedOver });
      } else {
        // The account may have been created while this run drained (its creation then attached
        // to this run): become its billing workflow rather than end.
        accountFound = validAccountId && (await bootstrap.loadAccount({ accountId })).found;
        if (accountFound || inbox.length > 0) continue;
        log.warn('events for an unknown account recorded as rejected', { accountId, rejected });
        return { accountId, outcome: 'unknown_account', rejectedEvents: rejected };
      }
    }
  }
}
