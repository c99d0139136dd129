/**
 * What a sender writes beyond the contract never costs the edge or the ledger: a body nested past
 * the limit is refused unparsed (400, no Temporal call, no query beyond the key's), an event is
 * sized as received, and only the contract's fields reach the workflow's history and `calls.raw`.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AccountWorkflowClient } from '../../../client/account-workflow-client.js';
import { accountWorkflowId } from '../../../contract/ids.js';
import { countRejections, listCalls } from '../../../db/repositories/calls.js';
import { buildEdgeServer } from '../../../edge/server.js';
import { createLogger } from '../../../logging/logger.js';
import { completedCall, growthPlan } from '../../harness/accounts.js';
import { accountWithKey, postCallEvents } from '../../harness/edge.js';
import { useStack } from '../../harness/stack.js';

const bed = useStack('untrusted-body', { workers: { running: true }, plans: [growthPlan] });
let edge: FastifyInstance;
let base: string;
let billing: AccountWorkflowClient;
let queries = 0;

/** Counts the queries the edge sends to PostgreSQL. */
const countingPlugin: KyselyPlugin = {
  transformQuery(args) {
    queries++;
    return args.node;
  },
  transformResult: (args) => Promise.resolve(args.result),
};

beforeAll(async () => {
  billing = new AccountWorkflowClient({ temporal: bed.temporal, taskQueue: bed.taskQueue });
  edge = await buildEdgeServer({
    billing,
    db: bed.database.db.withPlugin(countingPlugin),
    config: bed.config.edge,
    logger: createLogger('ERROR'),
  });
  await edge.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(edge.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await edge?.close();
});

const nestedField = (levels: number) => '{"x":'.repeat(levels) + '1' + '}'.repeat(levels);
/** An event's JSON text with an unknown field `extra` written as `value`. */
const withField = (event: Record<string, unknown>, value: string) =>
  JSON.stringify(event).replace(/}$/, `,"extra":${value}}`);

describe('bodies beyond the contract', () => {
  it('refuses a batch holding a 12,000-level nested field with 400, and counts the good event sent again', async () => {
    const acme = await accountWithKey(bed, 'deep');
    const good = completedCall(acme.id, 60);
    const deep = withField(completedCall(acme.id, 60), nestedField(12_000));
    const body = `{"events":[${JSON.stringify(good)},${deep}]}`;
    expect(Buffer.byteLength(body)).toBeLessThan(100_000);

    // A request with a live key and malformed JSON: the key's queries are all it costs.
    await postCallEvents(base, acme.key, JSON.stringify(good));
    queries = 0;
    expect((await postCallEvents(base, acme.key, '{"events":[')).status).toBe(400);
    const keyQueries = queries;

    const recordCalls = vi.spyOn(billing, 'recordCalls');
    const rejectedBefore = await countRejections(bed.database.db, acme.id);
    queries = 0;
    const refused = await postCallEvents(base, acme.key, body);
    expect([refused.status, refused.body.error]).toEqual([400, 'malformed_json']);
    expect(refused.body.message).toMatch(/deeper than 32 levels/);
    expect(queries).toBe(keyQueries);
    expect(recordCalls).not.toHaveBeenCalled();
    expect(await countRejections(bed.database.db, acme.id)).toBe(rejectedBefore);
    recordCalls.mockRestore();

    // Final, not "send it again": the sender drops the bad event and the good one is counted.
    const fine = withField(completedCall(acme.id, 60, { callId: 'shallow' }), nestedField(20));
    const again = await postCallEvents(base, acme.key, `{"events":[${fine}]}`);
    expect(again.status).toBe(200);
    expect(again.body.outcomes).toEqual([{ callId: 'shallow', outcome: 'accepted' }]);
  });

  it('sizes an event as received: 2,000 numbers written 1e20 are 10 KB, not 44 KB', async () => {
    const acme = await accountWithKey(bed, 'numbers');
    const numbers = `[${Array.from({ length: 2_000 }, () => '1e20').join(',')}]`;
    const event = withField(completedCall(acme.id, 60, { callId: 'big-numbers' }), numbers);
    expect(Buffer.byteLength(event)).toBeLessThan(32_768);
    expect(JSON.stringify(JSON.parse(event)).length).toBeGreaterThan(32_768);

    const answer = await postCallEvents(base, acme.key, event);
    expect(answer.body.outcomes).toEqual([{ callId: 'big-numbers', outcome: 'accepted' }]);
    const padded = withField(
      completedCall(acme.id, 60, { callId: 'padded' }),
      `"${'x'.repeat(33_000)}"`,
    );
    const tooLarge = await postCallEvents(base, acme.key, padded);
    expect(tooLarge.body.outcomes).toEqual([
      expect.objectContaining({ callId: 'padded', reason: 'event_too_large' }),
    ]);
  });

  it("keeps unknown fields out of the workflow's history and the stored call", async () => {
    const acme = await accountWithKey(bed, 'private');
    const event = {
      ...completedCall(acme.id, 60, { callId: 'with-phone' }),
      callerPhone: '+1-555-0100-7731',
      crm: { contact: { email: 'caller-7731@example.com' } },
    };
    const answer = await postCallEvents(base, acme.key, JSON.stringify(event));
    expect(answer.body.outcomes).toEqual([{ callId: 'with-phone', outcome: 'accepted' }]);

    const history = await bed.temporal.workflow
      .getHandle(accountWorkflowId(acme.id))
      .fetchHistory();
    const payloads = payloadTexts(history).join('\n');
    expect(payloads).toContain('with-phone'); // the event is in the history...
    expect(payloads).not.toContain('0100-7731'); // ...without its unknown fields
    expect(payloads).not.toContain('caller-7731');
    const [call] = await listCalls(bed.database.db, acme.id);
    expect(call!.raw).not.toContain('7731');
    expect(Object.keys(JSON.parse(call!.raw) as object)).toEqual(
      Object.keys(completedCall(acme.id, 60)),
    );
  });
});

/** The data of every payload in a history, as text (the JSON converter writes UTF-8). */
function payloadTexts(value: unknown, found: string[] = []): string[] {
  if (value instanceof Uint8Array) found.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) payloadTexts(v, found);
  else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) payloadTexts(v, found);
  }
  return found;
}
