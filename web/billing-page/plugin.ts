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
 * apply to them only.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Mailer } from '../../activities/mailer.js';
import { parseCredits } from '../../billing/units.js';
import { formatCreditNumber } from '../../emails/format.js';
import type { AccountWorkflowClient } from '../../client/account-workflow-client.js';
import { BillingRequestError } from '../../client/billing-errors.js';
import { emailAddressProblem, normalizeEmail } from '../../client/contacts.js';
import { findAccount, findAccountIdsByBillingEmail } from '../../db/repositories/accounts.js';
import { findRequest } from '../../db/repositories/requests.js';
import type { Database } from '../../db/schema.js';
import type { Config } from '../../workers/config.js';
import { ACCOUNT_ID_RE, REQUEST_ID_RE } from '../../contract/ids.js';
import { verifyBillingLink } from '../signed-link.js';
import {
  renderAccessPage,
  renderForbiddenFormPage,
  renderLinkRequestedPage,
  renderLinkRequestPage,
  renderUnavailablePage,
  type AccessProblem,
} from './access-pages.js';
import { parseCookies, serializeCookie } from './cookies.js';
import { FORM_BODY_LIMIT, FORM_CONTENT_TYPE, parseForm, type FormFields } from './form.js';
import { CONTENT_SECURITY_POLICY } from './layout.js';
import { LinkRequestLimiter, linkRequestEmail } from './link-request.js';
import { renderBillingPage, type PageNotice, type PurchaseFormState } from './page.js';
import {
  SESSION_COOKIE,
  createSession,
  csrfToken,
  verifyCsrfToken,
  verifySession,
  type Session,
} from './session.js';

