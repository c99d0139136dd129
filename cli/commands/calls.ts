/**
 * `billing calls <accountId> [--rejected] [--limit n]`: the calls PostgreSQL recorded for an
 * account (each once, however often it was delivered), or with `--rejected` the events it refused,
 * each with its reason code and detail.
 */
import { listCalls, listRejections } from '../../db/repositories/calls.js';
import { intOption, requireAccount, runCommand, table } from '../output.js';

const spec = {
  name: 'calls',
  help: `usage: billing calls <accountId> [--rejected] [--limit n] [--json]

The account's recorded calls in the order they arrived (first n), or with --rejected the events
it refused, with their reason code (BILLING-RULES.md section 3) and detail.`,
  options: {
    rejected: { type: 'boolean', default: false },
    limit: { type: 'string', default: '100' },
  },
  positionals: [1, 1],
} as const;

export function run(args: string[]): Promise<number> {
  return runCommand(spec, args, async ({ values, positionals }, context) => {
    const limit = intOption('limit', values.limit, 1, 100_000);
    const account = await requireAccount(context, positionals[0]!);
    if (values.rejected) {
      const rejected = (await listRejections(context.db(), account.id, limit)).map((r) => ({
        callId: r.call_id,
        reason: r.reason,
        detail: r.detail,
        arrivedAt: r.arrived_at.toISOString(),
        // The event as sent (JSON text); null when it was too large to keep.
        raw: r.raw,
      }));
      return {
        json: { accountId: account.id, rejected },
        text:
          rejected.length === 0
            ? `no rejected events for ${account.id}`
            : table([
                ['ARRIVED', 'CALL ID', 'REASON', 'DETAIL'],
                ...rejected.map((r) => [r.arrivedAt, r.callId ?? '-', r.reason, r.detail]),
              ]),
      };
    }
    const calls = (await listCalls(context.db(), account.id, limit)).map((c) => ({
      callId: c.call_id,
      answeredAt: c.answered_at?.toISOString() ?? null,
      endedAt: c.ended_at.toISOString(),
      arrivedAt: c.arrived_at.toISOString(),
      // The validated event the ledger rated (times in epoch ms, defaults filled).
      event: JSON.parse(c.event) as unknown,
    }));
    return {
      json: { accountId: account.id, calls },
      text:
        calls.length === 0
          ? `no calls recorded for ${account.id}`
          : table([
              ['CALL ID', 'ANSWERED', 'ENDED', 'ARRIVED'],
              ...calls.map((c) => [c.callId, c.answeredAt ?? '-', c.endedAt, c.arrivedAt]),
            ]),
    };
  });
}
