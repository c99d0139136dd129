/**
 * At most `limit` pieces of work in flight per account, the rest queued in arrival order up to
 * `queueBound` per account and `totalQueueBound` across all accounts. The account workflow takes at
 * most 10 updates in flight (Temporal's per-workflow limit): beyond that the server refuses them,
 * so the edge queues its own instead. Each waiting request holds its parsed body (up to the body
 * limit), so the total bound is what keeps many busy accounts from exhausting the edge's memory.
 */

/** The account's queue, or the edge's, is full: answer "try again later" without waiting. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

interface Waiter {
  start(): void;
}

interface Lane {
  active: number;
  readonly waiting: Waiter[];
}

export interface LimiterLoad {
  readonly inFlight: number;
  readonly queued: number;
}

export class AccountLimiter {
  private readonly lanes = new Map<string, Lane>();
  private inFlight = 0;
  private queued = 0;

  constructor(
    private readonly limit: number,
    private readonly queueBound: number,
    private readonly totalQueueBound: number,
    /** Called whenever the totals change (metrics). */
    private readonly onLoad: (load: LimiterLoad) => void = () => undefined,
  ) {}

  load(): LimiterLoad {
    return { inFlight: this.inFlight, queued: this.queued };
  }

  /** Accounts with work in flight or waiting (an idle account is forgotten). */
  trackedAccounts(): number {
    return this.lanes.size;
  }

  /**
   * Runs `work` once a slot of `account` is free. Rejects with QueueFullError when the account's
   * queue or the edge's is full, and with the signal's reason when `signal` aborts before a slot is free (the
   * work then never starts).
   */
  async run<T>(account: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    let lane = this.lanes.get(account);
    if (lane === undefined) {
      lane = { active: 0, waiting: [] };
      this.lanes.set(account, lane);
    }
    if (lane.active < this.limit) {
      lane.active++;
      this.inFlight++;
      this.report();
    } else if (lane.waiting.length >= this.queueBound) {
      throw new QueueFullError(
        `${lane.waiting.length} requests of this account are already waiting`,
      );
    } else if (this.queued >= this.totalQueueBound) {
      // The lane has work in flight here (active == limit), so it is not left behind idle.
      throw new QueueFullError(`${this.queued} requests of all accounts are already waiting`);
    } else {
      // A slot is handed over by release(): active and inFlight already count this work.
      await this.wait(account, lane, signal);
    }
    try {
      return await work();
    } finally {
      this.release(account, lane);
    }
  }

  private wait(account: string, lane: Lane, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.queued--;
          resolve();
        },
      };
      const onAbort = () => {
        const at = lane.waiting.indexOf(waiter);
        if (at >= 0) lane.waiting.splice(at, 1);
        this.queued--;
        this.forgetIfIdle(account, lane);
        this.report();
        reject(asError(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      lane.waiting.push(waiter);
      this.queued++;
      this.report();
    });
  }

  /** Hands the slot to the next waiter, or frees it. */
  private release(account: string, lane: Lane): void {
    const next = lane.waiting.shift();
    if (next !== undefined) next.start();
    else {
      lane.active--;
      this.inFlight--;
      this.forgetIfIdle(account, lane);
    }
    this.report();
  }

  private forgetIfIdle(account: string, lane: Lane): void {
    if (lane.active === 0 && lane.waiting.length === 0) this.lanes.delete(account);
  }

  private report(): void {
    this.onLoad(this.load());
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
