/**
 * What the billing client throws when the engine refuses a request, as opposed to a server that
 * cannot be reached: adapters tell the two apart (a CLI exit code, a form shown again).
 */

/** A request the billing engine refuses, with a message that says what to change. */
export class BillingInputError extends Error {
  override readonly name = 'BillingInputError';
}

/**
 * A request the account's workflow refused or failed, with the workflow's own message: the
 * validator's, or a named failure's (`isFailure(error, UNKNOWN_PLAN_ERROR)` tells which, through
 * the update's failure kept as the cause).
 */
export class BillingRequestError extends Error {
  override readonly name = 'BillingRequestError';
}
