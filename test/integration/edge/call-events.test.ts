/**
 * POST /v1/call-events through the edge built in this process, listening on a free port, in front
 * of the harness's Temporal server and PostgreSQL and a worker process (which one test stops).
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInstant } from '../../../billing/units.js';
import { AccountWorkflowClient } from '../../../client/account-workflow-client.js';
import { createDb } from '../../../db/connection.js';
import { migrateToLatest } from '../../../db/migrate.js';
import { revokeApiKey } from '../../../db/repositories/api-keys.js';
import { countCalls, listRejections } from '../../../db/repositories/calls.js';
import { generateApiKey } from '../../../edge/api-key.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { buildEdgeServer } from '../../../edge/server.js';
import { startProcess, waitUntil } from '../../../scripts/stack/managed-process.js';
import { freePort } from '../../../scripts/stack/ports.js';
import { childEnvironment } from '../../../config/config.js';
import { createLogger } from '../../../logging/logger.js';
import {
  completedCall,
  expectedMillicredits,
  growthPlan,
  waitForUsage,
} from '../../harness/accounts.js';
import { createTestDatabase } from '../../harness/database.js';
import { accountWithKey } from '../../harness/edge.js';
import { useStack } from '../../harness/stack.js';
import type { WorkerProcess } from '../../harness/workers.js';

const UPDATE_TIMEOUT_MS = 3_000;
const BODY_LIMIT = 65_536;

const bed = useStack('edge', { plans: [growthPlan] });
let worker: WorkerProcess;
let edge: FastifyInstance;
let base: string;
const edgeMetrics = createEdgeMetrics();

/** An account on the `growth` plan with a live API key (the edge tests' shared helper). */
const newAccount = (name: string) => accountWithKey(bed, name);

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function post(
  key: string | null,
  body: unknown,
  raw?: string,
  contentType: string | null = 'application/json',
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (contentType !== null) headers['content-type'] = contentType;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${base}/v1/call-events`, {
    method: 'POST',
    headers,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as Record<string, unknown>,
    text,
  };
}

const outcomesOf = (answer: Answer) =>
  (answer.body.outcomes as { outcome: string; reason?: string }[]).map((o) =>
    o.outcome === 'rejected' ? `rejected:${o.reason}` : o.outcome,
  );

beforeAll(async () => {
  worker = await bed.startWorkerProcess('edge-worker');
  edge = await buildEdgeServer({
    billing: bed.billing,
    db: bed.database.db,
    config: {
      ...bed.config.edge,
      bodyLimitBytes: BODY_LIMIT,
      updateTimeoutMs: UPDATE_TIMEOUT_MS,
      updatesInFlightPerAccount: 2,
    },
    logger: createLogger('ERROR'),
    metrics: edgeMetrics,
  });
  await edge.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(edge.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await edge?.close();
});

describe('POST /v1/call-events', () => {
  it('answers each event of a mixed batch and counts each call once, twice posted', async () => {
    const acme = await newAccount('acme');
    const other = await newAccount('other');
    const first = completedCall(acme.id, 120);
    const second = completedCall(acme.id, 45);
    const conflicting = {
      ...first,
      endedAt: formatInstant(Date.parse(String(first.endedAt)) + 1000),
    };
    const events = [
      first,
      second,
      { ...first, holdSeconds: 0 }, // the same call with a default spelled out
      conflicting,
      { ...completedCall(acme.id, 30), endedAt: 'yesterday' },
      { ...completedCall(acme.id, 30), answeredAt: formatInstant(Date.now() + 3_600_000) },
      { ...completedCall(acme.id, 30), padding: 'x'.repeat(40_000) },
      completedCall(other.id, 60),
    ];
    const expected = [
      'accepted',
      'accepted',
      'duplicate',
      'rejected:conflicting_duplicate',
      'rejected:invalid_event',
      'rejected:ended_before_answered',
      'rejected:event_too_large',
      'rejected:account_mismatch',
    ];

    const answer = await post(acme.key, { events });
    expect(answer.status).toBe(200);
    expect(outcomesOf(answer)).toEqual(expected);
    // The event of the other account is refused without naming it.
    expect(answer.text).not.toContain(other.id);

    const credits = expectedMillicredits(acme.id, [first, second]).toString();
    await waitForUsage(bed.billing, acme.id, (u) => u.cycle.usedMillicredits === credits, 'usage');
    expect(await countCalls(bed.database.db, acme.id)).toBe(2);
    const reasons = async () =>
      (await listRejections(bed.database.db, acme.id)).map((r) => r.reason).sort();
    const rejectedOnce = [
      'account_mismatch',
      'conflicting_duplicate',
      'ended_before_answered',
      'event_too_large',
      'invalid_event',
    ];
    expect(await reasons()).toEqual(rejectedOnce);

    // The same batch again: the accepted calls are duplicates now; nothing is counted twice.
    const again = await post(acme.key, { events });
    expect(again.status).toBe(200);
    expect(outcomesOf(again)).toEqual(['duplicate', 'duplicate', ...expected.slice(2)]);
    const usage = await bed.billing.usage(acme.id);
    expect(usage.cycle.usedMillicredits).toBe(credits);
    expect(usage.pendingEvents).toBe(0);
    expect(await countCalls(bed.database.db, acme.id)).toBe(2);
    // The edge's own rejections of the same request are recorded once; the workflow records
    // each delivery of the events it rejects.
    expect(await reasons()).toEqual(
      [...rejectedOnce, 'conflicting_duplicate', 'ended_before_answered'].sort(),
    );
    // Nothing reached the other account.
    expect(await countCalls(bed.database.db, other.id)).toBe(0);
    expect(await listRejections(bed.database.db, other.id)).toEqual([]);
  });

  it('takes a single event, and many requests at once beyond the updates in flight', async () => {
    const acme = await newAccount('many');
    const single = completedCall(acme.id, 61);
    const one = await post(acme.key, single);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ outcomes: [{ callId: single.callId, outcome: 'accepted' }] });

    const batches = Array.from({ length: 8 }, () =>
      Array.from({ length: 25 }, () => completedCall(acme.id, 30)),
    );
    const answers = await Promise.all(batches.map((events) => post(acme.key, { events })));
    expect(answers.map((a) => a.status)).toEqual(batches.map(() => 200));
    for (const a of answers) expect(new Set(outcomesOf(a))).toEqual(new Set(['accepted']));
    expect(await countCalls(bed.database.db, acme.id)).toBe(201);

    const metrics = await edgeMetrics.registry.metrics();
    expect(metrics).toMatch(/^edge_call_event_outcomes_total\{outcome="accepted",reason=""\} \d+/m);
    expect(metrics).toMatch(/^edge_record_calls_in_flight 0$/m);
    // The Node.js process too (prom-client's default metrics, in the edge's own registry).
    expect(metrics).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(metrics).toMatch(
      /^edge_http_request_duration_seconds_bucket\{le="\+Inf",route="\/v1\/call-events"\} \d+/m,
    );
    expect(metrics).toMatch(
      /^edge_http_requests_total\{route="\/v1\/call-events",method="POST",status="200"\} \d+/m,
    );
  });

  it('refuses a wrong key, another account, an oversized body and malformed JSON', async () => {
    const acme = await newAccount('refused');
    const other = await newAccount('victim');
    const event = completedCall(acme.id, 60);

    for (const key of [
      null,
      'not-a-key',
      acme.key.slice(0, -1) + (acme.key.endsWith('A') ? 'B' : 'A'),
    ]) {
      const answer = await post(key, event);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.body.error).toBe('unauthorized');
      expect(String(answer.body.message)).toMatch(/API key|Bearer/);
    }

    // Keys of the other account stay its own: an acme event sent with it is refused, unnamed.
    const mismatch = await post(other.key, event);
    expect(mismatch.status).toBe(403);
    expect(mismatch.body).toMatchObject({
      error: 'account_mismatch',
      outcomes: [{ callId: event.callId, outcome: 'rejected', reason: 'account_mismatch' }],
    });
    expect(mismatch.text).not.toContain(acme.id);

    const big = await post(acme.key, {
      events: Array.from({ length: 400 }, () => completedCall(acme.id, 60)),
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: 'body_too_large' });
    expect(String(big.body.message)).toContain(String(BODY_LIMIT));

    const malformed = await post(acme.key, null, '{"events": [');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: 'malformed_json' });

    const empty = await post(acme.key, { events: [] });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ error: 'invalid_body' });

    // No body at all, with or without a JSON Content-Type: as documented, malformed_json.
    for (const contentType of [null, 'application/json']) {
      const none = await post(acme.key, undefined, undefined, contentType);
      expect({ contentType, status: none.status }).toEqual({ contentType, status: 400 });
      expect(none.body).toMatchObject({ error: 'malformed_json' });
    }
    // JSON sent as text/plain is refused as the docs say, not read as a string.
    const text = await post(acme.key, null, JSON.stringify(event), 'text/plain');
    expect(text.status).toBe(415);
    expect(text.body).toMatchObject({ error: 'unsupported_media_type' });

    // A wrong key is refused before the body is read, whatever the body.
    expect((await post('vck_000000000000_x', null, '{"events": [')).status).toBe(401);

    // No event valid: 400 with the codes, recorded for ops, and the workflow never started.
    const fresh = await newAccount('fresh');
    await bed.billing.handle(fresh.id).terminate('the test sends only bad events');
    const invalid = await post(fresh.key, {
      events: [
        { callId: 'bad id!', accountId: fresh.id },
        { ...completedCall(fresh.id, 5), status: 'gone' },
      ],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toBe('invalid_events');
    expect(outcomesOf(invalid)).toEqual(['rejected:invalid_event', 'rejected:invalid_event']);
    expect((await listRejections(bed.database.db, fresh.id)).map((r) => r.reason)).toEqual([
      'invalid_event',
      'invalid_event',
    ]);
    expect((await bed.handleDescription(fresh.id)).status.name).toBe('TERMINATED');

    // A revoked key stops working at once.
    const revokedKey = await newAccount('revoked');
    const rows = await bed.database.db
      .selectFrom('api_keys')
      .select('id')
      .where('account_id', '=', revokedKey.id)
      .execute();
    await revokeApiKey(bed.database.db, rows[0]!.id, new Date());
    expect((await post(revokedKey.key, completedCall(revokedKey.id, 5))).status).toBe(401);
  });

  it('answers 503 within its timeout while no worker runs, and counts the retry once', async () => {
    const acme = await newAccount('outage');
    const events = Array.from({ length: 20 }, () => completedCall(acme.id, 90));
    expect((await post(acme.key, { events: events.slice(0, 1) })).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    await worker.stop('SIGTERM', 10_000);
    const began = Date.now();
    const refused = await post(acme.key, { events });
    const waited = Date.now() - began;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body).toMatchObject({ error: 'unavailable' });
    expect(waited).toBeGreaterThanOrEqual(UPDATE_TIMEOUT_MS - 100);
    expect(waited).toBeLessThan(UPDATE_TIMEOUT_MS + 4_000); // slack for a loaded machine
    // Nothing half-counted: the one call from before, the batch not at all (no worker ran it).
    expect(await countCalls(bed.database.db, acme.id)).toBe(1);

    worker = await bed.startWorkerProcess('edge-worker-2');
    const retried = await post(acme.key, { events });
    expect(retried.status).toBe(200);
    // The first delivery may have been recorded once the worker came back: then it is a duplicate.
    expect(outcomesOf(retried).filter((o) => o !== 'accepted' && o !== 'duplicate')).toEqual([]);
    expect(await countCalls(bed.database.db, acme.id)).toBe(20);
    const credits = expectedMillicredits(acme.id, events).toString();
    await waitForUsage(
      bed.billing,
      acme.id,
      (u) => u.pendingEvents === 0 && u.cycle.usedMillicredits === credits,
      'the retried batch counted once',
    );
    const all = await post(acme.key, { events });
    expect(new Set(outcomesOf(all))).toEqual(new Set(['duplicate']));
    expect((await bed.billing.usage(acme.id)).cycle.usedMillicredits).toBe(credits);
  });
});

describe('GET /healthz', () => {
  it('reports Temporal and PostgreSQL reachable', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      temporal: { reachable: true },
      postgres: { reachable: true, migrationsCurrent: true },
    });
  });

  it('is not ready, and posts are answered 503, until the database is migrated', async () => {
    const database = await createTestDatabase('edge_unmigrated', { migrate: false });
    const early = await buildEdgeServer({
      billing: bed.billing,
      db: database.db,
      config: bed.config.edge,
      logger: createLogger('ERROR'),
    });
    try {
      const before = await early.inject({ method: 'GET', url: '/healthz' });
      expect(before.statusCode).toBe(503);
      expect(before.json()).toEqual({
        status: 'unavailable',
        temporal: { reachable: true },
        postgres: { reachable: true, migrationsCurrent: false },
      });
      const posted = await early.inject({
        method: 'POST',
        url: '/v1/call-events',
        headers: { authorization: `Bearer ${generateApiKey().key}` },
        payload: completedCall('acme', 60),
      });
      expect(posted.statusCode).toBe(503);
      expect(posted.json()).toEqual({
        error: 'unavailable',
        message:
          'the database is not migrated yet (the worker migrates it at start): send it again',
      });

      await migrateToLatest(database.db);
      const after = await early.inject({ method: 'GET', url: '/healthz' });
      expect(after.statusCode).toBe(200);
      expect(after.json()).toMatchObject({ postgres: { migrationsCurrent: true } });
    } finally {
      await early.close();
      await database.drop();
    }
  });

  it('answers 503 with each one unreachable, and so does a post that needs them', async () => {
    const [temporalPort, postgresPort] = await Promise.all([freePort(), freePort()]);
    const connection = Connection.lazy({ address: `127.0.0.1:${temporalPort}` });
    const db = createDb(`postgres://postgres@127.0.0.1:${postgresPort}/none`, {
      connectTimeoutMs: 1_000,
    });
    const temporal = new Client({ connection, namespace: 'default' });
    const dead = await buildEdgeServer({
      billing: new AccountWorkflowClient({ temporal }),
      db,
      config: bed.config.edge,
      logger: createLogger('ERROR'),
    });
    try {
      const health = await dead.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
      // Only true or false: the driver's messages (hosts, ports, users) go to the log.
      expect(health.json()).toEqual({
        status: 'unavailable',
        temporal: { reachable: false },
        postgres: { reachable: false, migrationsCurrent: false },
      });
      expect(health.body).not.toContain(String(postgresPort));
      expect(health.body).not.toContain(String(temporalPort));
      const posted = await dead.inject({
        method: 'POST',
        url: '/v1/call-events',
        headers: { authorization: `Bearer ${generateApiKey().key}` },
        payload: completedCall('acme', 60),
      });
      expect(posted.statusCode).toBe(503);
      expect(posted.headers['retry-after']).toBe('5');
    } finally {
      await dead.close();
      await connection.close();
      await db.destroy();
    }
  });
});

