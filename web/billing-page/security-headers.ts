/**
 * The headers on every answer of the billing page: no scripts, no framing, nothing cached, no
 * Referer leaving the site (docs/billing-page.md lists them).
 */
import type { FastifyInstance } from 'fastify';
import { CONTENT_SECURITY_POLICY } from './layout.js';

/** Adds the headers in `app`, the plugin's encapsulated context: to its routes only. */
export function useSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
  });
}
