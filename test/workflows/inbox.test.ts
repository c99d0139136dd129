import { describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES } from '../../billing/call-event.js';
import { Inbox } from '../../workflows/account/inbox.js';

const limits = { batchMaxEvents: 3, batchMaxBytes: 1_000 };

function event(callId: string, padding = 0): Record<string, unknown> {
  return { callId, note: 'x'.repeat(padding) };
}

describe('the inbox', () => {
  it('takes the run of call events at the head, at most batchMaxEvents of them', () => {
    const inbox = new Inbox([]);
    for (const id of ['a', 'b', 'c', 'd']) inbox.enqueueEvent(event(id));
    const batch = inbox.takeBatch(limits, 0);
    expect(
      batch.map((b) => 'event' in b.item && (b.item.event as { callId: string }).callId),
    ).toEqual(['a', 'b', 'c']);
    // The batch being recorded is still pending for the usage query, until it is done.
    expect(inbox.pendingEvents()).toBe(4);
    inbox.batchDone();
    expect(inbox.pendingEvents()).toBe(1);
  });

  it('closes a batch before the event that would take it past batchMaxBytes, never empty', () => {
    const inbox = new Inbox([]);
    inbox.enqueueEvent(event('big', 1_200));
    inbox.enqueueEvent(event('next', 10));
    inbox.enqueueEvent(event('last', 980));
    expect(inbox.takeBatch(limits, 0)).toHaveLength(1); // over the limit alone: taken alone
    inbox.batchDone();
    expect(inbox.takeBatch(limits, 0)).toHaveLength(1); // 'next' + 'last' is over 1,000 bytes
  });

  it('stops a batch at a request, so requests apply at their place in the order', () => {
    const inbox = new Inbox([]);
    inbox.enqueueEvent(event('a'));
    inbox.enqueueRequest('retryPayment', 'r1', { requestId: 'r1' }, () => {});
    inbox.enqueueEvent(event('b'));
    expect(inbox.takeBatch(limits, 0)).toHaveLength(1);
    expect(inbox.head()?.kind).toBe('request');
    expect(inbox.onlyCalls()).toBe(false);
    expect(inbox.shiftRequest()?.request.id).toBe('r1');
    expect(inbox.head()?.kind).toBe('call');
  });

  it('dates no event before the ledger time it is recorded at', () => {
    const inbox = new Inbox([{ at: 1_000, event: event('early') }]);
    const notBefore = Date.now() + 60_000;
    const [item] = inbox.takeBatch(limits, notBefore);
    expect(item!.at).toBe(notBefore);
    expect(item!.item.at).toBe(notBefore);
  });

  it('cuts an event over the size limit down to its call id and size', () => {
    const inbox = new Inbox([]);
    inbox.enqueueEvent(event('huge', MAX_EVENT_BYTES));
    inbox.enqueueEvent({ callId: 'bad id with spaces', note: 'x'.repeat(MAX_EVENT_BYTES) });
    const [huge, bad] = inbox.takeBatch({ batchMaxEvents: 10, batchMaxBytes: 10_000 }, 0);
    expect(huge!.item).toMatchObject({ tooLarge: { callId: 'huge' } });
    expect('tooLarge' in huge!.item && huge!.item.tooLarge.bytes).toBeGreaterThan(MAX_EVENT_BYTES);
    expect(bad!.item).toMatchObject({ tooLarge: { callId: null } });
  });

  it('carries only signal events, within the byte bound, in order', () => {
    const inbox = new Inbox([]);
    inbox.enqueueEvent(event('a', 100));
    inbox.enqueueEvent(event('b', 100));
    expect(inbox.carriable(10_000)).toBe(true);
    expect(inbox.carriable(150)).toBe(false);
    expect(
      inbox.carried().map((i) => 'event' in i && (i.event as { callId: string }).callId),
    ).toEqual(['a', 'b']);
    // An event someone waits on (an update) is answered by this run, never carried.
    inbox.enqueueWaited([event('c')]);
    expect(inbox.carriable(10_000)).toBe(false);
    expect(inbox.hasWaiters()).toBe(true);
  });

  it('hands each answer out once, in the order the events were sent', () => {
    const inbox = new Inbox([]);
    const waiters = inbox.enqueueWaited([event('a'), event('b')]);
    expect(inbox.answered(waiters)).toBe(false);
    inbox.answerCall(waiters[1]!, { callId: 'b', outcome: 'duplicate' });
    inbox.answerCall(waiters[0]!, { callId: 'a', outcome: 'accepted' });
    inbox.answerCall(null, { callId: 'signal', outcome: 'accepted' }); // nobody waits: dropped
    expect(inbox.answered(waiters)).toBe(true);
    expect(inbox.takeAnswers(waiters).map((o) => o.callId)).toEqual(['a', 'b']);
    expect(inbox.answered(waiters)).toBe(false);
  });
});
