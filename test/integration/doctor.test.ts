import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { migrations } from '../../db/migrations/index.js';
import {
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from '../../scripts/stack/embedded-postgres.js';
import { runningProcesses } from '../../scripts/stack/managed-process.js';
import { customSearchAttributes } from '../../workers/registered-search-attributes.js';
import { freePort } from '../../scripts/stack/ports.js';
import {
  startTemporalDevServer,
  type TemporalDevServer,
} from '../../scripts/stack/temporal-server.js';
import { runBilling } from '../harness/cli.js';
import { createTestDatabase } from '../harness/database.js';
import { messagesTo } from '../harness/mailbox.js';
import { useTestDatabase } from '../harness/stack.js';
import { harnessEnv, startWorkerProcess, uniqueTaskQueue } from '../harness/workers.js';

const names = Object.keys(migrations);

/** The doctor's report line for one part, e.g. `✗ PostgreSQL  cannot use ...`. */
function line(stdout: string, part: string): string {
  return stdout.split('\n').find((l) => l.trimStart().slice(2).startsWith(part)) ?? '';
}

describe('billing doctor against a stack of its own, then with its PostgreSQL stopped', () => {
  // Servers only this file uses, so stopping them does not disturb other test files.
  let temporal: TemporalDevServer;
  let postgres: EmbeddedPostgres;
  let env: Record<string, string>;

  beforeAll(async () => {
    const dir = join(inject('runDir'), `doctor-${randomBytes(3).toString('hex')}`);
    const [temporalPort, postgresPort] = await Promise.all([freePort(), freePort()]);
    [temporal, postgres] = await Promise.all([
      startTemporalDevServer({
        toolsDir: inject('toolsDir'),
        port: temporalPort,
        uiPort: null,
        dbFile: null,
        namespace: 'default',
        searchAttributes: customSearchAttributes,
        logFile: join(dir, 'temporal.log'),
      }),
      startEmbeddedPostgres({
        dataDir: join(dir, 'postgres'),
        port: postgresPort,
        database: 'billing',
        logFile: join(dir, 'postgres.log'),
        ephemeral: true,
      }),
    ]);
    const db = createDb(postgres.url);
    await migrateToLatest(db);
    await db.destroy();
    const taskQueue = uniqueTaskQueue('doctor');
    env = {
      ...harnessEnv({ url: postgres.url }, taskQueue),
      TEMPORAL_ADDRESS: temporal.address,
      DOCTOR_TIMEOUT_MS: '10000',
    };
    await startWorkerProcess({ url: postgres.url }, taskQueue, 'doctor-worker', env);
  });

  afterAll(async () => {
    await Promise.all(runningProcesses().map((p) => p.stop('SIGKILL', 2_000)));
  });

  it('passes when every part is up, after running a probe workflow end to end', async () => {
    const { code, stdout } = await runBilling(['doctor'], env);
    expect(stdout).toMatch(
      new RegExp(`✓ PostgreSQL .* answers; migrations current \\(${names.length} applied\\)`),
    );
    expect(stdout).toMatch(/✓ SMTP .* answered EHLO/);
    expect(stdout).toMatch(/✓ Temporal .* polled by doctor-worker-/);
    const endToEnd = line(stdout, 'end to end');
    expect(endToEnd).toMatch(
      /✓ end to end +probe workflow ran on doctor-worker-\w+ in [\d.]+s: row 1 in probes/,
    );
    // The probe's email reached the SMTP server.
    const messageId = /email <([^>]+)> sent/.exec(endToEnd)?.[1];
    expect(messageId).toMatch(/^probe\.doctor-/);
    const received = await messagesTo('doctor@billing.local');
    expect(received.map((m) => m.messageId)).toContain(messageId);
    expect(stdout).toContain('doctor: all checks passed');
    expect(code).toBe(0);

    // The same checks as one JSON document.
    const json = await runBilling(['doctor', '--json'], env);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      checks: { part: string; ok: boolean }[];
    };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.part, c.ok])).toEqual([
      ['PostgreSQL', true],
      ['SMTP', true],
      ['Temporal', true],
      ['end to end', true],
    ]);
  });

  it('fails naming PostgreSQL when its server is stopped', async () => {
    await postgres.process.stop('SIGINT');
    const { code, stdout } = await runBilling(['doctor'], env);
    expect(line(stdout, 'PostgreSQL')).toMatch(
      /✗ PostgreSQL +cannot use postgres:\/\/postgres@127\.0\.0\.1:\d+\/billing: .*ECONNREFUSED/,
    );
    expect(line(stdout, 'Temporal')).toMatch(/✓ Temporal/);
    expect(line(stdout, 'end to end')).toMatch(/- end to end +not run: needs PostgreSQL$/);
    expect(stdout).toMatch(/doctor: FAILED: PostgreSQL\n$/);
    expect(code).toBe(1);
  });
});