export interface BillingPageOptions {
  readonly billing: AccountWorkflowClient;
  readonly db: Kysely<Database>;
  /** The link key, lifetime and public base URL (workers/config.ts). */
  readonly links: Config['links'];
  /** Keys still accepted while the link key is rotated (the current one signs). */
  readonly previousLinkSecrets?: readonly string[];
  /** Sends re-requested links (activities/mailer.ts). */
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

type AccountParams = { accountId: string };

const purchaseResultSchema = z.object({
  ok: z.literal(true),
  value: z.object({
    purchaseId: z.string(),
    purchasedMillicredits: z.string(),
    recurring: z.boolean(),
    cycle: z.object({ remainingMillicredits: z.string(), availableMillicredits: z.string() }),
  }),
});
const cancelResultSchema = z.object({
  ok: z.literal(true),
  value: z.object({ purchaseId: z.string(), cancelled: z.boolean() }),
});

/**
 * True when a browser's Origin header is absent (not a browser form) or names one of `hosts`. Our
 * pages send their origin (Referrer-Policy same-origin); a page elsewhere may send `null`.
 */
function sameOrigin(origin: string | undefined, hosts: readonly (string | undefined)[]): boolean {
  if (origin === undefined) return true;
  try {
    return hosts.includes(new URL(origin).host);
  } catch {
    return false;
  }
}

function newRequestId(kind: 'purchase' | 'cancel'): string {
  return `web-${kind}-${randomBytes(12).toString('hex')}`;
}

export const billingPagePlugin: FastifyPluginCallback<BillingPageOptions> = (
  app,
  options,
  done,
) => {
  const now = options.now ?? Date.now;
  const keys = [options.links.secret, ...(options.previousLinkSecrets ?? [])];
  const secureCookie = options.links.publicBaseUrl.startsWith('https://');
  const sessionMaxMs = (options.sessionMaxSeconds ?? 12 * 3600) * 1000;
  const parsedMax = parseCredits(options.maxPurchaseCredits ?? '1000000');
  if (parsedMax === undefined || parsedMax <= 0n) {
    done(new Error('maxPurchaseCredits must be a positive credit amount such as "1000000"'));
    return;
  }
  const maxPurchase: bigint = parsedMax;
  const publicHost = new URL(options.links.publicBaseUrl).host;
  const limiter = new LinkRequestLimiter(
    options.linkRequestLimit?.perAddress,
    options.linkRequestLimit?.windowMs,
  );
  const sending = new Set<Promise<void>>();

  // Our own form parser, for our routes only (an edge may parse forms differently elsewhere).
  if (app.hasContentTypeParser(FORM_CONTENT_TYPE)) app.removeContentTypeParser(FORM_CONTENT_TYPE);
  app.addContentTypeParser(
    FORM_CONTENT_TYPE,
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, parsed) => parsed(null, parseForm(body as string)),
  );

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
  });

  // Link emails still in flight finish before the server closes.
  app.addHook('onClose', async () => {
    await Promise.allSettled([...sending]);
  });

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);

  const accountPath = (accountId: string) => `/billing/${encodeURIComponent(accountId)}`;

  const refuse = (reply: FastifyReply, problem: AccessProblem) =>
    html(
      reply,
      problem === 'no-session' ? 401 : problem === 'expired' ? 410 : 403,
      renderAccessPage(problem),
    );

  /** The request's session for `accountId`, or null once the refusal has been sent. */
  function sessionFor(request: FastifyRequest, reply: FastifyReply, accountId: string) {
    const cookie = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    const session = verifySession(cookie, keys, now());
    if (session === null) {
      void refuse(reply, 'no-session');
      return null;
    }
    // Another account's session learns nothing about this one: the same page for any id.
    if (session.accountId !== accountId) {
      void refuse(reply, 'other-account');
      return null;
    }
    return session;
  }

  /** The posted fields that are strings (a JSON body, which no form of ours sends, may hold more). */
  function formOf(request: FastifyRequest): FormFields {
    const body = request.body;
    if (typeof body !== 'object' || body === null) return {};
    return Object.fromEntries(
      Object.entries(body).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  }

  /** A session for the account whose form carries its CSRF token, else null (refusal sent). */
  function formSession(
    request: FastifyRequest<{ Params: AccountParams }>,
    reply: FastifyReply,
  ): { session: Session; form: FormFields } | null {
    const { accountId } = request.params;
    if (!ACCOUNT_ID_RE.test(accountId)) {
      void refuse(reply, 'invalid');
      return null;
    }
    const session = sessionFor(request, reply, accountId);
    if (session === null) return null;
    const form = formOf(request);
    if (!verifyCsrfToken(session, form.csrf, keys)) {
      void html(reply, 403, renderForbiddenFormPage(accountPath(accountId)));
      return null;
    }
    return { session, form };
  }

  async function noticeOf(
    accountId: string,
    query: Record<string, unknown>,
  ): Promise<PageNotice | null> {
    const purchased = query.purchased;
    if (typeof purchased === 'string' && REQUEST_ID_RE.test(purchased)) {
      const row = await findRequest(options.db, {
        accountId,
        kind: 'purchaseCredits',
        requestId: purchased,
      });
      const parsed = purchaseResultSchema.safeParse(row?.result);
      if (parsed.success) {
        const v = parsed.data.value;
        return {
          kind: 'purchased',
          purchaseId: v.purchaseId,
          millicredits: v.purchasedMillicredits,
          recurring: v.recurring,
          remainingMillicredits: v.cycle.remainingMillicredits,
          availableMillicredits: v.cycle.availableMillicredits,
        };
      }
    }
    const cancelled = query.cancelled;
    if (typeof cancelled === 'string' && REQUEST_ID_RE.test(cancelled)) {
      const row = await findRequest(options.db, {
        accountId,
        kind: 'cancelPurchase',
        requestId: cancelled,
      });
      const parsed = cancelResultSchema.safeParse(row?.result);
      if (parsed.success) return { kind: 'cancelled', ...parsed.data.value };
    }
    return null;
  }

  /** Renders the account's page (status 200, or 400 with a form error). */
  async function sendPage(
    request: FastifyRequest,
    reply: FastifyReply,
    session: Session,
    extras: {
      notice: PageNotice | null;
      form: PurchaseFormState;
      purchaseId?: string;
      status?: number;
    },
  ) {
    let usage;
    try {
      usage = await options.billing.usage(session.accountId);
    } catch (error) {
      request.log.warn(
        { err: error, accountId: session.accountId },
        'billing page: usage query failed',
      );
      return html(reply, 503, renderUnavailablePage());
    }
    const body = renderBillingPage({
      usage,
      csrfToken: csrfToken(session, keys),
      purchaseId: extras.purchaseId ?? newRequestId('purchase'),
      cancelRequestId: () => newRequestId('cancel'),
      notice: extras.notice,
      form: extras.form,
      basePath: accountPath(session.accountId),
      maxPurchaseMillicredits: maxPurchase.toString(),
    });
    return html(reply, extras.status ?? 200, body);
  }

  const emptyForm: PurchaseFormState = { credits: '', recurring: false, error: null };

  app.get('/billing', async (_request, reply) => html(reply, 200, renderLinkRequestPage()));

  app.get<{ Params: AccountParams; Querystring: Record<string, unknown> }>(
    '/billing/:accountId',
    async (request, reply) => {
      const { accountId } = request.params;
      const { expires, sig } = request.query;
      if (expires !== undefined || sig !== undefined) {
        const check = verifyBillingLink(
          {
            accountId,
            expires: typeof expires === 'string' ? expires : undefined,
            sig: typeof sig === 'string' ? sig : undefined,
          },
          keys,
          now(),
        );
        if (!check.ok) return refuse(reply, check.reason === 'expired' ? 'expired' : 'invalid');
        const session = createSession(
          check.accountId,
          Math.min(check.expiresAt, now() + sessionMaxMs),
          keys,
        );
        reply.header(
          'set-cookie',
          serializeCookie(SESSION_COOKIE, session.value, {
            path: '/billing',
            maxAge: (session.expiresAt - now()) / 1000,
            httpOnly: true,
            secure: secureCookie,
            sameSite: 'Strict',
          }),
        );
        // The token leaves the address bar, the history and any Referer.
        return reply.code(303).header('location', accountPath(check.accountId)).send();
      }
      if (!ACCOUNT_ID_RE.test(accountId)) return refuse(reply, 'invalid');
      const session = sessionFor(request, reply, accountId);
      if (session === null) return reply;
      const notice = await noticeOf(accountId, request.query);
      return sendPage(request, reply, session, { notice, form: emptyForm });
    },
  );

  app.post<{ Params: AccountParams }>('/billing/:accountId/purchases', async (request, reply) => {
    const checked = formSession(request, reply);
    if (checked === null) return reply;
    const { session, form } = checked;
    const credits = (form.credits ?? '').trim();
    const recurring = form.recurring === 'yes';
    const purchaseId = form.purchaseId ?? '';
    const again = (error: string) =>
      sendPage(request, reply, session, {
        notice: null,
        form: { credits, recurring, error },
        status: 400,
        ...(REQUEST_ID_RE.test(purchaseId) ? { purchaseId } : {}),
      });
    if (!REQUEST_ID_RE.test(purchaseId)) return again('The form was incomplete: please try again.');
    const millicredits = parseCredits(credits);
    if (millicredits === undefined) {
      return again('Enter a number of credits such as 100 or 12.5 (at most 3 decimals).');
    }
    if (millicredits === 0n) return again('Enter more than 0 credits.');
    if (millicredits > maxPurchase) {
      return again(`Enter at most ${formatCreditNumber(maxPurchase)} credits at a time.`);
    }
    try {
      await options.billing.purchaseCredits(session.accountId, { purchaseId, credits, recurring });
    } catch (error) {
      if (error instanceof BillingRequestError) return again(error.message);
      request.log.warn(
        { err: error, accountId: session.accountId },
        'billing page: purchase failed',
      );
      return html(reply, 503, renderUnavailablePage());
    }
    const location = `${accountPath(session.accountId)}?purchased=${encodeURIComponent(purchaseId)}`;
    return reply.code(303).header('location', location).send();
  });

  app.post<{ Params: AccountParams & { purchaseId: string } }>(
    '/billing/:accountId/purchases/:purchaseId/cancel',
    async (request, reply) => {
      const checked = formSession(request, reply);
      if (checked === null) return reply;
      const { session, form } = checked;
      const { purchaseId } = request.params;
      const requestId = form.requestId ?? '';
      if (!REQUEST_ID_RE.test(requestId) || !REQUEST_ID_RE.test(purchaseId)) {
        return sendPage(request, reply, session, {
          notice: null,
          form: { ...emptyForm, error: null },
          status: 400,
        });
      }
      try {
        await options.billing.cancelPurchase(session.accountId, { requestId, purchaseId });
      } catch (error) {
        request.log.warn(
          { err: error, accountId: session.accountId },
          'billing page: cancel failed',
        );
        return html(reply, 503, renderUnavailablePage());
      }
      const location = `${accountPath(session.accountId)}?cancelled=${encodeURIComponent(requestId)}`;
      return reply.code(303).header('location', location).send();
    },
  );

  app.post('/billing/link-requests', async (request, reply) => {
    // A cross-site post would make us email a contact their own link: harmless, but refused.
    if (!sameOrigin(request.headers.origin, [request.headers.host, publicHost])) {
      return html(reply, 403, renderLinkRequestPage('This form must be sent from our own page.'));
    }
    const given = (formOf(request).email ?? '').trim();
    const email = normalizeEmail(given);
    if (given.length === 0 || emailAddressProblem(email) !== null) {
      return html(
        reply,
        400,
        renderLinkRequestPage('Enter an email address such as name@example.com.'),
      );
    }
    const at = now();
    // The answer is the same, and as fast, whether or not the address is a contact.
    if (limiter.allow(email, at)) {
      const send = sendLinks(email, at).catch((error: unknown) => {
        request.log.warn({ err: error }, 'billing page: link email failed');
      });
      sending.add(send);
      void send.finally(() => sending.delete(send));
    }
    return html(reply, 200, renderLinkRequestedPage());
  });

  async function sendLinks(email: string, at: number): Promise<void> {
    for (const accountId of await findAccountIdsByBillingEmail(options.db, email)) {
      const account = await findAccount(options.db, accountId);
      if (account === undefined) continue;
      const message = linkRequestEmail({
        accountId,
        email,
        timeZone: account.time_zone,
        now: at,
        links: options.links,
        messageIdDomain: options.messageIdDomain,
      });
      await options.mailer.send({
        to: email,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
      });
    }
  }
  done();
};
