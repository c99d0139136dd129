/**
 * `accountBilling`: one long-running workflow per account (id `billing-<accountId>`).
 *
 * Every message is stamped with its arrival and queued in the inbox. One loop, the only writer
 * of the ledger, takes the inbox in order: runs of call events are recorded in batches
 * (PostgreSQL decides accepted / duplicate / rejected), requests are claimed by id and applied.
 * The ledger advances through boundaries and closes before each operation, so the workflow shows
 * what `preview` computes for the same operations at the same arrivals. Closed cycles are
 * invoiced and emails sent in the background, so a slow gateway never holds up ingestion. The run
 * continues as new at each cycle boundary and whenever its history grows long, carrying a small
 * JSON state and the call events not yet recorded.
 *
 * The parts, one idea each: `inbox.ts` (queue, batches, what is carried), `handlers.ts` (messages
 * in), `billing-run.ts` (the ledger and its effects), `requests.ts`, `closes.ts`, `outbox.ts`,
 * `unknown-account.ts`, `usage-query.ts` and `activity-proxies.ts`.
 */
import { ACCOUNT_NOT_LOADED_ERROR } from '../../contract/failures.js';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  workflowInfo,
} from '@temporalio/workflow';
import type { RunSettings } from '../../activities/accounts.js';
import { nextEventAt, openCycle, upgradeLedgerState } from '../../billing/ledger.js';
import { formatInstant } from '../../billing/units.js';
import { bootstrapActivities, runActivities } from './activity-proxies.js';
import { BillingRun } from './billing-run.js';
import { registerHandlers, type Phase } from './handlers.js';
import { Inbox } from './inbox.js';
import {
  accountIdOf,
  newCarriedState,
  type AccountBillingResult,
  type AccountBillingRunInput,
  type CarriedState,
} from './run-state.js';
import { drainUnknownAccount } from './unknown-account.js';
import { usageReply } from './usage-query.js';
import { WakeUp } from './wake-up.js';

export type { AccountBillingResult, AccountBillingRunInput, CarriedState } from './run-state.js';

/** Queued signal events a run hands to the next one at most (the payload limit is 2 MB). */
const MAX_CARRIED_EVENT_BYTES = 512 * 1024;

export async function accountBilling(input: AccountBillingRunInput): Promise<AccountBillingResult> {
  const { accountId, valid } = accountIdOf(input, workflowInfo().workflowId);
  const chainId = workflowInfo().firstExecutionRunId;
  const inbox = new Inbox(input.inbox ?? []);
  let stage: Phase = 'loading';
  let state: CarriedState | null = null;
  let run: BillingRun | null = null;

  /**
   * A billing run is `continuing` once it wants to continue as new and only call batches are
   * left: no close to invoice, no request applied or queued. New call batches then wait for the
   * next run, and the run continues as soon as nobody waits on what it still holds.
   */
  const phase = (): Phase => {
    if (stage !== 'billing' || run === null) return stage;
    const finishing = run.closes.idle() && !run.requests.busy && inbox.onlyCalls();
    return finishing && run.wantsContinueAsNew() ? 'continuing' : 'billing';
  };
  const readyToContinue = (): boolean =>
    phase() === 'continuing' && allHandlersFinished() && inbox.carriable(MAX_CARRIED_EVENT_BYTES);

  registerHandlers({
    accountId,
    inbox,
    phase,
    usage: () => {
      if (state === null) {
        throw ApplicationFailure.create({
          type: ACCOUNT_NOT_LOADED_ERROR,
          message: `account ${accountId} is not loaded: it is starting, or it does not exist`,
        });
      }
      return usageReply(accountId, state, inbox.pendingEvents(), Date.now());
    },
  });

  // The account from PostgreSQL, or the state carried from the previous run.
  let settings: RunSettings;
  if (input.carried === undefined) {
    const loaded = await bootstrapActivities.loadAccount({ accountId });
    settings = loaded.settings;
    if (!loaded.found || !valid) {
      stage = 'draining';
      const end = await drainUnknownAccount({
        accountId,
        validAccountId: valid,
        chainId,
        inbox,
        settings,
        onAccountFound: () => (stage = 'continuing'),
      });
      if ('ended' in end) return end.ended;
      return continueAsNew<typeof accountBilling>({ accountId, inbox: end.handedOver });
    }
    state = newCarriedState(loaded.account, loaded.plan);
    const cycleStart = formatInstant(openCycle(state.ledger).start);
    log.info('account workflow started', { accountId, cycleStart });
  } else {
    // The carried state answers queries at once, before this run's first activity returns. A
    // run of an earlier version of the core carried a ledger of that version: it loads as now.
    state = { ...input.carried, ledger: upgradeLedgerState(input.carried.ledger) };
    settings = await bootstrapActivities.runSettings();
  }
  const billing = new BillingRun(
    accountId,
    chainId,
    state,
    settings,
    runActivities(settings),
    inbox,
  );
  run = billing;
  stage = 'billing';

  billing.advanceToNow();
  // Emails a previous run handed over; from here on queuing one starts the work.
  billing.outbox.start();
  const wakeUp = new WakeUp();
  for (;;) {
    billing.closes.start();
    if (readyToContinue()) {
      log.info('continuing as new', {
        accountId,
        historyLength: workflowInfo().historyLength,
        cycle: openCycle(billing.ledger).index,
        carriedEvents: inbox.length,
      });
      return continueAsNew<typeof accountBilling>({
        accountId,
        carried: state,
        inbox: inbox.carried(),
      });
    }
    billing.publishVisibility();
    wakeUp.arm(nextEventAt(billing.ledger));
    await condition(() => inbox.length > 0 || wakeUp.due() || readyToContinue());
    const head = inbox.head();
    if (head?.kind === 'call') {
      await billing.recordCalls();
    } else if (head?.kind === 'request') {
      await billing.requests.apply(inbox.shiftRequest()!);
    } else if (wakeUp.due()) {
      // Nothing queued: bring the ledger up to now (boundaries and closes due).
      wakeUp.take();
      billing.advanceToNow();
    }
  }
}
