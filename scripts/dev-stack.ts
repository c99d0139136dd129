/**
 * `npm start` / `npm run dev`: the whole local stack in one terminal. Starts the Temporal dev
 * server (SQLite under .data/, Web UI), PostgreSQL (DATABASE_URL, or an embedded server), Mailpit
 * and the worker; waits until each is healthy; prints where to look; with `--simulate [options]`
 * runs `billing simulate` with those options (a month of calls, every first cycle closing); then
 * keeps everything running until Ctrl-C or SIGTERM and stops it all, worker first.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectClient, workflowPollers } from '../client/temporal-client.js';
import { describeDatabaseUrl } from '../db/connection.js';
import { parseSimulateArgs, SIMULATE_USAGE } from '../cli/simulate/options.js';
import { childEnvironment, type Config, ConfigError, loadConfig } from '../config/config.js';
import { postgresAnswers, startEmbeddedPostgres } from './stack/embedded-postgres.js';
import { startMailpit } from './stack/mailpit.js';
import {
  describeExit,
  runningProcesses,
  startProcess,
  waitUntil,
} from './stack/managed-process.js';
import { assertPortsFree, type PortClaim } from './stack/ports.js';
import { customSearchAttributes } from '../workers/registered-search-attributes.js';
import { startTemporalDevServer } from './stack/temporal-server.js';

const say = (line: string) => process.stdout.write(`[stack] ${line}\n`);

function portClaims(config: Config): PortClaim[] {
  const claims: PortClaim[] = [
    { port: config.temporal.port, purpose: 'Temporal gRPC', variable: 'TEMPORAL_PORT' },
    { port: config.temporal.uiPort, purpose: 'Temporal Web UI', variable: 'TEMPORAL_UI_PORT' },
    { port: config.smtp.port, purpose: 'Mailpit SMTP', variable: 'SMTP_PORT' },
    { port: config.smtp.inboxPort, purpose: 'Mailpit inbox', variable: 'MAILPIT_UI_PORT' },
    { port: config.edge.port, purpose: 'HTTP edge', variable: 'HTTP_PORT' },
  ];
  const metrics = config.worker.metricsBindAddress;
  if (metrics !== null) {
    claims.push({
      port: Number(metrics.slice(metrics.lastIndexOf(':') + 1)),
      purpose: 'worker metrics',
      variable: 'WORKER_METRICS_PORT',
    });
  }
  if (config.edge.metrics.port !== 0) {
    claims.push({
      port: config.edge.metrics.port,
      purpose: 'edge metrics',
      variable: 'EDGE_METRICS_PORT',
    });
  }
  if (config.postgres.embedded) {
    claims.push({
      port: config.postgres.embeddedPort,
      purpose: 'embedded PostgreSQL',
      variable: 'EMBEDDED_POSTGRES_PORT',
    });
  }
  return claims;
}

function assertToolsBuilt(config: Config): void {
  const missing = ['temporal', 'mailpit'].filter(
    (t) => !existsSync(join(config.paths.toolsDir, t)),
  );
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(' and ')} not found in ${config.paths.toolsDir}: run \`npm run setup\` first ` +
        '(it builds them with Go)',
    );
  }
}

async function startStack(config: Config): Promise<void> {
  const logs = join(config.paths.dataDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const timed = async <T>(what: string, start: () => Promise<T>): Promise<T> => {
    const began = Date.now();
    const result = await start();
    say(`${what} ready (${((Date.now() - began) / 1000).toFixed(1)}s)`);
    return result;
  };

  const postgres = config.postgres.embedded
    ? timed('PostgreSQL (embedded)', async () => {
        const pg = await startEmbeddedPostgres({
          dataDir: join(config.paths.dataDir, 'postgres'),
          port: config.postgres.embeddedPort,
          database: 'billing',
          logFile: join(logs, 'postgres.log'),
          onNotice: say,
        });
        return pg.url;
      })
    : timed('PostgreSQL (DATABASE_URL)', async () => {
        await waitUntil(() => postgresAnswers(config.postgres.url), {
          what: `PostgreSQL at ${describeDatabaseUrl(config.postgres.url)} (DATABASE_URL)`,
          timeoutMs: 10_000,
        });
        return config.postgres.url;
      });
  const temporal = timed('Temporal dev server', () =>
    startTemporalDevServer({
      toolsDir: config.paths.toolsDir,
      port: config.temporal.port,
      uiPort: config.temporal.uiPort,
      dbFile: join(config.paths.dataDir, 'temporal.sqlite'),
      namespace: config.temporal.namespace,
      searchAttributes: customSearchAttributes,
      logFile: join(logs, 'temporal.log'),
    }),
  );
  const mailpit = timed('Mailpit', () =>
    startMailpit({
      toolsDir: config.paths.toolsDir,
      smtpPort: config.smtp.port,
      uiPort: config.smtp.inboxPort,
      dbFile: join(config.paths.dataDir, 'mailpit.sqlite'),
      logFile: join(logs, 'mailpit.log'),
    }),
  );
  // allSettled: when one part fails, let the others finish starting before the caller stops all.
  const settled = await Promise.allSettled([postgres, temporal, mailpit]);
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  const [databaseUrl, temporalServer, mail] = await Promise.all([postgres, temporal, mailpit]);

  // Decided once, before the worker starts, and passed to it, so the wait below matches exactly
  // the worker started here: WORKER_IDENTITY when set, otherwise `<this stack's pid>@<host>`.
  const identity = config.worker.identity;
  const worker = await timed('Worker', async () => {
    const child = startProcess({
      name: 'worker',
      command: process.execPath,
      args: [fileURLToPath(new URL('../workers/main.js', import.meta.url))],
      logFile: join(logs, 'worker.log'),
      env: childEnvironment({
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: temporalServer.address,
        SMTP_URL: mail.smtpUrl,
        WORKER_IDENTITY: identity,
      }),
    });
    const client = await connectClient(config);
    try {
      await waitUntil(
        async () => (await workflowPollers(client, config.temporal.taskQueue)).includes(identity),
        {
          what: `worker ${identity} on task queue '${config.temporal.taskQueue}'`,
          timeoutMs: 90_000,
          process: child,
        },
      );
    } finally {
      await client.connection.close();
    }
    return child;
  });

  // After the worker, which migrates the database the edge reads its API keys from.
  const edgeUrl = `http://localhost:${config.edge.port}`;
  const edge = await timed('HTTP edge', async () => {
    const child = startProcess({
      name: 'edge',
      command: process.execPath,
      args: [fileURLToPath(new URL('../edge/main.js', import.meta.url))],
      logFile: join(logs, 'edge.log'),
      env: childEnvironment({
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: temporalServer.address,
      }),
    });
    await waitUntil(
      async () => {
        const response = await fetch(`${edgeUrl}/healthz`, { signal: AbortSignal.timeout(3_000) });
        return response.ok;
      },
      { what: `the HTTP edge at ${edgeUrl}/healthz`, timeoutMs: 30_000, process: child },
    );
    return child;
  });

  const rows = [
    [
      'HTTP edge',
      `${edgeUrl} (POST /v1/call-events, /healthz; billing pages at /billing); ` +
        `edge metrics at http://${config.edge.metrics.host}:${config.edge.metrics.port}/metrics`,
    ],
    ['Temporal Web UI', `${temporalServer.uiUrl ?? '(headless)'}`],
    ['Mailpit inbox', mail.inboxUrl],
    ['Temporal gRPC', temporalServer.address],
    ['PostgreSQL', describeDatabaseUrl(databaseUrl)],
    ['SMTP', mail.smtpUrl],
    ['Task queue', config.temporal.taskQueue],
    ['Worker', identity],
    ['Logs', logs],
  ];
  const width = Math.max(...rows.map(([label]) => label!.length));
  say('the stack is up:');
  for (const [label, value] of rows)
    process.stdout.write(`    ${label!.padEnd(width)}  ${value}\n`);
  say(
    `worker pid ${worker.pid}, edge pid ${edge.pid}; check everything with: npm run -s billing -- doctor`,
  );
}

/** Stops every process this supervisor started: the edge first (it answers what it holds), then
 * the worker, so it can finish in-flight tasks while Temporal, PostgreSQL and SMTP are still up,
 * then the servers together. */
