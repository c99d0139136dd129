/**
 * A run for an account that does not exist: every event that reaches it is recorded as rejected
 * (`unknown_account`), every request is refused, and the run ends, leaving no running workflow
 * behind. If the account is created meanwhile (its creation then attaches to this run), the run
 * hands what it holds to a billing run instead.
 */
import { UNKNOWN_ACCOUNT_ERROR } from '../../contract/failures.js';
import { allHandlersFinished, condition, log } from '@temporalio/workflow';
import type { IngestItem } from '../../activities/ingest.js';
import type { RunSettings } from '../../activities/accounts.js';
import { bootstrapActivities, runActivities } from './activity-proxies.js';
import { recordBatch } from './call-batches.js';
import type { Inbox } from './inbox.js';
import type { AccountBillingResult } from './run-state.js';

export interface DrainContext {
  accountId: string;
  /** False when the start argument or workflow id cannot name an account. */
  validAccountId: boolean;
  chainId: string;
  inbox: Inbox;
  settings: RunSettings;
  /** Called once the account exists: new call batches then wait for the run that bills it. */
  onAccountFound(): void;
}

export type DrainEnd =
  { ended: AccountBillingResult } | { accountFound: true; handedOver: IngestItem[] };

export async function drainUnknownAccount(ctx: DrainContext): Promise<DrainEnd> {
  const { accountId, chainId, inbox, settings } = ctx;
  const recorder = { accountId, acts: runActivities(settings), inbox, limits: settings };
  // Batch ids of their own: if the account turns up, the next run numbers its batches from 0.
  let drained = 0;
  let rejected = 0;
  let accountFound = false;
  for (;;) {
    // After the account turned up, only what an update waits on is still drained here; the
    // signal events behind it travel on to the account's billing run.
    const head = accountFound && !inbox.hasWaiters() ? undefined : inbox.head();
    if (head?.kind === 'request') {
      inbox.shiftRequest()!.request.answer({
        ok: false,
        error: { type: UNKNOWN_ACCOUNT_ERROR, message: `no account has id ${accountId}` },
      });
    } else if (head?.kind === 'call') {
      const id = `${chainId}:unknown-account:${drained++}`;
      rejected += await recordBatch(recorder, { id, account: null, notBefore: 0 }, () => {});
    } else if (!allHandlersFinished()) {
      await condition(() => allHandlersFinished() || (!accountFound && inbox.length > 0));
    } else if (accountFound) {
      log.info('account created while its workflow drained: starting its billing', {
        accountId,
        handedOver: inbox.length,
      });
      return { accountFound: true, handedOver: inbox.carried() };
    } else {
      accountFound =
        ctx.validAccountId && (await bootstrapActivities.loadAccount({ accountId })).found;
      if (accountFound) ctx.onAccountFound();
      if (accountFound || inbox.length > 0) continue;
      log.warn('events for an unknown account recorded as rejected', { accountId, rejected });
      return { ended: { accountId, outcome: 'unknown_account', rejectedEvents: rejected } };
    }
  }
}
