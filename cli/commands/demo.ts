/** `billing demo`: runs the first demo against a running stack (`npm run dev`) and prints usage. */
import { TemporalUnavailableError } from '../../client/temporal-client.js';
import { loadConfig } from '../../workers/config.js';
import { runDemo } from '../demo/run-demo.js';

export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write('usage: billing demo\n\nRuns the first demo against the running stack.\n');
    return args.includes('--help') || args.includes('-h') ? 0 : 2;
  }
  try {
    await runDemo(loadConfig(), process.stdout);
    return 0;
  } catch (error) {
    const hint =
      error instanceof TemporalUnavailableError ? ' (start the stack first: npm run dev)' : '';
    process.stderr.write(`billing demo: ${(error as Error).message}${hint}\n`);
    return 1;
  }
}
