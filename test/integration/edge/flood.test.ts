/**
 * A flood of requests with random, well-formed API keys from one address (127.0.0.2) while a real
 * sender posts from another (127.0.0.1): the flood is cut off by the per-IP limit before it reaches
 * PostgreSQL, and the sender's requests are answered as if it were not there.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authenticate } from '../../../edge/authenticate.js';
import { generateApiKey } from '../../../edge/api-key.js';
import { buildEdgeServer } from '../../../edge/server.js';
import { UnknownKeyPrefixes } from '../../../edge/unknown-key-prefixes.js';
import { createLogger } from '../../../logging/logger.js';
import { completedCall, growthPlan } from '../../harness/accounts.js';
import { accountWithKey, postCallEvents } from '../../harness/edge.js';
import { useStack } from '../../harness/stack.js';

const FLOOD_REQUESTS = 4_000;
const FLOOD_CONCURRENCY = 50;
const PER_IP_PER_MINUTE = 600;

const bed = useStack('edge-flood', { plans: [growthPlan] });
let edge: FastifyInstance;
let base: string;

/**
 * The flood, in a process of its own (as from another machine: in this one its client would
 * share the event loop with the edge): requests with random, well-formed keys from 127.0.0.2, at
 * most FLOOD_CONCURRENCY at once, FLOOD_REQUESTS in all; prints the count of each status.
 */
const FLOOD_SCRIPT = `
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
const [url, total, concurrency] = process.argv.slice(1);
const statuses = {};
let sent = 0;
const one = () => new Promise((resolve) => {
  const key = 'vck_' + randomBytes(6).toString('hex') + '_' + randomBytes(32).toString('base64url');
  const req = request(url, { method: 'POST', localAddress: '127.0.0.2',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + key } }, (res) => {
    res.resume();
    res.on('end', () => { statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1; resolve(); });
  });
  req.on('error', () => { statuses.error = (statuses.error ?? 0) + 1; resolve(); });
  req.end('{}');
});
const lane = async () => { while (sent < Number(total)) { sent++; await one(); } };
await Promise.all(Array.from({ length: Number(concurrency) }, lane));
process.stdout.write(JSON.stringify(statuses));
`;

function startFlood(url: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        FLOOD_SCRIPT,
        url,
        String(FLOOD_REQUESTS),
        String(FLOOD_CONCURRENCY),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Record<string, number>)
        : reject(new Error(`flood exited ${code}`)),
    );
  });
}

beforeAll(async () => {
  // A worker process of its own too: the edge's is the event loop under test.
  await bed.startWorkerProcess('flood-worker');
  edge = await buildEdgeServer({
    billing: bed.billing,
    db: bed.database.db,
    config: { ...bed.config.edge, rateLimitPerIpPerMinute: PER_IP_PER_MINUTE },
    logger: createLogger('ERROR'),
  });
  await edge.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(edge.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await edge?.close();
});

it('answers a real sender within 500 ms (p99) while another address floods bad keys', async () => {
  const sender = await accountWithKey(bed, 'sender');
  // The account's workflow starts with its first event: started before the flood, not timed.
  const first = JSON.stringify(completedCall(sender.id, 60));
  expect((await postCallEvents(base, sender.key, first)).status).toBe(200);
  let flooding = true;
  const flood = startFlood(`${base}/v1/call-events`).finally(() => (flooding = false));

  const latencies: number[] = [];
  const senderStatuses: number[] = [];
  while (flooding || latencies.length < 20) {
    const started = performance.now();
    const answer = await postCallEvents(
      base,
      sender.key,
      JSON.stringify(completedCall(sender.id, 60)),
      '127.0.0.1',
    );
    latencies.push(performance.now() - started);
    senderStatuses.push(answer.status);
  }
  const statuses = await flood;

  expect(senderStatuses.filter((s) => s < 200 || s > 299)).toEqual([]);
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
  expect({ p99: p99 <= 500, sent: latencies.length >= 20 }).toEqual({ p99: true, sent: true });
  // The flood itself: refused 401 up to the limit, then 429 without a query.
  expect(statuses['401']).toBeLessThanOrEqual(PER_IP_PER_MINUTE);
  expect(statuses['429']).toBeGreaterThanOrEqual(FLOOD_REQUESTS - PER_IP_PER_MINUTE);
});

it('refuses a key whose prefix it found unknown without asking PostgreSQL again', async () => {
  let queries = 0;
  const db = bed.database.db.withPlugin({
    transformQuery: (args) => (queries++, args.node),
    transformResult: (args) => Promise.resolve(args.result),
  });
  const unknown = new UnknownKeyPrefixes(10);
  const header = `Bearer ${generateApiKey().key}`;
  expect((await authenticate(db, header, unknown)).ok).toBe(false);
  expect(queries).toBe(1);
  expect((await authenticate(db, header, unknown)).ok).toBe(false);
  expect(queries).toBe(1);
  // A live key is still looked up each time.
  const sender = await accountWithKey(bed, 'known');
  expect((await authenticate(db, `Bearer ${sender.key}`, unknown)).ok).toBe(true);
  expect(queries).toBe(2);
});

it("limits each live key's requests a minute, not another key's", async () => {
  const limited = await buildEdgeServer({
    billing: bed.billing,
    db: bed.database.db,
    config: { ...bed.config.edge, rateLimitPerKeyPerMinute: 2 },
    logger: createLogger('ERROR'),
  });
  try {
    await limited.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(limited.server.address() as AddressInfo).port}`;
    const busy = await accountWithKey(bed, 'busy');
    const quiet = await accountWithKey(bed, 'quiet');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const event = JSON.stringify(completedCall(busy.id, 60));
      statuses.push((await postCallEvents(url, busy.key, event)).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    const other = await postCallEvents(url, quiet.key, JSON.stringify(completedCall(quiet.id, 60)));
    expect(other.status).toBe(200);
  } finally {
    await limited.close();
  }
});
