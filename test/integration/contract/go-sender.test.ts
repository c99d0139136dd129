/**
 * The Go example of docs/api.md is real: docs/examples/go-sender, built with the official Temporal
 * Go SDK, reports call events by signal-with-start and update-with-start against the harness's
 * Temporal server and a billing worker, and reads the usage back. Its outcomes, the stored calls
 * and the usage it decoded are checked here, and that usage reply (as a Go client receives it)
 * must conform to docs/schemas/usage-reply.schema.json.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, inject } from 'vitest';
import { formatInstant } from '../../../billing/units.js';
import { listCalls, listRejections } from '../../../db/repositories/calls.js';
import { childEnvironment, parseConfig } from '../../../config/config.js';
import { usageReplySchema } from '../../../contract/usage-reply.js';
import {
  expectedMillicredits,
  growthPlan,
  uniqueAccountId,
  waitForUsage,
} from '../../harness/accounts.js';
import { jsonSchemaErrors } from '../../harness/json-schemas.js';
import { useStack } from '../../harness/stack.js';

const run = promisify(execFile);
const exampleDir = join(parseConfig({}).paths.root, 'docs', 'examples', 'go-sender');
const DAY = 86_400_000;

/** `go` on the PATH, else where the official tarball installs it. */
function goCommand(): string {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error('Go is not installed: the Go example needs it (see README, "What you need")');
}

interface GoSenderReport {
  workflowId: string;
  signal: { callId: string; runId: string };
  recordCalls: { outcomes: Record<string, unknown>[] };
  usedMillicredits: number;
  usage: { cycle: { usedMillicredits: string; billableSeconds: number } };
}

describe('the Go example sender (docs/examples/go-sender)', () => {
  const bed = useStack('go-sender', { workers: {} });
  const binary = join(inject('runDir'), 'go-sender');

  beforeAll(async () => {
    // A cold first build downloads the Go SDK and compiles it (about a minute); later builds
    // reuse Go's module and build caches and take seconds.
    await run(goCommand(), ['build', '-o', binary, '.'], {
      cwd: exampleDir,
      env: childEnvironment({ GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' }),
    });
  }, 600_000);

  it('reports a signal and a batch whose outcomes, stored calls and usage agree', async () => {
    const account = uniqueAccountId('go');
    await bed.workers.runUntil(
      (async () => {
        await bed.provisioning.createPlan(growthPlan);
        await bed.provisioning.createAccount({
          id: account,
          planId: growthPlan.id,
          timeZone: 'Europe/Berlin',
          createdAt: formatInstant(Date.now() - 10 * DAY),
        });
        const { stdout } = await run(
          binary,
          [
            '-address',
            bed.env.TEMPORAL_ADDRESS!,
            '-task-queue',
            bed.taskQueue,
            '-account',
            account,
          ],
          { timeout: 60_000 },
        );
        const report = JSON.parse(stdout) as GoSenderReport;

        expect(report.workflowId).toBe(`billing-${account}`);
        expect(report.signal.callId).toBe('go-signal-1');
        expect(report.signal.runId).toMatch(/^[0-9a-f-]{36}$/);
        expect(report.recordCalls.outcomes).toEqual([
          { callId: 'go-update-1', outcome: 'accepted' },
          { callId: 'go-signal-1', outcome: 'duplicate' },
          {
            callId: 'go-update-3',
            outcome: 'rejected',
            reason: 'ended_before_answered',
            detail: 'endedAt is before answeredAt',
          },
          { callId: 'go-update-4', outcome: 'accepted' },
        ]);

        const calls = await listCalls(bed.database.db, account);
        expect(calls.map((c) => c.call_id).sort()).toEqual([
          'go-signal-1',
          'go-update-1',
          'go-update-4',
        ]);
        const rejections = await listRejections(bed.database.db, account);
        expect(rejections.map((r) => [r.call_id, r.reason])).toEqual([
          ['go-update-3', 'ended_before_answered'],
        ]);

        // 95 s + 125 s answered; the unanswered outbound call bills nothing.
        const expected = expectedMillicredits(
          account,
          calls.map((c) => JSON.parse(c.raw) as unknown),
        ).toString();
        expect(report.usage.cycle.billableSeconds).toBe(220);
        expect(report.usage.cycle.usedMillicredits).toBe(expected);
        expect(String(report.usedMillicredits)).toBe(expected);

        // The reply as the Go SDK decoded it, and as our client reads it, meet the contract.
        expect(jsonSchemaErrors('usage-reply', report.usage)).toEqual([]);
        expect(usageReplySchema.safeParse(report.usage).error?.issues).toBeUndefined();
        const usage = await waitForUsage(
          bed.billing,
          account,
          (u) => u.pendingEvents === 0,
          'nothing pending',
        );
        expect(usage.cycle.usedMillicredits).toBe(expected);
        expect(jsonSchemaErrors('usage-reply', usage)).toEqual([]);
      })(),
    );
  });
});
