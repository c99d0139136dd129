import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../scripts/stack/ports.js';
import { childEnvironment, parseConfig } from '../../../workers/config.js';
import { runBilling, runCompiled } from '../../harness/cli.js';

const root = parseConfig({}).paths.root;

/** Pids of running processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

async function stackEnv(): Promise<Record<string, string | undefined>> {
  const [temporal, ui, smtp, inbox, postgres] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  return {
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    SMTP_PORT: String(smtp),
    MAILPIT_UI_PORT: String(inbox),
    EMBEDDED_POSTGRES_PORT: String(postgres),
    DATA_DIR: join(inject('runDir'), `dev-stack-${randomBytes(3).toString('hex')}`),
    // The stack under test runs its own servers: none of the harness's.
    DATABASE_URL: undefined,
    TEMPORAL_ADDRESS: undefined,
    SMTP_URL: undefined,
    TASK_QUEUE: undefined,
    WORKFLOW_BUNDLE_PATH: undefined,
  };
}

describe('the dev stack command', () => {
  let holder: Server | undefined;
  let stack: ChildProcess | undefined;

  afterAll(() => {
    holder?.close();
    stack?.kill('SIGKILL');
  });

  it('refuses to start when a port is taken, naming the port, its use and the variable', async () => {
    const env = await stackEnv();
    holder = createServer();
    await new Promise<void>((resolve) =>
      holder!.listen(Number(env.SMTP_PORT), '127.0.0.1', resolve),
    );
    const { code, stderr } = await runCompiled(join('scripts', 'dev-stack.js'), [], env);
    expect(stderr).toContain(
      `port ${env.SMTP_PORT} (Mailpit SMTP) is already in use; free it or set SMTP_PORT=<another port>`,
    );
    expect(code).toBe(1);
    // Nothing was started.
    expect(existsSync(join(env.DATA_DIR!, 'logs'))).toBe(false);
  });

  it('starts every part, runs the demo, passes the doctor, and stops everything on SIGTERM', async () => {
    const env = await stackEnv();
    const dataDir = env.DATA_DIR!;
    stack = spawn(process.execPath, [join(root, 'dist', 'scripts', 'dev-stack.js'), '--demo'], {
      env: childEnvironment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => stack!.once('exit', resolve));

    const deadline = Date.now() + 90_000;
    while (!output.includes('press Ctrl-C to stop everything')) {
      if (Date.now() > deadline || stack.exitCode !== null) {
        throw new Error(`the stack did not come up:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(output).toContain(`Temporal Web UI  http://localhost:${env.TEMPORAL_UI_PORT}`);
    expect(output).toContain(`Mailpit inbox    http://localhost:${env.MAILPIT_UI_PORT}`);
    expect(output).toMatch(/^acme-dental +starter +\S+ to \S+ +closed/m);
    expect(output).toMatch(/statements emailed to owner@acme-dental\.example/);
    expect(output).not.toContain('the demo failed');

    // Its own Temporal dev server, Mailpit, PostgreSQL and worker, all under its data folder.
    const workerPid = Number(/worker pid (\d+)/.exec(output)?.[1]);
    expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(3);
    expect(processesMentioning(dataDir)).not.toContain(workerPid);
    expect(() => process.kill(workerPid, 0)).not.toThrow();

    const doctor = await runBilling(['doctor'], env);
    expect(doctor.stdout).toContain('doctor: all checks passed');
    expect(doctor.code).toBe(0);

    stack.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/SIGTERM: stopping\n\[stack\] stopped\n$/);
    // No orphans: every server and the worker are gone.
    expect(processesMentioning(dataDir)).toEqual([]);
    expect(() => process.kill(workerPid, 0)).toThrow();
  });
});
