import { describe, expect, it } from 'vitest';
import { billingLinkParts, signBillingLink, verifyBillingLink } from '../../links/signed-link.js';

const secret = 'test-secret-of-at-least-thirty-two-characters';
const base = 'https://billing.example.com';
const now = Date.parse('2026-11-25T10:00:00Z');
const inADay = now + 86_400_000;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The signature with its last character's lowest bit (a padding bit) flipped: same bytes. */
function respelt(sig: string): string {
  const last = BASE64URL.indexOf(sig.at(-1)!);
  const other = sig.slice(0, -1) + BASE64URL[last ^ 1]!;
  expect(Buffer.from(other, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
  return other;
}

function link(accountId = 'acme', expiresAt = inADay, key = secret): string {
  return signBillingLink({ baseUrl: base, accountId, expiresAt, secret: key });
}

describe('signed billing links', () => {
  it('opens the account it names until it expires', () => {
    const url = link();
    expect(url).toMatch(/^https:\/\/billing\.example\.com\/billing\/acme\?expires=\d+&sig=/);
    expect(verifyBillingLink(billingLinkParts(url), secret, now)).toEqual({
      ok: true,
      accountId: 'acme',
      expiresAt: Math.floor(inADay / 1000) * 1000,
    });
  });

  it('is the same link for the same inputs (a resent email carries the same one)', () => {
    expect(link()).toBe(link());
    expect(
      signBillingLink({ baseUrl: `${base}/`, accountId: 'acme', expiresAt: inADay, secret }),
    ).toBe(link());
  });

  it('refuses a link past its expiry, to the second', () => {
    const url = link('acme', now + 1000);
    expect(verifyBillingLink(billingLinkParts(url), secret, now + 999).ok).toBe(true);
    expect(verifyBillingLink(billingLinkParts(url), secret, now + 1000)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses another account, a later expiry and another key as tampering', () => {
    const parts = billingLinkParts(link('acme'));
    expect(verifyBillingLink({ ...parts, accountId: 'globex' }, secret, now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const later = String(Number(parts.expires) + 86_400);
    expect(verifyBillingLink({ ...parts, expires: later }, secret, now).ok).toBe(false);
    expect(verifyBillingLink(parts, 'another-secret-of-at-least-thirty-two-chars', now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    // An expired link with a forged expiry still reads as tampering, not as expired.
    const old = billingLinkParts(link('acme', now - 1000));
    expect(verifyBillingLink({ ...old, expires: later }, secret, now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('accepts the previous key while keys rotate', () => {
    const parts = billingLinkParts(
      link('acme', inADay, 'old-secret-of-at-least-thirty-two-characters'),
    );
    const keys = [secret, 'old-secret-of-at-least-thirty-two-characters'];
    expect(verifyBillingLink(parts, keys, now).ok).toBe(true);
    expect(verifyBillingLink(parts, [secret], now).ok).toBe(false);
  });

  it('calls anything that is not a link malformed', () => {
    const good = billingLinkParts(link());
    for (const parts of [
      {},
      { ...good, sig: undefined },
      { ...good, sig: 'short' },
      // The same bytes spelt with a non-zero padding bit in the last character.
      { ...good, sig: respelt(good.sig!) },
      { ...good, expires: '-5' },
      { ...good, expires: '1e9' },
      { ...good, accountId: '' },
      billingLinkParts('/billing/%E0%A4%A?expires=1&sig=x'),
      billingLinkParts('/elsewhere/acme?expires=1&sig=x'),
    ]) {
      expect(verifyBillingLink(parts, secret, now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('escapes account ids in the path and reads them back', () => {
    const url = link('team:eu.1');
    expect(url).toContain('/billing/team%3Aeu.1?');
    expect(verifyBillingLink(billingLinkParts(url), secret, now)).toMatchObject({
      ok: true,
      accountId: 'team:eu.1',
    });
  });
});
