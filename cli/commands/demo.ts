/**
 * `billing demo`: runs the demo against a running stack (`npm run dev`): three accounts on the
 * account workflow, a few hundred calls, one cycle closing with its invoice, printed as a table.
 */
import { TemporalUnavailableError } from '../../client/temporal-client.js';
import { loadConfig } from '../../workers/config.js';
import { runDemo } from '../demo/run-demo.js';

export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write(
      'usage: billing demo\n\nRuns the demo against the running stack (start it with `npm run dev`).\n',
    );
    return args.includes('--help') || args.includes('-h') ? 0 : 2;
  }
  try {
    await runDemo(loadConfig(), process.stdout);
    return 0;
  } catch (error) {
    const hint =
      error instanceof TemporalUnavailableError ? ' (start the stack first: npm run dev)' : '';
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`billing demo: ${message}${hint}\n`);
    return 1;
  }
}