describe('the edge process (dist/edge/main.js)', () => {
  it('serves on HTTP_HOST:HTTP_PORT, /metrics on its own port, logs no secret, stops on SIGTERM', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const child = startProcess({
      name: 'edge',
      command: process.execPath,
      args: [join(bed.config.paths.root, 'dist', 'edge', 'main.js')],
      logFile: join(inject('runDir'), 'logs', `edge-${port}.log`),
      env: childEnvironment({
        ...bed.env,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        EDGE_METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'INFO',
      }),
    });
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, {
      what: 'the edge process healthy',
      timeoutMs: 30_000,
      process: child,
    });
    const secretKey = generateApiKey().key;
    const unauthorized = await fetch(`http://127.0.0.1:${port}/v1/call-events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${secretKey}`,
        cookie: 'billing_session=cookie-secret-4411',
      },
      body: '{}',
    });
    expect(unauthorized.status).toBe(401);
    const link = await fetch(
      `http://127.0.0.1:${port}/billing/acme?expires=1&sig=link-secret-4411`,
      {
        redirect: 'manual',
      },
    );
    expect(link.status).toBeLessThan(500);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(await metrics.text()).toMatch(/^edge_http_requests_total\{route="\/v1\/call-events"/m);
    child.child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    const log = child.logTail(500);
    expect(log).toMatch(/INFO edge stopped/);
    // Fastify's request log, with request ids, and none of the secrets the requests carried.
    expect(log).toMatch(/"reqId":"[0-9a-f-]{36}".*"url":"\/v1\/call-events"/);
    expect(log).toMatch(/"url":"\/billing\/acme\?\[redacted\]"/);
    for (const secret of [secretKey, 'cookie-secret-4411', 'link-secret-4411']) {
      expect(log).not.toContain(secret);
    }
  });
});
