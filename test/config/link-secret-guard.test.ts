import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/config.js';
import { assertEdgeLinkSecret } from '../../config/link-secret-guard.js';

const realKey = 'a-real-link-secret-of-at-least-32-chars';

describe('the public development link key', () => {
  it('is refused by the edge listening beyond loopback, naming the variable', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'billing.internal']) {
      expect(() => assertEdgeLinkSecret(parseConfig({ HTTP_HOST: host })), host).toThrow(
        /BILLING_LINK_SECRET: required when HTTP_HOST is not a loopback address/,
      );
    }
    // Given explicitly, it is the same public key.
    expect(() =>
      assertEdgeLinkSecret(
        parseConfig({
          HTTP_HOST: '0.0.0.0',
          BILLING_LINK_SECRET: 'local-development-only-billing-link-secret',
        }),
      ),
    ).toThrow(/BILLING_LINK_SECRET/);
  });

  it('is accepted on loopback (the local stack), and a real key anywhere', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) {
      expect(() => assertEdgeLinkSecret(parseConfig({ HTTP_HOST: host })), host).not.toThrow();
    }
    expect(() =>
      assertEdgeLinkSecret(parseConfig({ HTTP_HOST: '0.0.0.0', BILLING_LINK_SECRET: realKey })),
    ).not.toThrow();
  });

  it('is never accepted as a previous key during a rotation', () => {
    expect(() =>
      parseConfig({
        BILLING_LINK_SECRET: realKey,
        BILLING_LINK_PREVIOUS_SECRETS: 'local-development-only-billing-link-secret',
      }),
    ).toThrow(/BILLING_LINK_PREVIOUS_SECRETS: the public development key is never accepted/);
  });

  it('is refused by every process (the worker signs links) when PUBLIC_BASE_URL is not local', () => {
    expect(() => parseConfig({ PUBLIC_BASE_URL: 'http://billing.example.com' })).toThrow(
      /BILLING_LINK_SECRET: required when PUBLIC_BASE_URL is not a local address/,
    );
    expect(parseConfig({ PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }).links.secretIsDevDefault).toBe(
      true,
    );
  });
});
