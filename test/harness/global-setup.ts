/**
 * Starts the real servers once for every integration test file, and stops them at the end:
 * a Temporal dev server (in memory, from .tools/bin), PostgreSQL (DATABASE_URL's server, or an
 * embedded one), Mailpit (SMTP plus an API to read what arrived). Also compiles the project
 * (worker and CLI child processes run the compiled code) and bundles the workflows once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, postgresAnswers } from '../../scripts/stack/embedded-postgres.js';
import { startMailpit } from '../../scripts/stack/mailpit.js';
import { runningProcesses, waitUntil } from '../../scripts/stack/managed-process.js';
import { freePort } from '../../scripts/stack/ports.js';
import { customSearchAttributes } from '../../workers/registered-search-attributes.js';
import { startTemporalDevServer } from '../../scripts/stack/temporal-server.js';
import { loadConfig } from '../../config/config.js';
import { bundleWorkflows } from '../../workers/workflow-bundle.js';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Scratch folders of earlier runs whose process is gone. */
function removeStaleRuns(testsDir: string): void {
  if (!existsSync(testsDir)) return;
  for (const entry of readdirSync(testsDir)) {
    const pid = Number(entry.replace(/^run-/, ''));
    if (Number.isInteger(pid) && !pidAlive(pid)) {
      rmSync(join(testsDir, entry), { recursive: true, force: true });
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig();
  for (const tool of ['temporal', 'mailpit']) {
    if (!existsSync(join(config.paths.toolsDir, tool))) {
      throw new Error(`${tool} is not in ${config.paths.toolsDir}: run \`npm run setup\` first`);
    }
  }
  const testsDir = join(config.paths.dataDir, 'test');
  removeStaleRuns(testsDir);
  const runDir = join(testsDir, `run-${process.pid}`);
  const logs = join(runDir, 'logs');
  mkdirSync(logs, { recursive: true });

  const stopAll = async () => {
    await Promise.all(
      runningProcesses().map((p) => p.stop(p.name === 'postgres' ? 'SIGINT' : 'SIGTERM', 10_000)),
    );
    rmSync(join(runDir, 'postgres'), { recursive: true, force: true });
  };

  try {
    // Child workers and the CLI under test run compiled JS; build it now so they match the sources.
    execFileSync(
      process.execPath,
      [join(config.paths.root, 'bin', 'run-built.js'), '--build-only'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );

    const [temporalPort, smtpPort, mailpitPort, postgresPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const [bundle, temporal, mailpit, postgresAdminUrl] = await Promise.all([
      bundleWorkflows(),
      startTemporalDevServer({
        toolsDir: config.paths.toolsDir,
        port: temporalPort,
        uiPort: null,
        dbFile: null,
        namespace: 'default',
        searchAttributes: customSearchAttributes,
        logFile: join(logs, 'temporal.log'),
      }),
      startMailpit({
        toolsDir: config.paths.toolsDir,
        smtpPort,
        uiPort: mailpitPort,
        dbFile: null,
        logFile: join(logs, 'mailpit.log'),
      }),
      config.postgres.embedded
        ? startEmbeddedPostgres({
            dataDir: join(runDir, 'postgres'),
            port: postgresPort,
            database: 'postgres',
            logFile: join(logs, 'postgres.log'),
            ephemeral: true,
          }).then((pg) => pg.adminUrl)
        : waitUntil(() => postgresAnswers(config.postgres.url), {
            what: 'PostgreSQL at DATABASE_URL',
            timeoutMs: 10_000,
          }).then(() => config.postgres.url),
    ]);
    const workflowBundlePath = join(runDir, 'workflow-bundle.js');
    writeFileSync(workflowBundlePath, bundle.code);

    project.provide('temporalAddress', temporal.address);
    project.provide('postgresAdminUrl', postgresAdminUrl);
    project.provide('smtpUrl', mailpit.smtpUrl);
    project.provide('mailpitUrl', `http://127.0.0.1:${mailpitPort}`);
    project.provide('workflowBundlePath', workflowBundlePath);
    project.provide('runDir', runDir);
    project.provide('toolsDir', config.paths.toolsDir);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}
