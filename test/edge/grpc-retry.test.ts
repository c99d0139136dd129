import { defaultGrpcRetryOptions } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { edgeGrpcRetryOptions } from '../../edge/grpc-retry.js';

type Status = Parameters<ReturnType<typeof defaultGrpcRetryOptions>['retryableDecider']>[1];
const status = (code: number): Status => ({ code, details: '', metadata: {} }) as unknown as Status;

describe('edgeGrpcRetryOptions', () => {
  it('answers RESOURCE_EXHAUSTED at once (the SDK would retry it past the update timeout)', () => {
    expect(defaultGrpcRetryOptions().retryableDecider(1, status(8))).toBe(true);
    expect(edgeGrpcRetryOptions().retryableDecider(1, status(8))).toBe(false);
  });

  it('retries the rest as the SDK does', () => {
    const edge = edgeGrpcRetryOptions();
    const sdk = defaultGrpcRetryOptions();
    for (const code of [2, 3, 5, 10, 14]) {
      for (const attempt of [1, 9, 10]) {
        expect(edge.retryableDecider(attempt, status(code))).toBe(
          sdk.retryableDecider(attempt, status(code)),
        );
      }
    }
    expect(edge.retryableDecider(1, status(14))).toBe(true); // UNAVAILABLE
  });
});
