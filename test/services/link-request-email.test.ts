import { describe, expect, it } from 'vitest';
import { LINK_REQUEST_BUCKET_MS, linkRequestEmail } from '../../services/link-request-email.js';
import { billingLinkParts, verifyBillingLink } from '../../links/signed-link.js';

const links = {
  secret: 'test-secret-of-at-least-thirty-two-characters',
  ttlSeconds: 86_400,
  publicBaseUrl: 'https://billing.example.com',
};
const now = Date.parse('2026-11-25T10:07:00Z');

function email(at = now, address = 'ops@acme.example') {
  return linkRequestEmail({
    accountId: 'acme',
    email: address,
    timeZone: 'Europe/Berlin',
    now: at,
    links,
    messageIdDomain: 'billing.example.com',
  });
}

describe('the link email', () => {
  it('carries a link that opens the account until a day after its time bucket began', () => {
    const message = email();
    const bucketStart = Date.parse('2026-11-25T10:00:00Z');
    expect(message.expiresAt).toBe(bucketStart + 86_400_000);
    expect(verifyBillingLink(billingLinkParts(message.url), links.secret, now)).toEqual({
      ok: true,
      accountId: 'acme',
      expiresAt: message.expiresAt,
    });
    expect(message.text).toContain(message.url);
    expect(message.html).toContain(message.url.replace(/&/g, '&amp;'));
    expect(message.subject).toBe('Your billing page link for account acme');
  });

  it('is the same message within a bucket and a new one after it, or for another address', () => {
    const first = email();
    expect(email(now + 60_000)).toEqual(first);
    const later = email(now + LINK_REQUEST_BUCKET_MS);
    expect(later.messageId).not.toBe(first.messageId);
    expect(later.url).not.toBe(first.url);
    expect(email(now, 'finance@acme.example').messageId).not.toBe(first.messageId);
    expect(first.messageId).toMatch(
      /^<billing-link\.acme\.ops=40acme=2eexample\.\d+@billing\.example\.com>$/,
    );
  });
});
