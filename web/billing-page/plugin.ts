/**
 * The customer billing section as a Fastify plugin (docs/billing-page.md):
 *
 *   GET  /billing                                   the "email me a link" form
 *   GET  /billing/:accountId?expires=&sig=          checks the signed link, opens a session, 303
 *   GET  /billing/:accountId                        the billing page (session of that account)
 *   POST /billing/:accountId/purchases              buys credits (CSRF), 303 back with a notice
 *   POST /billing/:accountId/purchases/:id/cancel   cancels a recurring purchase (CSRF), 303 back
 *   POST /billing/link-requests                     emails a fresh link to a billing contact
 *
 * Its routes live in their own encapsulated context: the form parser and the security headers
 * apply to them only. This module wires the parts: sign-in (session-access.ts), CSRF (csrf.ts),
 * the routes (routes/), the reads (notices.ts, account-page.ts) and the link-request service.
 */
import type { FastifyPluginCallback } from 'fastify';
import type { Kysely } from 'kysely';
import type { Mailer } from '../../mail/mailer.js';
import { parseCredits } from '../../billing/units.js';
import type { AccountWorkflowClient } from '../../client/account-workflow-client.js';
import type { Database } from '../../db/schema.js';
import { BillingLinkRequests } from '../../services/billing-link-requests.js';
import type { Config } from '../../config/config.js';
import type { BillingPageContext } from './context.js';
import { useFormParser } from './form-parser.js';
import { accountPageRoutes } from './routes/account-page.js';
import { linkRequestRoutes } from './routes/link-requests.js';
import { purchaseRoutes } from './routes/purchases.js';
import { useSecurityHeaders } from './security-headers.js';
import { SessionAccess } from './session-access.js';

export interface BillingPageOptions {
  readonly billing: AccountWorkflowClient;
  readonly db: Kysely<Database>;
  /** The link key, lifetime and public base URL (config/config.ts). */
  readonly links: Config['links'];
  /** Keys still accepted while the link key is rotated (the current one signs). */
  readonly previousLinkSecrets?: readonly string[];
  /** Sends re-requested links (mail/mailer.ts). */
  readonly mailer: Mailer;
  /** The domain of the link emails' Message-IDs (config.smtp.messageIdDomain). */
  readonly messageIdDomain: string;
  readonly now?: () => number;
  /** A session lasts until the link expires, and at most this long (default 12 hours). */
  readonly sessionMaxSeconds?: number;
  /** The largest purchase the form takes, in credits (default 1,000,000). */
  readonly maxPurchaseCredits?: string;
  /** Link emails per address and window (default 3 an hour). */
  readonly linkRequestLimit?: { readonly perAddress: number; readonly windowMs: number };
}

export const billingPagePlugin: FastifyPluginCallback<BillingPageOptions> = (
  app,
  options,
  done,
) => {
  const maxPurchase = parseCredits(options.maxPurchaseCredits ?? '1000000');
  if (maxPurchase === undefined || maxPurchase <= 0n) {
    done(new Error('maxPurchaseCredits must be a positive credit amount such as "1000000"'));
    return;
  }
  const now = options.now ?? Date.now;
  const ctx: BillingPageContext = {
    billing: options.billing,
    db: options.db,
    access: new SessionAccess({
      keys: [options.links.secret, ...(options.previousLinkSecrets ?? [])],
      now,
      sessionMaxMs: (options.sessionMaxSeconds ?? 12 * 3600) * 1000,
      secureCookie: options.links.publicBaseUrl.startsWith('https://'),
    }),
    linkRequests: new BillingLinkRequests({
      db: options.db,
      mailer: options.mailer,
      links: options.links,
      messageIdDomain: options.messageIdDomain,
      limit: options.linkRequestLimit,
    }),
    now,
    maxPurchase,
    publicHost: new URL(options.links.publicBaseUrl).host,
  };

  useFormParser(app);
  useSecurityHeaders(app);
  // Link emails still in flight finish before the server closes.
  app.addHook('onClose', () => ctx.linkRequests.drain());

  accountPageRoutes(app, ctx);
  purchaseRoutes(app, ctx);
  linkRequestRoutes(app, ctx);
  done();
};
