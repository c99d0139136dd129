/**
 * Whether Temporal refused an update because the workflow has too many updates in flight already
 * (its per-workflow limit, 10 by default): gRPC RESOURCE_EXHAUSTED. The edge keeps its own count
 * under that limit, but several edge processes serving one account add up (EDGE_UPDATES_IN_FLIGHT
 * each). It is the account being busy, not Temporal being down: the edge answers 429, not 503.
 */

/** gRPC's RESOURCE_EXHAUSTED status code (grpc-js is not a direct dependency of the project). */
export const RESOURCE_EXHAUSTED = 8;

/** The server's wording, for errors that lost their gRPC code on the way (kept as the message). */
const BUSY_MESSAGE = /too many outstanding updates|in-flight updates has been reached/i;

export function isWorkflowBusy(error: unknown): boolean {
  // The client wraps the gRPC error (ServiceError's cause); update-with-start may throw it bare.
  const seen = new Set<unknown>();
  for (let e = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    if ((e as { code?: unknown }).code === RESOURCE_EXHAUSTED) return true;
    if (BUSY_MESSAGE.test(e.message)) return true;
  }
  return false;
}
