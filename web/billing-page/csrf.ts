/**
 * The billing page's forms carry their session's CSRF token (session.ts derives it): a post is
 * taken only from a session of the account whose form carries that session's token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACCOUNT_ID_RE } from '../../contract/ids.js';
import { renderForbiddenFormPage } from './access-pages.js';
import type { FormFields } from './form.js';
import { postedFields } from './form-parser.js';
import { accountPath, refuse, sendHtml } from './replies.js';
import { csrfToken, verifyCsrfToken, type Session } from './session.js';
import type { SessionAccess } from './session-access.js';

/** The token the session's forms carry (under the newest key). */
export function formToken(access: SessionAccess, session: Session): string {
  return csrfToken(session, access.keys);
}

/** A session for the account whose form carries its CSRF token, else null (refusal sent). */
export function checkedForm(
  access: SessionAccess,
  request: FastifyRequest<{ Params: { accountId: string } }>,
  reply: FastifyReply,
): { session: Session; form: FormFields } | null {
  const { accountId } = request.params;
  if (!ACCOUNT_ID_RE.test(accountId)) {
    void refuse(reply, 'invalid');
    return null;
  }
  const session = access.sessionFor(request, reply, accountId);
  if (session === null) return null;
  const form = postedFields(request);
  if (!verifyCsrfToken(session, form.csrf, access.keys)) {
    void sendHtml(reply, 403, renderForbiddenFormPage(accountPath(accountId)));
    return null;
  }
  return { session, form };
}
