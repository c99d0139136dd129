import { describe, expect, it } from 'vitest';
import { eventSize } from '../../billing/call-event.js';
import { scanJsonBody } from '../../edge/json-body-scan.js';

const scan = (text: string, maxDepth?: number) => scanJsonBody(Buffer.from(text), maxDepth);
const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('scanJsonBody', () => {
  it('refuses a body nested deeper than the limit, at the first level past it', () => {
    expect(scan(nested(32)).ok).toBe(true);
    expect(scan(nested(33))).toEqual({ ok: false, depth: 33 });
    expect(scan(`{"a":${nested(12_000)}}`)).toEqual({ ok: false, depth: 33 });
    expect(scan(`{"a":{"b":[1]}}`, 2)).toEqual({ ok: false, depth: 3 });
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(scan(`{"a":"${'['.repeat(100)}\\"${'{'.repeat(100)}"}`)).toMatchObject({ ok: true });
  });

  it('measures each event of a batch as its compact JSON, as received', () => {
    const events = [{ callId: 'a', n: [1, 2] }, 'x', 42, { s: 'é "q" ]' }];
    const compact = JSON.stringify({ events });
    expect(scan(compact)).toEqual({
      ok: true,
      bodyBytes: Buffer.byteLength(compact),
      eventBytes: events.map(eventSize),
    });
    const spaced = JSON.stringify({ other: [[1]], events }, null, 2);
    expect(scan(spaced)).toMatchObject({ eventBytes: events.map(eventSize) });
  });

  it('sizes numbers as written, not as JavaScript writes them again', () => {
    const text = `{"events":[{"big":[1e20,1e20]}]}`;
    expect(scan(text)).toMatchObject({ eventBytes: [`{"big":[1e20,1e20]}`.length] });
    expect(eventSize((JSON.parse(text) as { events: unknown[] }).events[0])).toBeGreaterThan(40);
  });

  it('reads a single event, an empty batch and the last of repeated events keys', () => {
    expect(scan(' { "callId" : "a" } ')).toEqual({ ok: true, bodyBytes: 14, eventBytes: null });
    expect(scan('{"events":[]}')).toMatchObject({ eventBytes: [] });
    expect(scan('{"events":[1],"events":[22,333]}')).toMatchObject({ eventBytes: [2, 3] });
    expect(scan('{"x":"events","y":[1]}')).toMatchObject({ eventBytes: null });
    expect(scan('{"nested":{"events":[1]}}')).toMatchObject({ eventBytes: null });
  });
});
