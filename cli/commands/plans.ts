/**
 * `billing plans create <file|->` and `billing plans list`: the plans accounts can be on. A plan is
 * immutable once stored (statements name it): creating the same plan again is harmless, a
 * different definition under the same id is refused.
 */
import { readFile } from 'node:fs/promises';
import { listPlans } from '../../db/repositories/plans.js';
import { runCommand, runGroup, table, usageError } from '../output.js';

const create = {
  name: 'plans create',
  help: `usage: billing plans create <file|-> [--json]

Stores the plan in <file> (JSON, BILLING-RULES.md section 2), or read from stdin with '-'.`,
  options: {},
  positionals: [1, 1],
} as const;

const list = {
  name: 'plans list',
  help: 'usage: billing plans list [--json]\n\nEvery stored plan, by id.',
  options: {},
  positionals: [0, 0],
} as const;

async function readSource(source: string): Promise<unknown> {
  let text: string;
  try {
    if (source === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      text = Buffer.concat(chunks).toString('utf8');
    } else {
      text = await readFile(source, 'utf8');
    }
  } catch (error) {
    throw usageError(`cannot read ${source}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw usageError(`${source} is not JSON: ${(error as Error).message}`);
  }
}

export function run(args: string[]): Promise<number> {
  return runGroup('plans', args, {
    create: {
      summary: "store a plan (JSON from a file, or stdin with '-')",
      run: (rest) =>
        runCommand(create, rest, async ({ positionals }, context) => {
          const definition = await readSource(positionals[0]!);
          const plan = await (await context.provisioning()).createPlan(definition);
          return { json: { plan }, text: `plan ${plan.id} (${plan.name}) stored` };
        }),
    },
    list: {
      summary: 'every stored plan, by id',
      run: (rest) =>
        runCommand(list, rest, async (_parsed, context) => {
          const plans = (await listPlans(context.db())).map((row) => ({
            id: row.id,
            name: row.name,
            definition: row.definition as Record<string, unknown>,
            createdAt: row.created_at.toISOString(),
          }));
          const rows = plans.map(({ id, name, definition: d }) => [
            id,
            name,
            String(d.allowanceCredits),
            String(d.creditsPerMinute),
            String(d.overagePricePerCredit),
            String(d.currency),
          ]);
          return {
            json: { plans },
            text:
              plans.length === 0
                ? 'no plans (billing plans create <file> stores one)'
                : table([
                    ['ID', 'NAME', 'ALLOWANCE', 'PER MINUTE', 'OVERAGE PRICE', 'CURRENCY'],
                    ...rows,
                  ]),
          };
        }),
    },
  });
}