describe('billing doctor when Temporal lacks the search attributes, then is down', () => {
  // A Temporal server of its own to stop, beside the harness's PostgreSQL and SMTP, which stay up.
  let temporal: TemporalDevServer;
  const database = useTestDatabase('doctor_temporal');

  beforeAll(async () => {
    const dir = join(inject('runDir'), `doctor-temporal-${randomBytes(3).toString('hex')}`);
    temporal = await startTemporalDevServer({
      toolsDir: inject('toolsDir'),
      port: await freePort(),
      uiPort: null,
      dbFile: null,
      namespace: 'default',
      // None registered: the doctor names the ones the account workflow needs.
      searchAttributes: [],
      logFile: join(dir, 'temporal.log'),
    });
  });

  afterAll(async () => {
    await temporal?.process.stop('SIGKILL', 2_000);
  });

  it('fails naming Temporal when the namespace lacks the search attributes', async () => {
    const env = {
      ...harnessEnv(database, uniqueTaskQueue('bare')),
      TEMPORAL_ADDRESS: temporal.address,
    };
    const { code, stdout } = await runBilling(['doctor'], env);
    expect(line(stdout, 'Temporal')).toContain(
      `✗ Temporal    ${temporal.address} namespace 'default' lacks the account workflow's ` +
        `search attributes ${customSearchAttributes.map((a) => `${a.name} (${a.type})`).join(', ')}`,
    );
    expect(stdout).toMatch(/doctor: FAILED: Temporal\n$/);
    expect(code).toBe(1);
  });

  it('fails naming Temporal alone when its server is stopped', async () => {
    await temporal.process.stop('SIGTERM');
    const env = {
      ...harnessEnv(database, uniqueTaskQueue('down')),
      TEMPORAL_ADDRESS: temporal.address,
    };
    const { code, stdout } = await runBilling(['doctor'], env);
    expect(line(stdout, 'PostgreSQL')).toMatch(/✓ PostgreSQL/);
    expect(line(stdout, 'SMTP')).toMatch(/✓ SMTP/);
    expect(line(stdout, 'Temporal')).toContain(
      `✗ Temporal    cannot reach Temporal at ${temporal.address} (TEMPORAL_ADDRESS)`,
    );
    expect(line(stdout, 'end to end')).toMatch(/- end to end +not run: needs Temporal$/);
    expect(stdout).toMatch(/doctor: FAILED: Temporal\n$/);
    expect(code).toBe(1);
  });
});

describe('billing doctor against the harness servers', () => {
  const database = useTestDatabase('doctor');

  it('fails naming Temporal when no worker polls the task queue', async () => {
    const queue = uniqueTaskQueue('nobody');
    const { code, stdout } = await runBilling(['doctor'], harnessEnv(database, queue));
    expect(line(stdout, 'Temporal')).toContain(
      `no worker polls task queue '${queue}' (TASK_QUEUE)`,
    );
    expect(stdout).toMatch(/doctor: FAILED: Temporal\n$/);
    expect(code).toBe(1);
  });

  it('fails naming Temporal, without crashing, when listing the pollers fails', async () => {
    // Temporal answers and has the namespace, but rejects a task queue name this long.
    const queue = 'q'.repeat(1_001);
    const { code, stdout, stderr } = await runBilling(['doctor'], harnessEnv(database, queue));
    expect(line(stdout, 'PostgreSQL')).toMatch(/✓ PostgreSQL/);
    expect(line(stdout, 'Temporal')).toMatch(
      new RegExp(
        `✗ Temporal +${inject('temporalAddress')} namespace 'default' answers, but the pollers of ` +
          `task queue '${queue}' \\(TASK_QUEUE\\) cannot be listed: .+`,
      ),
    );
    expect(line(stdout, 'end to end')).toMatch(/- end to end +not run: needs Temporal$/);
    expect(stdout).toMatch(/doctor: FAILED: Temporal\n$/);
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('fails naming SMTP when nothing answers at SMTP_URL', async () => {
    const closed = `smtp://127.0.0.1:${await freePort()}`;
    const env = { ...harnessEnv(database, uniqueTaskQueue('smtp')), SMTP_URL: closed };
    const { code, stdout } = await runBilling(['doctor'], env);
    expect(line(stdout, 'SMTP')).toMatch(
      new RegExp(`✗ SMTP +cannot talk to ${closed} \\(SMTP_URL\\): .*ECONNREFUSED`),
    );
    expect(stdout).toMatch(/doctor: FAILED: SMTP, Temporal\n$/);
    expect(code).toBe(1);
  });

  it('fails naming PostgreSQL when migrations are pending', async () => {
    const empty = await createTestDatabase('doctor_unmigrated', { migrate: false });
    try {
      const { code, stdout } = await runBilling(
        ['doctor'],
        harnessEnv(empty, uniqueTaskQueue('m')),
      );
      expect(line(stdout, 'PostgreSQL')).toContain(
        `${names.length} migration(s) are pending (${names.join(', ')}): run \`npm run migrate\``,
      );
      expect(code).toBe(1);
    } finally {
      await empty.drop();
    }
  });

  it('fails naming the variable when the configuration does not parse', async () => {
    const { code, stdout } = await runBilling(['doctor'], { TEMPORAL_PORT: 'seventy' });
    expect(stdout).toContain('TEMPORAL_PORT: ');
    expect(stdout).toContain("(got 'seventy')");
    expect(stdout).toMatch(/doctor: FAILED: configuration\n$/);
    expect(code).toBe(1);
  });
});
