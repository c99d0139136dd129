/**
 * The edge's JSON body parser: Fastify's own (which refuses `__proto__` and `constructor` keys),
 * after a scan of the raw bytes (json-body-scan.ts) that refuses a body nested deeper than
 * MAX_JSON_DEPTH before it is parsed, and keeps each event's size as received for the size rule.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_JSON_DEPTH, scanJsonBody, type JsonBodyScan } from './json-body-scan.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The scan of the request's JSON body; null when it had none. */
    jsonBodyScan: Extract<JsonBodyScan, { ok: true }> | null;
  }
}

/** The code of a body nested too deeply (the edge's error handler answers it 400). */
export const JSON_TOO_DEEP = 'EDGE_JSON_TOO_DEEP';

class JsonTooDeepError extends Error {
  override readonly name = 'JsonTooDeepError';
  readonly code = JSON_TOO_DEEP;
  readonly statusCode = 400;
}

export function useScannedJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.decorateRequest('jsonBodyScan', null);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    const scan = scanJsonBody(bytes);
    if (!scan.ok) {
      done(new JsonTooDeepError(`the body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    request.jsonBodyScan = scan;
    // Fastify's parser answers through `done`; what it returns is not a result.
    void parse(request, bytes.toString('utf8'), done);
  });
}
