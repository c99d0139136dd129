import { describe, expect, it } from 'vitest';
import { serializeCookie } from '../../../web/billing-page/cookies.js';
import { sessionCookie } from '../../../web/billing-page/session-cookie.js';

describe('the session cookie', () => {
  it('is Lax, so a link opened from webmail (another site) keeps its session', () => {
    for (const secure of [false, true]) {
      expect(sessionCookie(secure).attributes).toMatchObject({ sameSite: 'Lax', httpOnly: true });
    }
  });

  it('takes the __Host- prefix over https: Secure, Path=/, no Domain', () => {
    const { name, attributes } = sessionCookie(true);
    const header = serializeCookie(name, 'v', { ...attributes, maxAge: 60 });
    expect(header).toBe(
      '__Host-billing_session=v; Path=/; Max-Age=60; SameSite=Lax; HttpOnly; Secure',
    );
    expect(header).not.toMatch(/Domain=/i);
  });

  it('keeps the plain name and the /billing path over http, where __Host- cannot be set', () => {
    expect(sessionCookie(false)).toMatchObject({
      name: 'billing_session',
      attributes: { path: '/billing', secure: false },
    });
  });
});
