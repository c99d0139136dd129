/**
 * `billing simulate`: a month of calls for N accounts on the running stack (`npm run dev`), sent
 * through the public contract at a chosen speed, with progress on stderr, ending with a summary
 * per account and where to look.
 */
import { TemporalUnavailableError } from '../../client/temporal-client.js';
import { loadConfig } from '../../config/config.js';
import { parseSimulateArgs, SIMULATE_USAGE } from '../simulate/options.js';
import { Progress } from '../simulate/progress.js';
import { summaryJson, summaryText } from '../simulate/report.js';
import { runSimulation } from '../simulate/run-simulation.js';

export async function run(args: string[]): Promise<number> {
  const parsed = parseSimulateArgs(args);
  if (parsed.kind === 'help') {
    process.stdout.write(SIMULATE_USAGE);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`billing simulate: ${parsed.message}\n\n${SIMULATE_USAGE}`);
    return 2;
  }
  const { options } = parsed;
  let progress: Progress | undefined;
  try {
    const config = loadConfig();
    progress = new Progress(process.stderr, process.stderr.isTTY === true && !config.ci);
    // With --json, stdout carries the summary alone.
    const log = options.json ? process.stderr : process.stdout;
    const { summary } = await runSimulation(config, options, { log, progress });
    process.stdout.write(options.json ? summaryJson(summary) : summaryText(summary));
    return 0;
  } catch (error) {
    const hint =
      error instanceof TemporalUnavailableError ? ' (start the stack first: npm run dev)' : '';
    const message = error instanceof Error ? error.message : String(error);
    progress?.finish();
    process.stderr.write(`billing simulate: ${message}${hint}\n`);
    return 1;
  }
}
