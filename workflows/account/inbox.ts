/**
 * The run's inbox: every message is stamped with the workflow time it was handled (its arrival)
 * and queued here, in order. The loop is its only reader, so the ledger has a single writer.
 * Messages someone waits on (an update) carry a waiter number; their answers are kept here until
 * the handler that waits takes them. What a run hands to the next one through continue-as-new
 * is the call events from signals, the only items nobody waits on.
 */
import { condition } from '@temporalio/workflow';
import type { IngestItem } from '../../activities/ingest.js';
import { eventSize, oversizedEvent } from '../../billing/call-event.js';
import type { CallOutcome } from '../../contract/call-outcome.js';
import type { PendingRequest, Reply, RequestKind, RequestTypes } from './request-kinds.js';

/** The size counted for an event rejected as too large: only its id and size are buffered. */
const TOO_LARGE_ITEM_BYTES = 200;

export interface CallItem {
  kind: 'call';
  at: number;
  item: IngestItem;
  /** The event's exact compact size: it bounds batches and what continue-as-new carries. */
  bytes: number;
  /** Null for a signal: nobody waits for its outcome. */
  waiter: number | null;
}
export interface RequestItem {
  kind: 'request';
  at: number;
  request: PendingRequest;
}
export type InboxItem = CallItem | RequestItem;

export interface BatchLimits {
  batchMaxEvents: number;
  batchMaxBytes: number;
}

export class Inbox {
  private readonly items: InboxItem[];
  /** Events taken for the batch being recorded: still pending for the `usage` query. */
  private inFlight = 0;
  private nextWaiter = 0;
  private readonly callAnswers = new Map<number, CallOutcome>();

  /** Events a previous run handed over come first: they arrived before anything this run takes. */
  constructor(carried: readonly IngestItem[]) {
    this.items = carried.map((item) => ({
      kind: 'call',
      at: item.at,
      item,
      bytes: 'event' in item ? eventSize(item.event) : TOO_LARGE_ITEM_BYTES,
      waiter: null,
    }));
  }

  /** Queues a call event; one too large to carry is cut down to its call id and size here. */
  enqueueEvent(event: unknown, waiter: number | null = null): void {
    const at = Date.now();
    const bytes = eventSize(event);
    const tooLarge = oversizedEvent(event, bytes);
    if (tooLarge !== null) {
      const item: IngestItem = { at, tooLarge };
      this.items.push({ kind: 'call', at, item, bytes: TOO_LARGE_ITEM_BYTES, waiter });
    } else {
      this.items.push({ kind: 'call', at, item: { at, event }, bytes, waiter });
    }
  }

  /** Queues events someone waits on; `answered` tells when all have their outcomes. */
  enqueueWaited(events: readonly unknown[]): number[] {
    return events.map((event) => {
      const waiter = this.nextWaiter++;
      this.enqueueEvent(event, waiter);
      return waiter;
    });
  }

  answered(waiters: readonly number[]): boolean {
    return waiters.every((w) => this.callAnswers.has(w));
  }

  /** The outcomes of answered events, in order; each is handed out once. */
  takeAnswers(waiters: readonly number[]): CallOutcome[] {
    return waiters.map((w) => {
      const answer = this.callAnswers.get(w)!;
      this.callAnswers.delete(w);
      return answer;
    });
  }

  /** Queues a request and resolves with its answer. */
  async awaitRequest<K extends RequestKind>(
    kind: K,
    id: string,
    input: RequestTypes[K]['input'],
  ): Promise<Reply<K>> {
    let reply: Reply<K> | null = null;
    this.enqueueRequest(kind, id, input, (r) => (reply = r));
    await condition(() => reply !== null);
    return reply!;
  }

  /** Queues a request; the loop calls `answer` once it has applied (or refused) it. */
  enqueueRequest<K extends RequestKind>(
    kind: K,
    id: string,
    input: RequestTypes[K]['input'],
    answer: (reply: Reply<K>) => void,
  ): void {
    // The one place a kind's input and answer are paired: both are typed by the same K here,
    // which TypeScript cannot carry into the union of all kinds without this assertion.
    const request = { kind, id, input, answer } as PendingRequest;
    this.items.push({ kind: 'request', at: Date.now(), request });
  }

  answerCall(waiter: number | null, answer: CallOutcome): void {
    if (waiter !== null) this.callAnswers.set(waiter, answer);
  }

  get length(): number {
    return this.items.length;
  }

  head(): InboxItem | undefined {
    return this.items[0];
  }

  shiftRequest(): RequestItem | undefined {
    const head = this.items[0];
    if (head?.kind !== 'request') return undefined;
    this.items.shift();
    return head;
  }

  /** Events received and not yet recorded, the batch being recorded included. */
  pendingEvents(): number {
    return this.items.length + this.inFlight;
  }

  /**
   * Takes the run of call events at the head, bounded by count and bytes, as the batch being
   * recorded. None is dated before `notBefore` (the ledger's time: an account created by a client
   * whose clock runs ahead of the server's), since the ledger only moves forward.
   */
  takeBatch(limits: BatchLimits, notBefore: number): CallItem[] {
    const batch: CallItem[] = [];
    let bytes = 0;
    for (;;) {
      const head = this.items[0];
      if (head?.kind !== 'call' || batch.length >= limits.batchMaxEvents) break;
      if (batch.length > 0 && bytes + head.bytes > limits.batchMaxBytes) break;
      if (head.at < notBefore) {
        head.at = notBefore;
        head.item = { ...head.item, at: notBefore };
      }
      batch.push(head);
      bytes += head.bytes;
      this.items.shift();
    }
    this.inFlight = batch.length;
    return batch;
  }

  /** The batch taken last is recorded (or failed for good): it is no longer pending. */
  batchDone(): void {
    this.inFlight = 0;
  }

  onlyCalls(): boolean {
    return this.items.every((i) => i.kind === 'call');
  }

  /** True when anything queued has someone waiting on it. */
  hasWaiters(): boolean {
    return this.items.some((i) => i.kind === 'request' || i.waiter !== null);
  }

  /**
   * True when the whole inbox can travel to the next run: only call events from signals, within
   * `maxBytes` (continue-as-new's input is bounded by Temporal's payload limit).
   */
  carriable(maxBytes: number): boolean {
    let bytes = 0;
    for (const item of this.items) {
      if (item.kind !== 'call' || item.waiter !== null) return false;
      bytes += item.bytes;
    }
    return bytes <= maxBytes;
  }

  /** What continue-as-new carries: the queued call events, in order. */
  carried(): IngestItem[] {
    return this.items.flatMap((i) => (i.kind === 'call' ? [i.item] : []));
  }
}
