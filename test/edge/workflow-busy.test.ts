import { ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { BillingRequestError } from '../../client/billing-errors.js';
import { isWorkflowBusy } from '../../edge/workflow-busy.js';

/** An error shaped as grpc-js raises it: a numeric code, details and metadata. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

describe('isWorkflowBusy', () => {
  it('recognises the per-workflow update limit, wrapped or bare', () => {
    const exhausted = grpcError(
      8,
      'limit on number of concurrent in-flight updates has been reached (10)',
    );
    expect(isWorkflowBusy(exhausted)).toBe(true);
    expect(isWorkflowBusy(new ServiceError('Update failed', { cause: exhausted }))).toBe(true);
    // Only the wording left (another server version's message).
    expect(isWorkflowBusy(new Error('too many outstanding updates'))).toBe(true);
  });

  it('leaves Temporal unreachable, timeouts and the workflow refusing as they are', () => {
    const unavailable = grpcError(14, 'No connection established');
    expect(isWorkflowBusy(unavailable)).toBe(false);
    expect(isWorkflowBusy(new ServiceError('Update failed', { cause: unavailable }))).toBe(false);
    expect(isWorkflowBusy(new Error('not recorded within 3000 ms'))).toBe(false);
    expect(isWorkflowBusy(new BillingRequestError('unknown account'))).toBe(false);
    expect(isWorkflowBusy('RESOURCE_EXHAUSTED')).toBe(false);
  });
});
