/**
 * The failure types of the contract: the `type` of the ApplicationFailure an update, a query or an
 * activity fails with (an error class thrown in an activity gets its class name as the type).
 * Clients in any language match on them (docs/api.md, "Errors"), so a value never changes.
 */
import { ApplicationFailure } from '@temporalio/common';

// Seen by clients: docs/api.md lists each with its message and what to do.

/** A request update reached the workflow of an account that does not exist. */
export const UNKNOWN_ACCOUNT_ERROR = 'UnknownAccountError';
/** `changePlan` named a plan no stored plan has. */
export const UNKNOWN_PLAN_ERROR = 'UnknownPlanError';
/** The request id was claimed by a run that ended before storing its result. */
export const REQUEST_INTERRUPTED_ERROR = 'RequestInterruptedError';
/** The `usage` query reached a run that has not loaded its account (yet). */
export const ACCOUNT_NOT_LOADED_ERROR = 'AccountNotLoadedError';
/** `recordCalls` reached a run about to continue as new: send the same update again. */
export const CONTINUING_AS_NEW_ERROR = 'ContinuingAsNewError';

// Between the activities and the workflow: not retried (`nonRetryableErrorTypes`).

/** The payment gateway declined an overage charge. */
export const PAYMENT_DECLINED_ERROR = 'PaymentDeclinedError';
/** The SMTP server refused an email for good, or the outbox row cannot be sent. */
export const EMAIL_REJECTED_ERROR = 'EmailRejectedError';
/** An email cannot be rendered from its outbox row. */
export const EMAIL_RENDER_ERROR = 'EmailRenderError';

export type FailureType =
  | typeof UNKNOWN_ACCOUNT_ERROR
  | typeof UNKNOWN_PLAN_ERROR
  | typeof REQUEST_INTERRUPTED_ERROR
  | typeof ACCOUNT_NOT_LOADED_ERROR
  | typeof CONTINUING_AS_NEW_ERROR
  | typeof PAYMENT_DECLINED_ERROR
  | typeof EMAIL_REJECTED_ERROR
  | typeof EMAIL_RENDER_ERROR;

/**
 * Whether `error` is a failure of one of `types`: the first ApplicationFailure on its chain of
 * causes decides. The chain covers what each side sees: an ActivityFailure (in the workflow), a
 * WorkflowUpdateFailedError (in a client), and errors that keep one of those as their cause (the
 * client's BillingRequestError).
 */
export function isFailure(
  error: unknown,
  ...types: [FailureType, ...FailureType[]]
): error is Error {
  const seen = new Set<unknown>();
  for (let e = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (e instanceof ApplicationFailure) {
      return (types as readonly (string | null | undefined)[]).includes(e.type);
    }
  }
  return false;
}
