import { describe, expect, it } from 'vitest';
import { AccountLimiter, QueueFullError } from '../../edge/account-limiter.js';

/** A piece of work the test finishes when it wants. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AccountLimiter', () => {
  it('runs at most `limit` per account, queues the rest in order, and forgets idle accounts', async () => {
    const loads: number[] = [];
    const limiter = new AccountLimiter(2, 10, 100, (l) => loads.push(l.inFlight));
    const never = new AbortController().signal;
    const started: string[] = [];
    const gates = Array.from({ length: 5 }, gate);
    const runs = gates.map((g, i) =>
      limiter.run('acme', never, async () => {
        started.push(`acme${i}`);
        await g.opened;
        return i;
      }),
    );
    // Another account is not held up by acme's queue.
    const other = limiter.run('other', never, () => Promise.resolve('other'));
    await expect(other).resolves.toBe('other');
    await tick();
    expect(started).toEqual(['acme0', 'acme1']);
    expect(limiter.load()).toEqual({ inFlight: 2, queued: 3 });

    gates[1]!.open();
    await tick();
    expect(started).toEqual(['acme0', 'acme1', 'acme2']);
    for (const g of gates) g.open();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual(['acme0', 'acme1', 'acme2', 'acme3', 'acme4']);
    expect(Math.max(...loads)).toBe(3); // acme's 2 and other's 1
    expect(limiter.load()).toEqual({ inFlight: 0, queued: 0 });
    expect(limiter.trackedAccounts()).toBe(0);
  });

  it('refuses beyond the queue bound and frees a slot when the work fails', async () => {
    const limiter = new AccountLimiter(1, 1, 100, () => undefined);
    const never = new AbortController().signal;
    const g = gate();
    const first = limiter.run('acme', never, async () => {
      await g.opened;
      throw new Error('update failed');
    });
    const queued = limiter.run('acme', never, () => Promise.resolve('queued'));
    await expect(limiter.run('acme', never, () => Promise.resolve('x'))).rejects.toBeInstanceOf(
      QueueFullError,
    );
    g.open();
    await expect(first).rejects.toThrow('update failed');
    await expect(queued).resolves.toBe('queued');
    expect(limiter.trackedAccounts()).toBe(0);
  });

  it('bounds the requests waiting across all accounts, each account below its own bound', async () => {
    const limiter = new AccountLimiter(1, 2, 3, () => undefined);
    const never = new AbortController().signal;
    const g = gate();
    const held = (account: string) => limiter.run(account, never, () => g.opened);
    // a: 1 in flight + 2 waiting; b: 1 in flight + 1 waiting: 3 waiting in all.
    const runs = [held('a'), held('a'), held('a'), held('b'), held('b')];
    await tick();
    expect(limiter.load()).toEqual({ inFlight: 2, queued: 3 });
    // b is under its own bound (2) but the edge's is reached; c still starts (nothing waits).
    await expect(held('b')).rejects.toThrow(/3 requests of all accounts/);
    await expect(held('b')).rejects.toBeInstanceOf(QueueFullError);
    const c = held('c');
    await expect(held('c')).rejects.toBeInstanceOf(QueueFullError);
    expect(limiter.load()).toEqual({ inFlight: 3, queued: 3 });
    g.open();
    await Promise.all([...runs, c]);
    expect(limiter.load()).toEqual({ inFlight: 0, queued: 0 });
    expect(limiter.trackedAccounts()).toBe(0);
  });

  it('never starts work whose request gave up while it waited', async () => {
    const limiter = new AccountLimiter(1, 5, 100, () => undefined);
    const never = new AbortController().signal;
    const g = gate();
    const first = limiter.run('acme', never, () => g.opened);
    const giveUp = new AbortController();
    let ran = false;
    const waiting = limiter.run('acme', giveUp.signal, () => {
      ran = true;
      return Promise.resolve();
    });
    giveUp.abort(new Error('timed out'));
    await expect(waiting).rejects.toThrow('timed out');
    expect(limiter.load()).toEqual({ inFlight: 1, queued: 0 });
    g.open();
    await first;
    expect(ran).toBe(false);
    expect(limiter.load()).toEqual({ inFlight: 0, queued: 0 });
    expect(limiter.trackedAccounts()).toBe(0);
    await expect(limiter.run('acme', giveUp.signal, () => Promise.resolve())).rejects.toThrow(
      'timed out',
    );
  });
});
