/**
 * POST /billing/link-requests: "email me a new link". The route checks where the form came from
 * and the address, hands the request to the link-request service, and answers the same whether
 * or not the address is a billing contact (and as fast), so addresses cannot be probed.
 */
import type { FastifyInstance } from 'fastify';
import { emailAddressProblem, normalizeEmail } from '../../../client/contacts.js';
import { renderLinkRequestedPage, renderLinkRequestPage } from '../access-pages.js';
import type { BillingPageContext } from '../context.js';
import { postedFields } from '../form-parser.js';
import { sendHtml } from '../replies.js';

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

export function linkRequestRoutes(app: FastifyInstance, ctx: BillingPageContext): void {
  app.post('/billing/link-requests', async (request, reply) => {
    // A cross-site post would make us email a contact their own link: harmless, but refused.
    if (!sameOrigin(request.headers.origin, [request.headers.host, ctx.publicHost])) {
      return sendHtml(
        reply,
        403,
        renderLinkRequestPage('This form must be sent from our own page.'),
      );
    }
    const given = (postedFields(request).email ?? '').trim();
    const email = normalizeEmail(given);
    if (given.length === 0 || emailAddressProblem(email) !== null) {
      return sendHtml(
        reply,
        400,
        renderLinkRequestPage('Enter an email address such as name@example.com.'),
      );
    }
    ctx.linkRequests.request(email, ctx.now(), (error) => {
      request.log.warn({ err: error }, 'billing page: link email failed');
    });
    return sendHtml(reply, 200, renderLinkRequestedPage());
  });
}
