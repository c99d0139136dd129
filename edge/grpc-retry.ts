/**
 * The edge's gRPC retries: the SDK's defaults, except that RESOURCE_EXHAUSTED is not retried. The
 * SDK retries it for up to ~30 s (backoff from 1 s), longer than EDGE_UPDATE_TIMEOUT_MS: the
 * request would end as a 503 "timed out" while the account is only busy (too many updates in
 * flight) or the namespace rate-limited. Answered at once as 429, the sender backs off instead of
 * the edge holding the request and its body.
 */
import {
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type GrpcRetryOptions,
} from '@temporalio/client';
import { RESOURCE_EXHAUSTED } from './workflow-busy.js';

export function edgeGrpcRetryOptions(): GrpcRetryOptions {
  const defaults = defaultGrpcRetryOptions();
  return {
    delayFunction: defaults.delayFunction,
    retryableDecider: (attempt, status) =>
      (status.code as number) !== RESOURCE_EXHAUSTED && defaults.retryableDecider(attempt, status),
  };
}

/** For `Connection.lazy({ interceptors: [...] })`: replaces the SDK's default retry interceptor. */
export function edgeGrpcRetryInterceptor() {
  return makeGrpcRetryInterceptor(edgeGrpcRetryOptions());
}
