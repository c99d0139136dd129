/**
 * The activities a run calls, as Temporal proxies: one factory, so every kind of work states its
 * retry policy in one table instead of a function each.
 */
import { EMAIL_REJECTED_ERROR, PAYMENT_DECLINED_ERROR } from '../../contract/failures.js';
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { RunSettings } from '../../activities/accounts.js';

/** Loading the account and the worker's settings, before a run knows its own settings. */
export const bootstrapActivities = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * How each kind of work retries. Attempts are never limited: a database, gateway or SMTP outage
 * delays a batch, a close or an email, never drops it. Only a failure that another attempt cannot
 * change stops the retries.
 */
function retryPolicies(settings: RunSettings) {
  return {
    /** Ingest, requests, closes and charges: a declined card is an answer, not an outage. */
    billing: {
      initialInterval: '500ms',
      maximumInterval: '30s',
      nonRetryableErrorTypes: [PAYMENT_DECLINED_ERROR],
    },
    /** Email: backs off up to the configured interval; a message refused for good stops. */
    email: {
      initialInterval: '1s',
      maximumInterval: settings.notifyRetryMaxIntervalMs,
      nonRetryableErrorTypes: [EMAIL_REJECTED_ERROR],
    },
  } satisfies Record<string, ActivityOptions['retry']>;
}

export type RunActivities = Record<
  keyof ReturnType<typeof retryPolicies>,
  ReturnType<typeof proxyActivities<Activities>>
>;

/**
 * The run's activities by kind of work. Recording a batch is a regular activity, not a local
 * one: its input (which events the batch holds) is then fixed in the history when it is
 * scheduled. A local activity's batch is fixed only by its marker, so after a worker crash the
 * same batch id could be re-formed with more events than its first, committed attempt held.
 */
export function runActivities(settings: RunSettings): RunActivities {
  const policies = retryPolicies(settings);
  const proxy = (retry: ActivityOptions['retry']) =>
    proxyActivities<Activities>({
      startToCloseTimeout: settings.activityStartToCloseMs,
      retry: { backoffCoefficient: 2, ...retry },
    });
  return { billing: proxy(policies.billing), email: proxy(policies.email) };
}
