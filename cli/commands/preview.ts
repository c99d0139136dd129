import { toJson } from '../../billing/json.js';
import { runPreview } from '../../billing/preview.js';
import { MalformedScenarioError } from '../../billing/scenario.js';

const HELP = `usage: billing preview < scenario.json

Reads a scenario (account, plan, until, operations) on stdin and prints, as JSON, the cycle
statements, rejected events and duplicate count the billing rules give for it.
Exit 0 on success; 2 with a message on stderr when the scenario is malformed.
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  let input: unknown;
  try {
    input = JSON.parse(await readStdin());
  } catch (error) {
    process.stderr.write(
      `billing preview: malformed scenario: not JSON (${(error as Error).message})\n`,
    );
    return 2;
  }
  try {
    process.stdout.write(`${toJson(runPreview(input))}\n`);
    return 0;
  } catch (error) {
    if (error instanceof MalformedScenarioError) {
      process.stderr.write(`billing preview: malformed scenario:\n${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
