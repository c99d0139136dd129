/**
 * The pages around the billing page: a refused or missing sign-in (with the form that emails a
 * new link), the link-request form, and the neutral answer to it (the same whether or not the
 * address is a billing contact, so addresses cannot be probed).
 */
import { escapeHtml } from '../../format/html.js';
import { renderPage } from './layout.js';

export type AccessProblem = 'no-session' | 'expired' | 'invalid' | 'other-account';

const PROBLEMS: Record<AccessProblem, { title: string; text: string }> = {
  'no-session': {
    title: 'Sign in with your billing link',
    text: 'Open the billing page from the link in one of our billing emails, or ask for a new link below.',
  },
  expired: {
    title: 'This link has expired',
    text: 'Billing links work for a limited time. Ask for a new link below and we will email it to you.',
  },
  invalid: {
    title: 'This link does not work',
    text: 'The link is incomplete or was changed. Open it from the email again, or ask for a new link below.',
  },
  'other-account': {
    title: 'You cannot open this page',
    text: 'Your billing link is for another page. Open the page from the link in your email, or ask for a new link below.',
  },
};

/** The form that asks for a new link by email; it needs no session. */
export function linkRequestForm(): string {
  return (
    '<section aria-labelledby="request-title"><h2 id="request-title">Email me a new link</h2>' +
    '<form method="post" action="/billing/link-requests">' +
    '<label for="email">Billing email address<span class="hint" id="email-hint">' +
    'The address our billing emails go to.</span></label>' +
    '<input type="email" id="email" name="email" autocomplete="email" required ' +
    'aria-describedby="email-hint">' +
    '<button type="submit">Email me a link</button></form></section>'
  );
}

/** The page for a request the billing page refuses, with the link-request form. */
export function renderAccessPage(problem: AccessProblem): string {
  const { title, text } = PROBLEMS[problem];
  return renderPage({
    title,
    heading: title,
    body:
      `<section aria-labelledby="problem-title" data-problem="${problem}">` +
      `<h2 id="problem-title">What to do</h2><p>${escapeHtml(text)}</p></section>` +
      linkRequestForm(),
  });
}

/** The link-request form on its own page. */
export function renderLinkRequestPage(error: string | null = null): string {
  return renderPage({
    title: 'Get a billing link',
    heading: 'Get a link to your billing page',
    body:
      (error
        ? `<section class="warning" role="alert"><p class="error">${escapeHtml(error)}</p></section>`
        : '') + linkRequestForm(),
  });
}

/** The answer to every link request, sent or not. */
export function renderLinkRequestedPage(): string {
  return renderPage({
    title: 'Check your email',
    heading: 'Check your email',
    body:
      '<section aria-labelledby="sent-title" data-link-requested>' +
      '<h2 id="sent-title">If the address is ours, a link is on its way</h2>' +
      '<p>If that address receives billing emails for an account, we have sent it a new link to ' +
      'the billing page. It can take a few minutes to arrive. Links work for a limited time.</p>' +
      '</section>',
  });
}

/** A page for a request the server could not answer now (the billing engine is unreachable). */
export function renderUnavailablePage(): string {
  return renderPage({
    title: 'Billing is unavailable',
    heading: 'Billing figures are unavailable right now',
    body:
      '<section aria-labelledby="unavailable-title"><h2 id="unavailable-title">Please try again</h2>' +
      '<p>We could not read your figures just now. Reload the page in a minute.</p></section>',
  });
}

/** A page for a refused form post (a missing or stale CSRF token). */
export function renderForbiddenFormPage(accountPath: string): string {
  return renderPage({
    title: 'Form expired',
    heading: 'This form has expired',
    body:
      '<section aria-labelledby="form-title" data-problem="csrf"><h2 id="form-title">Nothing was changed</h2>' +
      `<p>The form was not sent from your current billing page. <a href="${escapeHtml(accountPath)}">` +
      'Open the billing page again</a> and repeat what you were doing.</p></section>',
  });
}
