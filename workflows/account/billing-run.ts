/**
 * A run billing an account that exists: the ledger (the billing core) and everything that
 * follows from changing it. Each operation advances the ledger through boundaries and closes
 * first, so the run shows what `preview` computes for the same operations at the same arrivals;
 * its effects become daily usage, closes to invoice and emails to send.
 */
import {
  log,
  patched,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { InvoiceOutcome } from '../../contract/invoice-outcome.js';
import type { RunSettings } from '../../activities/accounts.js';
import {
  applyOperation,
  type LedgerEffect,
  type LedgerOperation,
  type LedgerState,
} from '../../billing/ledger.js';
import { cycleDaily, pruneDailyUsage, recordBooking } from '../../billing/insights.js';
import {
  alertNotices,
  projectionDue,
  projectionNotice,
  type Notice,
} from '../../billing/notifications.js';
import type { RunActivities } from './activity-proxies.js';
import { recordBatch } from './call-batches.js';
import { Closes } from './closes.js';
import type { Inbox } from './inbox.js';
import { recordInvoice } from './invoices.js';
import { Outbox } from './outbox.js';
import { Requests } from './requests.js';
import type { CarriedState } from './run-state.js';
import { insightsOf } from './usage-query.js';
import { accountVisibility, changedPairs, currentDetails } from './visibility.js';

/** The change that added search attribute upserts (see test/replay/README.md). */
const VISIBILITY_PATCH = 'account-visibility';

export class BillingRun {
  readonly ledger: LedgerState;
  readonly outbox: Outbox;
  readonly closes: Closes;
  /** Purchases, cancels, plan changes and payment retries, applied one at a time by the loop. */
  readonly requests: Requests;
  /** True once this run crossed a cycle boundary: the next cycle starts in a new run. */
  private boundaryCrossed = false;

  constructor(
    readonly accountId: string,
    /** The first run's id: with the carried sequences, it makes batch ids and claim tokens. */
    readonly chainId: string,
    readonly state: CarriedState,
    readonly settings: RunSettings,
    readonly acts: RunActivities,
    readonly inbox: Inbox,
  ) {
    this.ledger = state.ledger;
    this.outbox = new Outbox(accountId, state, acts);
    this.closes = new Closes({
      accountId,
      acts,
      state,
      recordInvoice: (outcome) => this.recordInvoice(outcome),
      send: (notice) => this.send(notice),
      now: () => this.ledger.now,
    });
    this.requests = new Requests(this);
  }

  send(notice: Notice): void {
    this.outbox.send(notice);
  }

  /** Applies one operation to the ledger and acts on its effects. */
  apply(op: LedgerOperation): LedgerEffect[] {
    const { effects } = applyOperation(this.ledger, op);
    this.handleEffects(effects);
    return effects;
  }

  private handleEffects(effects: readonly LedgerEffect[]) {
    const { accountId, ledger, state } = this;
    for (const effect of effects) {
      if (effect.type === 'callBooked') {
        recordBooking(state.daily, effect, ledger.calendar.timeZone);
      } else if (effect.type === 'cycleStarted') {
        this.boundaryCrossed = true;
        pruneDailyUsage(state.daily, effect.cycleIndex);
        log.info('cycle started', { accountId, cycle: effect.cycleIndex });
      } else if (effect.type === 'cycleClosed') {
        const { statement } = effect;
        this.closes.add({
          statement,
          additions: effect.cycle.additions,
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
    for (const notice of alertNotices(state.alerting, ledger, effects)) this.send(notice);
  }

  /**
   * Brings the ledger up to now (boundaries and closes due), never past a queued message: the
   * ledger only moves forward, and that message must be applied at its own arrival.
   */
  advanceToNow(): void {
    const head = this.inbox.head();
    const to = head === undefined ? Date.now() : Math.min(Date.now(), head.at);
    if (to > this.ledger.now) this.apply({ type: 'advance', at: to });
  }

  /** Records the call events at the head of the inbox and books the accepted ones. */
  async recordCalls(): Promise<void> {
    const { accountId, acts, inbox, ledger, state, settings } = this;
    const account = {
      accountId,
      createdAt: ledger.account.createdAt,
      maxLateSeconds: ledger.account.maxLateSeconds,
    };
    let booked = false;
    await recordBatch(
      { accountId, acts, inbox, limits: settings },
      { id: `${this.chainId}:${state.seq.batch++}`, account, notBefore: ledger.now },
      (call, at) => {
        this.apply({ type: 'bookCall', at, call });
        booked = true;
      },
    );
    // Usage only moves the projection up when calls are booked: check it then, at most hourly.
    if (booked && projectionDue(state.alerting, ledger)) {
      const notice = projectionNotice(state.alerting, ledger, insightsOf(ledger, state));
      if (notice !== null) this.send(notice);
    }
  }

  /** Keeps the query's view of an invoice and the unpaid list in step with its latest outcome. */
  recordInvoice(outcome: InvoiceOutcome): void {
    recordInvoice(this.state, outcome);
    // A close runs beside the loop: its `payment_failed` is shown at once.
    this.publishVisibility();
  }

  /**
   * What ops see in the Temporal Web UI: search attributes (upserted only when one changes, so
   * the history grows by an event per change, not per batch) and the current details.
   */
  publishVisibility(): void {
    const { accountId, ledger, state } = this;
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
        pendingEvents: this.inbox.pendingEvents(),
      }),
    );
  }

  /** The run has done its share: a new cycle started, or its history grew long. */
  wantsContinueAsNew(): boolean {
    const info = workflowInfo();
    return (
      this.boundaryCrossed ||
      info.continueAsNewSuggested ||
      info.historyLength >= this.settings.continueAsNewAfterEvents
    );
  }
}
