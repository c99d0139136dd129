/**
 * How the workflow client sends an update: the workflow's refusal unwrapped into its own message,
 * and an update refused only for now sent again.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { CONTINUING_AS_NEW_ERROR, isFailure } from '../contract/failures.js';
import { BillingRequestError } from './billing-errors.js';

/** Unwraps Temporal's generic "Workflow Update failed" into the workflow's own message. */
export async function unwrapUpdate<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new BillingRequestError(error.cause?.message ?? error.message, { cause: error });
    }
    throw error;
  }
}

/**
 * Whether an update was refused only for now: the run is about to continue as new (it takes no
 * new batch; the next run will), or its last workflow task failed or timed out (a worker died
 * holding it) and the server takes no update until another worker has run it.
 */
function isTransientRefusal(error: unknown): boolean {
  if (error instanceof BillingRequestError) return isFailure(error, CONTINUING_AS_NEW_ERROR);
  return error instanceof Error && /Workflow Task in failed state/.test(error.message);
}

/** Sends an update again, with backoff, while it is refused only for now (up to 2 minutes). */
export async function retryWhileUnavailable<T>(send: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!isTransientRefusal(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * attempt)));
    }
  }
}
