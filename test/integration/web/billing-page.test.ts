/**
 * The billing section end to end: the plugin on a Fastify server of this test's own, a worker on
 * the harness's Temporal and PostgreSQL, link emails through Mailpit, and the page in headless
 * Chromium (screenshots in screenshots/billing-page/, git-ignored). The refusals are plain HTTP.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastify, { type FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSmtpMailer, type Mailer } from '../../../mail/mailer.js';
import { formatCreditAmount, formatDaysUntil, formatPercent } from '../../../format/numbers.js';
import { waitUntil } from '../../../scripts/stack/managed-process.js';
import { freePort } from '../../../scripts/stack/ports.js';
import type { UsageReply } from '../../../contract/usage-reply.js';
import { billingPagePlugin } from '../../../web/billing-page/plugin.js';
import { signBillingLink } from '../../../links/signed-link.js';
import {
  completedCall,
  growthPlan,
  uniqueAccountId,
  waitForUsage,
} from '../../harness/accounts.js';
import { axeViolations, launchChromium, skipWithoutChromium } from '../../harness/browser.js';
import { messagesTo, uniqueRecipient, type ReceivedMessage } from '../../harness/mailbox.js';
import { useStack } from '../../harness/stack.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const screenshots = join(root, 'screenshots', 'billing-page');
const skipBrowser = skipWithoutChromium('billing-page.test.ts');
const secret = 'billing-page-test-secret-of-at-least-32-chars';

const bed = useStack('billing-page', { workers: { running: true }, plans: [growthPlan] });
let app: FastifyInstance;
let mailer: Mailer;
let base: string;
const acme = uniqueAccountId('page-acme');
const globex = uniqueAccountId('page-globex');
const acmeContact = uniqueRecipient('page-acme');

function linkFor(accountId: string, expiresAt = Date.now() + 3_600_000): string {
  return signBillingLink({ baseUrl: base, accountId, expiresAt, secret });
}

/** Follows a signed link without a browser: the session cookie it sets. */
async function sessionCookie(link: string): Promise<string> {
  const response = await fetch(link, { redirect: 'manual' });
  expect(response.status).toBe(303);
  const cookie = response.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0]!;
}

async function get(path: string, cookie?: string): Promise<Response> {
  return fetch(`${base}${path}`, {
    redirect: 'manual',
    headers: cookie === undefined ? {} : { cookie },
  });
}

async function post(path: string, form: Record<string, string>, cookie?: string) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie === undefined ? {} : { cookie }),
    },
    body: new URLSearchParams(form).toString(),
  });
}

/** The value of a hidden input in a page's HTML. */
function hidden(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  if (value === undefined) throw new Error(`no hidden ${name} in the page`);
  return value;
}

beforeAll(async () => {
  const createdAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
  for (const id of [acme, globex]) {
    await bed.provisioning.createAccount({
      id,
      planId: 'growth',
      timeZone: 'Europe/Berlin',
      createdAt,
      billingEmails: id === acme ? [acmeContact] : [],
    });
  }
  // Three calls over the last days: 2 + 3 + 4 minutes = 9 of the 10 credits.
  await bed.billing.recordCalls(acme, [
    completedCall(acme, 120, { agoMs: 2 * 86_400_000 }),
    completedCall(acme, 180, { agoMs: 86_400_000 }),
    completedCall(acme, 240),
  ]);
  await waitForUsage(bed.billing, acme, (u) => u.cycle.usedMillicredits === '9000', 'acme used 9');
  await waitForUsage(bed.billing, globex, () => true, 'globex loaded');

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  mailer = createSmtpMailer({ url: inject('smtpUrl'), from: 'Billing <billing@test.local>' });
  app = fastify();
  await app.register(billingPagePlugin, {
    billing: bed.billing,
    db: bed.database.db,
    links: { secret, secretIsDevDefault: false, ttlSeconds: 3600, publicBaseUrl: base },
    mailer,
    messageIdDomain: 'test.local',
  });
  await app.listen({ host: '127.0.0.1', port });
});

afterAll(async () => {
  await app?.close();
  mailer?.close();
});

