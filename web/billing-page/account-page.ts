/** The account's billing page as an answer: its usage from the workflow, rendered with its forms. */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderUnavailablePage } from './access-pages.js';
import type { BillingPageContext } from './context.js';
import { formToken } from './csrf.js';
import { renderBillingPage, type PageNotice, type PurchaseFormState } from './page.js';
import { accountPath, sendHtml } from './replies.js';
import type { Session } from './session.js';

export const EMPTY_FORM: PurchaseFormState = { credits: '', recurring: false, error: null };

function newRequestId(kind: 'purchase' | 'cancel'): string {
  return `web-${kind}-${randomBytes(12).toString('hex')}`;
}

/** Renders the account's page (status 200, or 400 with a form error); 503 without its usage. */
export async function sendAccountPage(
  ctx: BillingPageContext,
  request: FastifyRequest,
  reply: FastifyReply,
  session: Session,
  extras: {
    notice: PageNotice | null;
    form: PurchaseFormState;
    purchaseId?: string;
    status?: number;
  },
): Promise<FastifyReply> {
  let usage;
  try {
    usage = await ctx.billing.usage(session.accountId);
  } catch (error) {
    request.log.warn(
      { err: error, accountId: session.accountId },
      'billing page: usage query failed',
    );
    return sendHtml(reply, 503, renderUnavailablePage());
  }
  const body = renderBillingPage({
    usage,
    csrfToken: formToken(ctx.access, session),
    purchaseId: extras.purchaseId ?? newRequestId('purchase'),
    cancelRequestId: () => newRequestId('cancel'),
    notice: extras.notice,
    form: extras.form,
    basePath: accountPath(session.accountId),
    maxPurchaseMillicredits: ctx.maxPurchase.toString(),
  });
  return sendHtml(reply, extras.status ?? 200, body);
}
