/**
 * The edge's request log: Fastify's own logger (pino), one JSON line per request and answer, each
 * with its request id. Nothing secret is written: headers are not logged at all (and the
 * Authorization header and cookies are redacted should a serializer ever add them), and a URL is
 * logged without its query string, where a billing-page link carries its signature.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import pino, { type DestinationStream } from 'pino';
import type { LogLevel } from '../config/config.js';

export interface HttpLogOptions {
  readonly level: LogLevel;
  /** Where lines go: stderr, as every process of the project logs (tests pass their own). */
  readonly stream?: DestinationStream;
}

/** A request's path, without the query string a signed link or any token may ride on. */
export function loggedUrl(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : `${url.slice(0, query)}?[redacted]`;
}

export function httpLogOptions(
  options: HttpLogOptions,
): Pick<FastifyServerOptions, 'loggerInstance' | 'genReqId' | 'requestIdHeader'> {
  const loggerInstance = pino(
    {
      level: options.level.toLowerCase(),
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          'req.query',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          url: loggedUrl(req.url),
          remoteAddress: req.ip,
        }),
      },
    },
    options.stream ?? pino.destination(2),
  );
  return {
    loggerInstance,
    // Not a client's X-Request-Id: an id the edge chose is one a client cannot forge or collide.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
  };
}