describe.skipIf(skipBrowser)('the billing page in headless Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    browser = await launchChromium();
    // The page forbids scripts by its CSP; axe-core is injected by the test only.
    context = await browser.newContext({ bypassCSP: true, viewport: { width: 1000, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
  });

  const figure = (page: Page, key: string) =>
    page.locator(`[data-figure="${key}"] dd`).first().innerText();

  async function expectFigures(page: Page, usage: UsageReply): Promise<void> {
    const c = usage.cycle;
    expect(await figure(page, 'used')).toBe(formatCreditAmount(c.usedMillicredits));
    expect(await figure(page, 'remaining')).toBe(formatCreditAmount(c.remainingMillicredits));
    expect(await figure(page, 'percent')).toBe(formatPercent(c.percentUsed));
    expect(await figure(page, 'available')).toMatch(
      new RegExp(`^${formatCreditAmount(c.availableMillicredits)}\\b`),
    );
    expect(await figure(page, 'purchased')).toBe(formatCreditAmount(c.purchasedMillicredits));
    expect(await figure(page, 'reset')).toMatch(
      new RegExp(`^${formatDaysUntil(c.daysUntilReset)}`),
    );
    expect(await figure(page, 'average')).toBe(
      formatCreditAmount(usage.insights.averageDailyMillicredits),
    );
  }

  it('opens from a signed link, shows the usage numbers, buys credits and cancels a recurring one', async () => {
    const page = await context.newPage();
    try {
      const response = await page.goto(linkFor(acme));
      expect(response?.status()).toBe(200);
      // The token left the address bar.
      expect(page.url()).toBe(`${base}/billing/${acme}`);
      const [cookie] = await context.cookies(`${base}/billing/${acme}`);
      expect(cookie).toMatchObject({
        name: 'billing_session',
        httpOnly: true,
        sameSite: 'Lax',
        path: '/billing',
      });

      const before = await bed.billing.usage(acme);
      await expectFigures(page, before);
      expect(await page.locator('svg[role="img"] rect[data-day]').count()).toBe(
        before.insights.daily.length,
      );
      expect(await page.locator('svg[role="img"] title').textContent()).toContain('Credits used');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(screenshots, 'page.png'), fullPage: true });

      // A recurring purchase of 5 credits: the notice shows the balance the update returned.
      await page.getByLabel('Credits to buy').fill('5');
      await page.getByLabel(/Buy this amount again at every reset/).check();
      await page.getByRole('button', { name: 'Buy credits' }).click();
      await page.waitForURL(/\?purchased=web-purchase-/);
      const bought = await bed.billing.usage(acme);
      expect(BigInt(bought.cycle.purchasedMillicredits)).toBe(
        BigInt(before.cycle.purchasedMillicredits) + 5000n,
      );
      expect(await page.locator('[data-balance]').innerText()).toBe(
        formatCreditAmount(bought.cycle.remainingMillicredits),
      );
      expect(bought.cycle.remainingMillicredits).not.toBe(before.cycle.remainingMillicredits);
      await expectFigures(page, bought);
      expect(bought.recurringPurchases).toHaveLength(1);
      const recurringId = bought.recurringPurchases[0]!.purchaseId;
      await expect(page.locator(`tr[data-recurring="${recurringId}"]`).count()).resolves.toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(screenshots, 'purchased.png'), fullPage: true });

      // A refresh of the purchase (the same purchase id posted again) replays it: nothing added.
      const cookies = (await context.cookies(`${base}/billing/${acme}`))
        .map((c) => `${c.name}=${c.value}`)
        .join('; ');
      const replay = await post(
        `/billing/${acme}/purchases`,
        {
          csrf: hidden(await page.content(), 'csrf'),
          purchaseId: recurringId,
          credits: '5',
          recurring: 'yes',
        },
        cookies,
      );
      expect(replay.status).toBe(303);
      expect((await bed.billing.usage(acme)).cycle.purchasedMillicredits).toBe(
        bought.cycle.purchasedMillicredits,
      );

      // An amount the billing core's parser refuses is an inline error; nothing is bought.
      await page.getByLabel('Credits to buy').fill('12,5');
      await page.getByRole('button', { name: 'Buy credits' }).click();
      await expect(page.locator('#credits-error').innerText()).resolves.toMatch(
        /such as 100 or 12\.5/,
      );
      expect(await page.getByLabel('Credits to buy').getAttribute('aria-invalid')).toBe('true');

      // Cancel the recurring purchase.
      await page.getByRole('button', { name: `Cancel recurring purchase ${recurringId}` }).click();
      await page.waitForURL(/\?cancelled=web-cancel-/);
      expect(await page.locator('[data-notice="cancelled"]').innerText()).toContain('is cancelled');
      const cancelled = await bed.billing.usage(acme);
      expect(cancelled.recurringPurchases).toEqual([]);
      expect(await page.locator('tr[data-recurring]').count()).toBe(0);
      // Credits already added stay in this cycle.
      expect(cancelled.cycle.purchasedMillicredits).toBe(bought.cycle.purchasedMillicredits);
    } finally {
      await page.close();
    }
  });

  it('fits a phone-sized screen and passes axe-core there', async () => {
    const phone = await browser.newContext({
      bypassCSP: true,
      viewport: { width: 390, height: 800 },
    });
    try {
      const page = await phone.newPage();
      await page.goto(linkFor(acme));
      const scrollWidth = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
            .document.documentElement.scrollWidth,
      );
      expect(scrollWidth).toBeLessThanOrEqual(390);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(screenshots, 'phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('opens the billing page from a link clicked on another site (webmail)', async () => {
    // localhost and 127.0.0.1 are different sites for SameSite: this page stands in for webmail.
    const webmail = fastify();
    webmail.get('/inbox', (_request, reply) =>
      reply
        .type('text/html')
        .send(
          `<!doctype html><title>Inbox</title><a href="${linkFor(acme)}">Your billing page</a>`,
        ),
    );
    const port = await freePort();
    await webmail.listen({ host: '127.0.0.1', port });
    const fresh = await browser.newContext();
    try {
      const page = await fresh.newPage();
      await page.goto(`http://localhost:${port}/inbox`);
      await page.getByRole('link', { name: 'Your billing page' }).click();
      await page.waitForURL(`${base}/billing/${acme}`);
      expect(await page.locator('h1').innerText()).not.toMatch(/Sign in/i);
      await expectFigures(page, await bed.billing.usage(acme));
    } finally {
      await fresh.close();
      await webmail.close();
    }
  });

  it('shows the refusal page with the link-request form, accessibly', async () => {
    const page = await context.newPage();
    try {
      const response = await page.goto(linkFor(acme, Date.now() - 1000));
      expect(response?.status()).toBe(410);
      expect(await page.locator('h1').innerText()).toBe('This link has expired');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(screenshots, 'expired.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});

describe('refusals', () => {
  it('sets a Lax, HttpOnly session cookie that ends no later than the link', async () => {
    const expiresAt = Date.now() + 600_000;
    const response = await fetch(linkFor(acme, expiresAt), { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/billing/${acme}`);
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/; Path=\/billing; Max-Age=\d+; SameSite=Lax; HttpOnly$/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie)![1]);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(maxAge).toBeGreaterThan(500);
  });

  it("refuses another account's session on every page and action, revealing nothing", async () => {
    const globexCookie = await sessionCookie(linkFor(globex));
    const own = await get(`/billing/${globex}`, globexCookie);
    expect(own.status).toBe(200);
    const csrf = hidden(await own.text(), 'csrf');
    const page = await get(`/billing/${acme}`, globexCookie);
    expect(page.status).toBe(403);
    const body = await page.text();
    expect(body).not.toContain('data-figure');
    // The same page whatever the other account is, existing or not.
    const missing = await get(`/billing/${uniqueAccountId('nobody')}`, globexCookie);
    expect(missing.status).toBe(403);
    expect(await missing.text()).toBe(body);
    const before = (await bed.billing.usage(acme)).cycle.purchasedMillicredits;
    const buy = await post(
      `/billing/${acme}/purchases`,
      { csrf, purchaseId: 'web-foreign-1', credits: '5' },
      globexCookie,
    );
    expect(buy.status).toBe(403);
    const cancel = await post(
      `/billing/${acme}/purchases/anything/cancel`,
      { csrf, requestId: 'web-foreign-2' },
      globexCookie,
    );
    expect(cancel.status).toBe(403);
    expect((await bed.billing.usage(acme)).cycle.purchasedMillicredits).toBe(before);
  });

  it('refuses an expired link (410), a tampered one (403) and no session (401)', async () => {
    const expired = await fetch(linkFor(acme, Date.now() - 1000), { redirect: 'manual' });
    expect(expired.status).toBe(410);
    expect(expired.headers.get('set-cookie')).toBeNull();
    expect(await expired.text()).toContain('action="/billing/link-requests"');

    const good = new URL(linkFor(acme));
    const otherAccount = new URL(good);
    otherAccount.pathname = `/billing/${globex}`;
    const laterExpiry = new URL(good);
    laterExpiry.searchParams.set('expires', String(Number(good.searchParams.get('expires')) + 60));
    const badSig = new URL(good);
    badSig.searchParams.set('sig', linkFor(globex).split('sig=')[1]!);
    for (const tampered of [otherAccount, laterExpiry, badSig]) {
      const response = await fetch(tampered, { redirect: 'manual' });
      expect(response.status, tampered.toString()).toBe(403);
      expect(response.headers.get('set-cookie')).toBeNull();
    }
    const none = await get(`/billing/${acme}`);
    expect(none.status).toBe(401);
    expect(await none.text()).toContain('Sign in with your billing link');
    const forged = await get(`/billing/${acme}`, `billing_session=${'x'.repeat(40)}`);
    expect(forged.status).toBe(401);
  });

  it('refuses a post without a valid CSRF token, changing nothing', async () => {
    const cookie = await sessionCookie(linkFor(acme));
    const html = await (await get(`/billing/${acme}`, cookie)).text();
    const csrf = hidden(html, 'csrf');
    const before = (await bed.billing.usage(acme)).cycle.purchasedMillicredits;
    const missing = await post(
      `/billing/${acme}/purchases`,
      { purchaseId: 'web-nocsrf-1', credits: '5' },
      cookie,
    );
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('This form has expired');
    // A token of another session of the same account is no good either.
    const otherSession = await sessionCookie(linkFor(acme));
    const stale = await post(
      `/billing/${acme}/purchases`,
      { csrf, purchaseId: 'web-nocsrf-2', credits: '5' },
      otherSession,
    );
    expect(stale.status).toBe(403);
    expect((await bed.billing.usage(acme)).cycle.purchasedMillicredits).toBe(before);
    // The same form with its token goes through.
    const ok = await post(
      `/billing/${acme}/purchases`,
      { csrf, purchaseId: 'web-withcsrf-1', credits: '1' },
      cookie,
    );
    expect(ok.status).toBe(303);
    expect(BigInt((await bed.billing.usage(acme)).cycle.purchasedMillicredits)).toBe(
      BigInt(before) + 1000n,
    );
  });
});

/** The link emails `acmeContact` received (receipts and alerts go there too), once `count` are in. */
async function linkEmails(count: number): Promise<ReceivedMessage[]> {
  let links: ReceivedMessage[] = [];
  await waitUntil(
    async () => {
      links = (await messagesTo(acmeContact)).filter((m) =>
        m.subject.startsWith('Your billing page link'),
      );
      return links.length >= count;
    },
    { what: `${count} link email(s) to ${acmeContact}`, timeoutMs: 15_000 },
  );
  return links;
}

describe('a new link by email', () => {
  it('emails a billing contact a working link, and answers any address the same way', async () => {
    const sent = await post('/billing/link-requests', { email: acmeContact });
    expect(sent.status).toBe(200);
    const sentPage = await sent.text();
    const unknown = await post('/billing/link-requests', { email: uniqueRecipient('nobody') });
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toBe(sentPage);

    const [linkEmail] = await linkEmails(1);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/billing\/\S+)/.exec(linkEmail!.text)![1]!;
    const cookie = await sessionCookie(link);
    const page = await get(`/billing/${acme}`, cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-figure="used"');

    // Asked again at once: the same message (its Message-ID), so receivers drop the copy.
    await post('/billing/link-requests', { email: acmeContact });
    const links = await linkEmails(2);
    expect(links.map((m) => m.messageId)).toEqual([linkEmail!.messageId, linkEmail!.messageId]);
  });

  it('refuses a link request posted from another site', async () => {
    const response = await fetch(`${base}/billing/link-requests`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
      },
      body: `email=${encodeURIComponent(acmeContact)}`,
    });
    expect(response.status).toBe(403);
  });
});

describe('on the edge server', () => {
  it('keeps its form parser and headers to its own routes', async () => {
    const edge = fastify();
    // An edge route that reads forms its own way (a telephony webhook, say).
    edge.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => done(null, { raw: body }),
    );
    edge.post('/webhook', (request) => request.body);
    await edge.register(billingPagePlugin, {
      billing: bed.billing,
      db: bed.database.db,
      links: { secret, secretIsDevDefault: false, ttlSeconds: 3600, publicBaseUrl: base },
      mailer,
      messageIdDomain: 'test.local',
    });
    try {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const webhook = await edge.inject({
        method: 'POST',
        url: '/webhook',
        headers: form,
        payload: 'a=1',
      });
      expect(webhook.json()).toEqual({ raw: 'a=1' });
      expect(webhook.headers['content-security-policy']).toBeUndefined();
      const bad = await edge.inject({
        method: 'POST',
        url: '/billing/link-requests',
        headers: form,
        payload: 'email=not-an-address',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('Enter an email address');
      expect(bad.headers['content-security-policy']).toContain("default-src 'none'");
    } finally {
      await edge.close();
    }
  });
});
