/**
 * Child processes the dev stack and the test harness own: each runs in its own process group (so
 * a terminal's Ctrl-C reaches only the supervisor, which then stops them in order), writes its
 * output to a log file, and is killed with its whole group if the supervisor exits without
 * stopping it. No orphan server survives a clean or an unclean exit of the supervisor.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited, however that happened. */
  readonly exited: Promise<ExitStatus>;
  /** Null while running. */
  exitStatus(): ExitStatus | null;
  /**
   * Sends `signal` to the process, waits up to `graceMs`, then SIGKILLs its whole process group
   * (a server's forked helpers included). Resolves once it is gone.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitStatus>;
  /** The last lines of the log file, for error messages. */
  logTail(lines?: number): string;
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Run as this user and group (PostgreSQL refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
}

const running = new Set<ManagedProcess>();

// Last resort for a supervisor that exits without stopping its children (an uncaught error, a
// vitest worker torn down): kill their groups synchronously, as 'exit' handlers cannot wait.
process.on('exit', () => {
  for (const managed of running) killGroup(managed.pid, 'SIGKILL');
});

/** Every managed process still running in this process, oldest first. */
export function runningProcesses(): ManagedProcess[] {
  return [...running];
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

export function startProcess(options: StartOptions): ManagedProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      detached: true,
      stdio: ['ignore', log, log],
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
  } finally {
    closeSync(log);
  }
  let status: ExitStatus | null = null;
  let spawnError: string | null = null;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      running.delete(managed);
      resolve(status);
    });
    child.once('error', (error) => {
      // spawn failed (missing binary): report it like an exit, with the reason in the log tail.
      status = { code: 127, signal: null };
      spawnError = error.message;
      running.delete(managed);
      resolve(status);
    });
  });
  const managed: ManagedProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    logFile: options.logFile,
    child,
    exited,
    exitStatus: () => status,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (status !== null) return status;
      try {
        child.kill(signal);
      } catch {
        // Already exiting.
      }
      const timer = setTimeout(() => killGroup(managed.pid, 'SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      // Helpers the process forked and left behind go with it.
      killGroup(managed.pid, 'SIGKILL');
      return result;
    },
    logTail(lines = 15) {
      if (spawnError !== null) return spawnError;
      try {
        return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log output)';
      }
    },
  };
  if (child.pid !== undefined) running.add(managed);
  return managed;
}

export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `killed by ${status.signal}` : `exited with code ${status.code}`;
}

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export interface WaitOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Stop waiting as soon as this process exits: it will never become healthy. */
  readonly process?: ManagedProcess;
}

/**
 * Polls `check` until it returns true. Fails with the process's log tail when the process exits
 * first, or with the last check error when the time runs out.
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    const status = options.process?.exitStatus();
    if (options.process && status) {
      throw new StartupError(
        `${options.what}: ${options.process.name} ${describeExit(status)} before it was ready. ` +
          `Last lines of ${options.process.logFile}:\n${options.process.logTail()}`,
      );
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? ` (last error: ${lastError})` : '';
      const log = options.process ? `; see ${options.process.logFile}` : '';
      throw new StartupError(
        `${options.what} not ready after ${options.timeoutMs / 1000}s${detail}${log}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
