/**
 * Idempotent account requests (purchases, cancels, plan changes, payment retries). The workflow
 * claims a request id before applying it and completes it with the result; PostgreSQL's primary
 * key, not workflow state, decides whether an id was seen before, so a replay finds the first
 * result even after continue-as-new.
 */
import type { Kysely } from 'kysely';
import { claimRequest, completeRequest, type RequestKey } from '../db/repositories/requests.js';
import type { Database } from '../db/schema.js';

export interface ClaimInput extends RequestKey {
  /** Deterministic per workflow step (`<first run id>:op<sequence>`): a retried claim is ours. */
  readonly claimToken: string;
  readonly request: unknown;
  /** The workflow time the request was handled (epoch ms). */
  readonly arrivedAt: number;
}

export type ClaimResult =
  | { claimed: true }
  | {
      claimed: false;
      /** The first request's result; null if its workflow never finished it. */
      result: unknown;
      firstRequest: unknown;
    };

export function createRequestActivities(deps: { readonly db: Kysely<Database> }) {
  return {
    async claimRequest(input: ClaimInput): Promise<ClaimResult> {
      const row = await claimRequest(
        deps.db,
        input,
        input.claimToken,
        input.request,
        new Date(input.arrivedAt),
      );
      if (row.claim_token === input.claimToken) return { claimed: true };
      return { claimed: false, result: row.result, firstRequest: row.request };
    },

    async completeRequest(
      input: RequestKey & { readonly claimToken: string; readonly result: unknown },
    ): Promise<void> {
      await completeRequest(deps.db, input, input.claimToken, input.result);
    },
  };
}
