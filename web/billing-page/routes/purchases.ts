/**
 * POST /billing/:accountId/purchases buys credits; POST .../purchases/:purchaseId/cancel cancels a
 * recurring purchase. Each checks its form (session, CSRF token, fields), sends the request to the
 * account's workflow and answers 303 back to the page with a notice, or the page with the error.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseCredits } from '../../../billing/units.js';
import { BillingRequestError } from '../../../client/billing-errors.js';
import { REQUEST_ID_RE } from '../../../contract/ids.js';
import { formatCreditNumber } from '../../../format/numbers.js';
import { renderUnavailablePage } from '../access-pages.js';
import { EMPTY_FORM, sendAccountPage } from '../account-page.js';
import type { BillingPageContext } from '../context.js';
import { checkedForm } from '../csrf.js';
import { accountPath, seeOther, sendHtml } from '../replies.js';
import type { Session } from '../session.js';

/**
 * Sends a form's request to the account's workflow and answers 303 back to the page with the
 * notice of its result; a refusal goes to `refused` when the form can show it, and any other
 * failure (the workflow cannot be reached) is logged and answered 503.
 */
async function sendRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  session: Session,
  outgoing: {
    what: 'purchase' | 'cancel';
    send: () => Promise<unknown>;
    /** The query parameter that shows the result's notice, and the request id it names. */
    notice: { param: 'purchased' | 'cancelled'; requestId: string };
    refused?: (message: string) => Promise<FastifyReply>;
  },
): Promise<FastifyReply> {
  try {
    await outgoing.send();
  } catch (error) {
    if (outgoing.refused !== undefined && error instanceof BillingRequestError) {
      return outgoing.refused(error.message);
    }
    request.log.warn(
      { err: error, accountId: session.accountId },
      `billing page: ${outgoing.what} failed`,
    );
    return sendHtml(reply, 503, renderUnavailablePage());
  }
  const { param, requestId } = outgoing.notice;
  return seeOther(
    reply,
    `${accountPath(session.accountId)}?${param}=${encodeURIComponent(requestId)}`,
  );
}

export function purchaseRoutes(app: FastifyInstance, ctx: BillingPageContext): void {
  app.post<{ Params: { accountId: string } }>(
    '/billing/:accountId/purchases',
    async (request, reply) => {
      const checked = checkedForm(ctx.access, request, reply);
      if (checked === null) return reply;
      const { session, form } = checked;
      const credits = (form.credits ?? '').trim();
      const recurring = form.recurring === 'yes';
      const purchaseId = form.purchaseId ?? '';
      const again = (error: string) =>
        sendAccountPage(ctx, request, reply, session, {
          notice: null,
          form: { credits, recurring, error },
          status: 400,
          ...(REQUEST_ID_RE.test(purchaseId) ? { purchaseId } : {}),
        });
      if (!REQUEST_ID_RE.test(purchaseId)) {
        return again('The form was incomplete: please try again.');
      }
      const millicredits = parseCredits(credits);
      if (millicredits === undefined) {
        return again('Enter a number of credits such as 100 or 12.5 (at most 3 decimals).');
      }
      if (millicredits === 0n) return again('Enter more than 0 credits.');
      if (millicredits > ctx.maxPurchase) {
        return again(`Enter at most ${formatCreditNumber(ctx.maxPurchase)} credits at a time.`);
      }
      return sendRequest(request, reply, session, {
        what: 'purchase',
        send: () =>
          ctx.billing.purchaseCredits(session.accountId, { purchaseId, credits, recurring }),
        notice: { param: 'purchased', requestId: purchaseId },
        refused: again,
      });
    },
  );

  app.post<{ Params: { accountId: string; purchaseId: string } }>(
    '/billing/:accountId/purchases/:purchaseId/cancel',
    async (request, reply) => {
      const checked = checkedForm(ctx.access, request, reply);
      if (checked === null) return reply;
      const { session, form } = checked;
      const { purchaseId } = request.params;
      const requestId = form.requestId ?? '';
      if (!REQUEST_ID_RE.test(requestId) || !REQUEST_ID_RE.test(purchaseId)) {
        return sendAccountPage(ctx, request, reply, session, {
          notice: null,
          form: EMPTY_FORM,
          status: 400,
        });
      }
      return sendRequest(request, reply, session, {
        what: 'cancel',
        send: () => ctx.billing.cancelPurchase(session.accountId, { requestId, purchaseId }),
        notice: { param: 'cancelled', requestId },
      });
    },
  );
}