async function stopAll(): Promise<void> {
  const all = runningProcesses();
  await Promise.all(all.filter((p) => p.name === 'edge').map((p) => p.stop('SIGTERM', 20_000)));
  await Promise.all(all.filter((p) => p.name === 'worker').map((p) => p.stop('SIGTERM', 20_000)));
  // PostgreSQL's SIGINT is its "fast" shutdown: disconnect clients, checkpoint, exit.
  await Promise.all(
    all
      .filter((p) => p.name !== 'worker' && p.name !== 'edge')
      .map((p) => p.stop(p.name === 'postgres' ? 'SIGINT' : 'SIGTERM', 10_000)),
  );
}

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--simulate');
  const simulation = at < 0 ? null : parseSimulateArgs(argv.slice(at + 1));
  if (simulation !== null && simulation.kind !== 'run') {
    const problem = simulation.kind === 'error' ? `--simulate: ${simulation.message}\n\n` : '';
    process.stderr.write(`[stack] ${problem}${SIMULATE_USAGE}`);
    return simulation.kind === 'help' ? 0 : 2;
  }
  let config: Config;
  try {
    config = loadConfig();
    assertToolsBuilt(config);
    await assertPortsFree(portClaims(config));
  } catch (error) {
    const prefix = error instanceof ConfigError ? 'configuration: ' : '';
    process.stderr.write(`[stack] ${prefix}${(error as Error).message}\n`);
    return 1;
  }

  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => resolve(signal));
    }
  });

  try {
    const started = startStack(config);
    const first = await Promise.race([started.then(() => 'up' as const), signalled]);
    if (first !== 'up') {
      say(`${first} while starting: stopping what started`);
      // Stopping makes the pending health checks fail fast; then catch anything started meanwhile.
      await stopAll();
      await started.catch(() => undefined);
      return 130;
    }
    if (simulation !== null) {
      const { runSimulation } = await import('../cli/simulate/run-simulation.js');
      const { Progress } = await import('../cli/simulate/progress.js');
      const { summaryText } = await import('../cli/simulate/report.js');
      const progress = new Progress(process.stderr, process.stderr.isTTY === true && !config.ci);
      // A failed simulation is reported, and the stack stays up to look into why.
      const ran = runSimulation(config, simulation.options, { log: process.stdout, progress }).then(
        ({ summary }) => process.stdout.write(summaryText(summary)),
        (error: unknown) => {
          progress.finish();
          say(`the simulation failed: ${(error as Error).message}`);
        },
      );
      // Ctrl-C during the simulation stops the stack at once; its workflows stay in Temporal.
      const interrupted = await Promise.race([ran.then(() => null), signalled]);
      if (interrupted !== null) {
        say(`${interrupted} during the simulation: stopping`);
        return 130;
      }
    }
    say('running; press Ctrl-C to stop everything');
    const died = Promise.race(runningProcesses().map((p) => p.exited.then(() => p)));
    const reason = await Promise.race([signalled, died]);
    if (typeof reason === 'string') {
      say(`${reason}: stopping`);
      return 0;
    }
    const status = reason.exitStatus();
    say(
      `${reason.name} ${status ? describeExit(status) : 'stopped'} unexpectedly; stopping the rest. ` +
        `Last lines of ${reason.logFile}:\n${reason.logTail()}`,
    );
    return 1;
  } catch (error) {
    process.stderr.write(`[stack] failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await stopAll();
    say('stopped');
  }
}

process.exitCode = await main(process.argv.slice(2));
// Signal handlers and pending timers must not keep a stopped stack's process alive.
process.exit();
