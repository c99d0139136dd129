/**
 * The billing page's failures reach the request's logger (the edge's log): a link email the SMTP
 * server refused, a purchase the workflow could not take. The lines name what failed and the
 * account, and carry no secret: not the link key, the link's signature, the session or its token.
 */
import fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountWorkflowClient } from '../../../client/account-workflow-client.js';
import { insertAccountOnce } from '../../../db/repositories/accounts.js';
import { insertPlanOnce } from '../../../db/repositories/plans.js';
import type { Mailer } from '../../../mail/mailer.js';
import { waitUntil } from '../../../scripts/stack/managed-process.js';
import { billingPagePlugin } from '../../../web/billing-page/plugin.js';
import { createSession, csrfToken } from '../../../web/billing-page/session.js';
import { useTestDatabase } from '../../harness/stack.js';

const database = useTestDatabase('page-error-logs');
const secret = 'page-error-logs-secret-of-at-least-32-chars';
const accountId = 'page-logs-acme';
const contact = 'contact@page-logs.example';
const lines: string[] = [];
let app: FastifyInstance;

const unreachable = {
  purchaseCredits: () => Promise.reject(new Error('workflow unreachable: deadline exceeded')),
} as unknown as AccountWorkflowClient;

const refusingMailer: Mailer = {
  send: () => Promise.reject(new Error('550 relay refused')),
  verify: () => Promise.resolve(),
  close: () => undefined,
};

beforeAll(async () => {
  await insertPlanOnce(database.db, { id: 'logs-plan', name: 'Logs', definition: {} });
  await insertAccountOnce(database.db, {
    id: accountId,
    time_zone: 'UTC',
    created_at: new Date(),
    billing_anchor: null,
    grace_seconds: 0,
    max_late_seconds: 0,
    plan_id: 'logs-plan',
    billing_emails: [contact],
  });
  app = fastify({ logger: { level: 'info', stream: { write: (line) => lines.push(line) } } });
  await app.register(billingPagePlugin, {
    billing: unreachable,
    db: database.db,
    links: {
      secret,
      secretIsDevDefault: false,
      ttlSeconds: 3600,
      publicBaseUrl: 'http://127.0.0.1:3000',
    },
    mailer: refusingMailer,
    messageIdDomain: 'test.local',
  });
});

afterAll(async () => {
  await app?.close();
});

function expectNoSecrets(line: string, ...values: string[]): void {
  for (const value of [secret, 'sig=', ...values]) expect(line).not.toContain(value);
}

describe('billing page errors in the log', () => {
  it('logs a link email the SMTP server refused', async () => {
    const answer = await app.inject({
      method: 'POST',
      url: '/billing/link-requests',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${encodeURIComponent(contact)}`,
    });
    expect(answer.statusCode).toBe(200);
    await waitUntil(() => Promise.resolve(lines.some((l) => l.includes('link email failed'))), {
      what: 'the link email failure logged',
      timeoutMs: 10_000,
    });
    const line = lines.find((l) => l.includes('link email failed'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 40, err: { message: '550 relay refused' } });
    expectNoSecrets(line);
  });

  it('logs a purchase the workflow could not take, with the account', async () => {
    const session = createSession(accountId, Date.now() + 3_600_000, [secret]);
    const token = csrfToken(session, [secret]);
    const answer = await app.inject({
      method: 'POST',
      url: `/billing/${accountId}/purchases`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `billing_session=${session.value}`,
      },
      payload: new URLSearchParams({
        csrf: token,
        purchaseId: 'web-purchase-logs-1',
        credits: '5',
      }).toString(),
    });
    expect(answer.statusCode).toBe(503);
    const line = lines.find((l) => l.includes('purchase failed'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({
      level: 40,
      accountId,
      err: { message: 'workflow unreachable: deadline exceeded' },
    });
    expectNoSecrets(line!, session.value, token);
  });
});
