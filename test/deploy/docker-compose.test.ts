/**
 * docker-compose.yml as Compose itself resolves it (`docker-compose config`; Docker cannot run
 * here, so nothing is started): the services, the pinned versions, health checks and start order,
 * the Temporal schema step, the search attributes registered (exactly those the workflow sets),
 * and secrets mounted from files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customSearchAttributes } from '../../workers/registered-search-attributes.js';
import { childEnvironment, parseConfig } from '../../config/config.js';
import { assertEdgeLinkSecret } from '../../config/link-secret-guard.js';

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string | string[] };
  ports?: (string | { host_ip?: string; published: string | number; target: number })[];
  restart?: string;
  secrets?: (string | { source: string })[];
}

interface Compose {
  services: Record<string, Service>;
  secrets?: Record<string, { file: string }>;
}

const root = parseConfig({}).paths.root;
const secrets = [
  'BILLING_DB_PASSWORD_FILE',
  'TEMPORAL_DB_PASSWORD',
  'BILLING_LINK_SECRET_FILE',
] as const;

/** `docker-compose config` (Compose v1, as CI installs it; else the v2 plugin) as JSON. */
function composeDocument(env: Record<string, string | undefined>): Compose {
  // An empty env file, so a developer's .env cannot change what is checked.
  const envFile = join(mkdtempSync(join(tmpdir(), 'compose-')), 'empty.env');
  writeFileSync(envFile, '');
  const options = { cwd: root, env: childEnvironment(env), encoding: 'utf8' as const };
  let json: string;
  try {
    const yaml = execFileSync('docker-compose', ['--env-file', envFile, 'config'], options);
    json = execFileSync(
      'python3',
      ['-c', 'import sys, yaml, json; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
      { ...options, input: yaml },
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    json = execFileSync(
      'docker',
      ['compose', '--env-file', envFile, 'config', '--format', 'json'],
      options,
    );
  }
  return JSON.parse(json) as Compose;
}

function composeConfig(env: Record<string, string | undefined>): Record<string, Service> {
  return composeDocument(env).services;
}

/** Stands in for the mounted secret files: a 32+ character value named after the file. */
const readMountedSecret = (path: string) => `${basename(path)}-${'x'.repeat(32)}`;

function secretNames(s: Service): string[] {
  return (s.secrets ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.source));
}

function text(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(' ') : (value ?? '');
}

function version(image: string | undefined, repository: string): number[] {
  const match = new RegExp(`^${repository}:(\\d+)\\.(\\d+)\\.(\\d+)(-.*)?$`).exec(image ?? '');
  if (!match) throw new Error(`${String(image)} is not ${repository} at a pinned x.y.z version`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function atLeast(actual: number[], minimum: number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    if (actual[i]! !== minimum[i]!) return actual[i]! > minimum[i]!;
  }
  return true;
}

function publishedPorts(service: Service): string[] {
  return (service.ports ?? []).map((p) =>
    typeof p === 'string'
      ? p.replace(/\/tcp$/, '')
      : `${p.host_ip ?? '0.0.0.0'}:${String(p.published)}:${p.target}`,
  );
}

function service(services: Record<string, Service>, name: string): Service {
  const found = services[name];
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
}

describe('docker-compose.yml', () => {
  const defaults = composeConfig(Object.fromEntries(secrets.map((name) => [name, undefined])));

  it('has the servers, the one-shot setup steps, the worker and the edge', () => {
    expect(Object.keys(defaults).sort()).toEqual([
      'edge',
      'mailpit',
      'postgres',
      'temporal',
      'temporal-postgres',
      'temporal-schema',
      'temporal-setup',
      'temporal-ui',
      'worker',
    ]);
  });

  it('pins Temporal server 1.29.2 or newer, with admin tools of the same minor version', () => {
    const server = version(service(defaults, 'temporal').image, 'temporalio/server');
    expect(atLeast(server, [1, 29, 2])).toBe(true);
    for (const name of ['temporal-schema', 'temporal-setup']) {
      const tools = version(service(defaults, name).image, 'temporalio/admin-tools');
      expect(tools.slice(0, 2)).toEqual(server.slice(0, 2));
    }
    for (const name of ['postgres', 'temporal-postgres', 'temporal-ui', 'mailpit']) {
      expect(service(defaults, name).image).toMatch(/:v?\d+(\.\d+)*$/);
    }
  });

  it('health-checks every long-running service and restarts it; one-shots run once', () => {
    const oneShots = ['temporal-schema', 'temporal-setup'];
    for (const [name, s] of Object.entries(defaults)) {
      if (oneShots.includes(name)) {
        expect(s.restart, name).toBe('no');
        continue;
      }
      expect(s.restart, name).toBe('unless-stopped');
      // The UI is the one thing nothing waits for, and its image has no probe tool.
      if (name !== 'temporal-ui') expect(text(s.healthcheck?.test), name).not.toBe('');
    }
    expect(text(service(defaults, 'worker').healthcheck?.test)).toContain(
      'http://127.0.0.1:9464/metrics',
    );
    expect(text(service(defaults, 'edge').healthcheck?.test)).toContain(
      'http://127.0.0.1:3000/healthz',
    );
  });

  it("sets up Temporal's PostgreSQL schema in a step the server waits for", () => {
    const schema = service(defaults, 'temporal-schema');
    const temporal = service(defaults, 'temporal');
    expect(temporal.depends_on?.['temporal-schema']?.condition).toBe(
      'service_completed_successfully',
    );
    expect(schema.depends_on?.['temporal-postgres']?.condition).toBe('service_healthy');
    expect(schema.environment).toMatchObject({
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: 'temporal-postgres',
    });
    expect(temporal.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'temporal-postgres',
      DBNAME: 'temporal',
      VISIBILITY_DBNAME: 'temporal_visibility',
    });
    const script = text(schema.command);
    for (const [db, schemaName] of [
      ['temporal', 'postgresql/v12/temporal'],
      ['temporal_visibility', 'postgresql/v12/visibility'],
    ]) {
      expect(script).toContain(`--db ${db} setup-schema -v 0.0`);
      expect(script).toContain(`--db ${db} update-schema --schema-name ${schemaName}`);
    }
    expect(script).toMatch(
      /for db in temporal temporal_visibility; do\s+temporal-sql-tool --db "\$\$?db" create-database/,
    );
  });

  it('registers exactly the search attributes the account workflow sets, before the worker starts', () => {
    const setup = service(defaults, 'temporal-setup');
    expect(setup.depends_on?.temporal?.condition).toBe('service_healthy');
    const script = text(setup.command);
    expect(script).toContain('temporal operator search-attribute create');
    const registered = [...script.matchAll(/--name (\S+) --type (\S+)/g)].map((m) => ({
      name: m[1],
      type: m[2],
    }));
    expect(registered).toEqual(customSearchAttributes.map((a) => ({ ...a })));
    expect(service(defaults, 'worker').depends_on?.['temporal-setup']?.condition).toBe(
      'service_completed_successfully',
    );
  });

  it('runs the worker and the edge from one image, with environments the config accepts', () => {
    const worker = service(defaults, 'worker');
    const edge = service(defaults, 'edge');
    expect(edge.image).toBe(worker.image);
    expect(text(edge.command)).toBe('node dist/edge/main.js');
    expect(edge.environment).toMatchObject({ HTTP_HOST: '0.0.0.0', HTTP_PORT: '3000' });
    for (const s of [worker, edge]) {
      const config = parseConfig(
        Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v ?? ''])),
        readMountedSecret,
      );
      expect(config.postgres.url).toBe(
        `postgres://billing:billing_db_password-${'x'.repeat(32)}@postgres:5432/billing`,
      );
      expect(config.temporal.address).toBe('temporal:7233');
      expect(config.links.secretIsDevDefault).toBe(false);
    }
    // The edge listens on 0.0.0.0 there: it must not run with the public development key.
    expect(() =>
      assertEdgeLinkSecret(
        parseConfig(edge.environment as Record<string, string>, readMountedSecret),
      ),
    ).not.toThrow();
    const workerConfig = parseConfig(
      worker.environment as Record<string, string>,
      readMountedSecret,
    );
    expect(workerConfig.worker.metricsBindAddress).toBe('0.0.0.0:9464');
    expect(edge.environment?.DATABASE_URL).toBe(worker.environment?.DATABASE_URL);
  });

  it('publishes ports on 127.0.0.1 only: Temporal, the UI, the ledger, Mailpit, metrics, the edge', () => {
    const published = Object.values(defaults).flatMap(publishedPorts);
    expect(published.sort()).toEqual(
      [
        '127.0.0.1:1025:1025',
        '127.0.0.1:3000:3000',
        '127.0.0.1:54329:5432',
        '127.0.0.1:7233:7233',
        '127.0.0.1:8025:8025',
        '127.0.0.1:8233:8080',
        '127.0.0.1:9464:9464',
        '127.0.0.1:9465:9465',
      ].sort(),
    );
  });

  it('mounts the ledger password and the link key as secret files, never in the environment', () => {
    const document = composeDocument(Object.fromEntries(secrets.map((name) => [name, undefined])));
    expect(Object.keys(document.secrets ?? {}).sort()).toEqual([
      'billing_db_password',
      'billing_link_secret',
    ]);
    expect(document.secrets?.billing_link_secret?.file).toBe(
      join(root, 'secrets', 'billing_link_secret'),
    );
    const postgres = service(defaults, 'postgres');
    expect(postgres.environment?.POSTGRES_PASSWORD_FILE).toBe('/run/secrets/billing_db_password');
    expect(secretNames(postgres)).toEqual(['billing_db_password']);
    for (const name of ['worker', 'edge']) {
      const s = service(defaults, name);
      expect(secretNames(s).sort()).toEqual(['billing_db_password', 'billing_link_secret']);
      expect(s.environment).toMatchObject({
        DATABASE_URL: 'postgres://billing@postgres:5432/billing',
        DATABASE_PASSWORD_FILE: '/run/secrets/billing_db_password',
        BILLING_LINK_SECRET_FILE: '/run/secrets/billing_link_secret',
      });
      // No secret value sits in any service's environment.
      expect(Object.keys(s.environment ?? {})).not.toContain('BILLING_LINK_SECRET');
      expect(Object.keys(s.environment ?? {})).not.toContain('POSTGRES_PASSWORD');
    }
    expect(Object.keys(postgres.environment ?? {})).not.toContain('POSTGRES_PASSWORD');

    // The files can live elsewhere; Temporal's password (its images read no files) is from the env.
    const moved = composeDocument({
      BILLING_DB_PASSWORD_FILE: '/etc/billing/db-password',
      BILLING_LINK_SECRET_FILE: '/etc/billing/link-secret',
      TEMPORAL_DB_PASSWORD: 'temporal-secret-from-env',
    });
    expect(moved.secrets).toEqual({
      billing_db_password: { file: '/etc/billing/db-password' },
      billing_link_secret: { file: '/etc/billing/link-secret' },
    });
    const given = moved.services;
    expect(service(given, 'temporal-postgres').environment?.POSTGRES_PASSWORD).toBe(
      'temporal-secret-from-env',
    );
    expect(service(given, 'temporal-schema').environment?.SQL_PASSWORD).toBe(
      'temporal-secret-from-env',
    );
    expect(service(given, 'temporal').environment?.POSTGRES_PWD).toBe('temporal-secret-from-env');
  });
});
