import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress, progressLine } from '../../../cli/simulate/progress.js';

function captured() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { out, text: () => text };
}

describe('the simulation progress', () => {
  it('draws a bar with the share sent, the events and the simulated day', () => {
    const state = { sent: 1234, total: 3300, day: 10.4, days: 30 };
    expect(progressLine(state, true)).toBe(
      '[########----------------]  37%  1,234 of 3,300 events  day 11 of 30',
    );
    expect(progressLine(state, false)).toBe(' 37%  1,234 of 3,300 events  day 11 of 30');
    expect(progressLine({ sent: 0, total: 0, day: 30, days: 30 }, true)).toMatch(
      /^\[#{24}\] 100% {2}0 of 0 events {2}day 30 of 30$/,
    );
  });

  it('redraws one line on a terminal and ends it when done', () => {
    const { out, text } = captured();
    const progress = new Progress(out, true);
    for (let sent = 0; sent <= 100; sent += 25)
      progress.update({ sent, total: 100, day: 0, days: 30 });
    progress.finish();
    expect(text().split('\n')).toHaveLength(2);
    expect(text().match(/\r/g)).toHaveLength(5);
    expect(text().endsWith('100%  100 of 100 events  day 1 of 30\u001b[K\n')).toBe(true);
  });

  it('prints a plain line at each tenth elsewhere (a pipe, CI), nothing redrawn', () => {
    const { out, text } = captured();
    const progress = new Progress(out, false);
    for (let sent = 0; sent <= 1000; sent++)
      progress.update({ sent, total: 1000, day: 0, days: 30 });
    progress.finish();
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('[simulate]   0%  0 of 1,000 events  day 1 of 30');
    expect(lines[10]).toBe('[simulate] 100%  1,000 of 1,000 events  day 1 of 30');
    expect(text()).not.toContain('\r');
    expect(text()).not.toContain('\u001b');
  });
});
