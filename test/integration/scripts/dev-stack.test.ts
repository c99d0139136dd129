import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../scripts/stack/ports.js';
import { childEnvironment, parseConfig } from '../../../config/config.js';
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
  const [temporal, ui, smtp, inbox, postgres, metrics, http] = await Promise.all(
    Array.from({ length: 7 }, () => freePort()),
  );
  return {
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    SMTP_PORT: String(smtp),
    MAILPIT_UI_PORT: String(inbox),
    EMBEDDED_POSTGRES_PORT: String(postgres),
    WORKER_METRICS_PORT: String(metrics),
    HTTP_PORT: String(http),
    DATA_DIR: join(inject('runDir'), `dev-stack-${randomBytes(3).toString('hex')}`),
    // The stack under test runs its own servers: none of the harness's.
    DATABASE_URL: undefined,
    TEMPORAL_ADDRESS: undefined,
    SMTP_URL: undefined,
    TASK_QUEUE: undefined,
    WORKFLOW_BUNDLE_PATH: undefined,
  };
}

interface RunningStack {
  readonly process: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  readonly exited: Promise<number | null>;
}

/** Every stack a test started, killed after the tests if still running. */
const started: RunningStack[] = [];

/** Starts the compiled dev stack with `env` and waits until it says it is running. */
async function startDevStack(
  env: Record<string, string | undefined>,
  args: readonly string[],
): Promise<RunningStack> {
  const child = spawn(process.execPath, [join(root, 'dist', 'scripts', 'dev-stack.js'), ...args], {
    env: childEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stack = { process: child, output: () => output, exited };
  started.push(stack);

  // Generous: CI runs other test files beside this one on two cores.
  const deadline = Date.now() + 110_000;
  while (!output.includes('press Ctrl-C to stop everything')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      throw new Error(`the stack did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return stack;
}

describe('the dev stack command', () => {
  let holder: Server | undefined;

  afterAll(async () => {
    holder?.close();
    // A stack a failed test left running: SIGTERM lets it stop its servers and worker (a SIGKILL
    // would orphan them); SIGKILL only if it does not exit in time.
    const running = started.filter((stack) => stack.process.exitCode === null);
    for (const stack of running) stack.process.kill('SIGTERM');
    await Promise.all(
      running.map((stack) =>
        Promise.race([stack.exited, new Promise((resolve) => setTimeout(resolve, 40_000))]),
      ),
    );
    for (const stack of running) stack.process.kill('SIGKILL');
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

  it('starts every part, runs a short simulation, passes the doctor, and stops everything on SIGTERM', async () => {
    const env = await stackEnv();
    const dataDir = env.DATA_DIR!;
    // `npm start` runs `--simulate` with the defaults; a quicker month here.
    const stack = await startDevStack(env, [
      '--simulate',
      '--speed',
      '240h',
      '--calls-per-day',
      '5',
    ]);
    const output = stack.output();
    expect(output).toContain(`Temporal Web UI  http://localhost:${env.TEMPORAL_UI_PORT}`);
    expect(output).toContain(`Mailpit inbox    http://localhost:${env.MAILPIT_UI_PORT}`);
    expect(output).toContain(`HTTP edge        http://localhost:${env.HTTP_PORT} (POST`);
    const health = await fetch(`http://localhost:${env.HTTP_PORT}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(output).not.toContain('the simulation failed');
    // It ends with the summary table and where to look.
    expect(output).toMatch(/^account +plan +used \/ allowance +remaining +overage +charge /m);
    expect(output).toMatch(/^acme-dental-[0-9a-f]{6} +starter-[0-9a-f]{6} +[\d.]+ \/ \d+ /m);
    expect(output).toMatch(
      new RegExp(
        `^ +acme-dental-[0-9a-f]{6} +http://localhost:${env.TEMPORAL_UI_PORT}/namespaces/default/workflows/billing-acme-dental-`,
        'm',
      ),
    );
    expect(output).toContain(`Mailpit          http://localhost:${env.MAILPIT_UI_PORT}`);
    expect(output.indexOf('Where to look:')).toBeLessThan(
      output.indexOf('press Ctrl-C to stop everything'),
    );

    // Its own Temporal dev server, Mailpit, PostgreSQL and worker, all under its data folder.
    const workerPid = Number(/worker pid (\d+)/.exec(output)?.[1]);
    const edgePid = Number(/edge pid (\d+)/.exec(output)?.[1]);
    expect(() => process.kill(edgePid, 0)).not.toThrow();
    expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(3);
    expect(processesMentioning(dataDir)).not.toContain(workerPid);
    expect(() => process.kill(workerPid, 0)).not.toThrow();

    // Without WORKER_IDENTITY, the worker is named after the stack's pid.
    const identity = `${stack.process.pid}@${hostname()}`;
    expect(output).toMatch(new RegExp(`^ +Worker +${identity.replace(/\./g, '\\.')}$`, 'm'));
    const doctor = await runBilling(['doctor'], env);
    expect(doctor.stdout).toContain(`polled by ${identity}`);
    expect(doctor.stdout).toContain('doctor: all checks passed');
    expect(doctor.code).toBe(0);

    stack.process.kill('SIGTERM');
    expect(await stack.exited).toBe(0);
    expect(stack.output()).toMatch(/SIGTERM: stopping\n\[stack\] stopped\n$/);
    // No orphans: every server and the worker are gone.
    expect(processesMentioning(dataDir)).toEqual([]);
    expect(() => process.kill(workerPid, 0)).toThrow();
    expect(() => process.kill(edgePid, 0)).toThrow();
  }, 180_000);

  it('comes up with WORKER_IDENTITY set, its worker polling under that identity', async () => {
    const identity = `stack-test-worker-${randomBytes(3).toString('hex')}`;
    const env = await stackEnv();
    env.WORKER_IDENTITY = identity;
    const stack = await startDevStack(env, []);
    expect(stack.output()).toMatch(new RegExp(`^ +Worker +${identity}$`, 'm'));

    const doctor = await runBilling(['doctor'], env);
    expect(doctor.stdout).toContain(`polled by ${identity}`);
    expect(doctor.stdout).toMatch(/✓ end to end +probe workflow ran on stack-test-worker-/);
    expect(doctor.code).toBe(0);

    stack.process.kill('SIGTERM');
    expect(await stack.exited).toBe(0);
    expect(processesMentioning(env.DATA_DIR!)).toEqual([]);
  }, 150_000);
});
