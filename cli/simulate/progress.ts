/**
 * The simulation's progress on stderr: on a terminal, one line redrawn in place (a bar, the events
 * sent, the simulated day); elsewhere (a pipe, a log file, CI) a plain line at every tenth, so logs
 * stay readable.
 */
import type { Writable } from 'node:stream';

export interface ProgressState {
  readonly sent: number;
  readonly total: number;
  /** Simulated days elapsed (may be fractional) of `days`. */
  readonly day: number;
  readonly days: number;
}

const BAR_WIDTH = 24;

function percentOf(state: ProgressState): number {
  return state.total === 0 ? 100 : Math.floor((state.sent * 100) / state.total);
}

/** `[#########---------------]  37%  1,234 of 3,300 events  day 11 of 30` */
export function progressLine(state: ProgressState, bar: boolean): string {
  const percent = percentOf(state);
  const filled = Math.floor((percent * BAR_WIDTH) / 100);
  const day = Math.min(state.days, Math.floor(state.day) + 1);
  const text =
    `${String(percent).padStart(3)}%  ${state.sent.toLocaleString('en-US')} of ` +
    `${state.total.toLocaleString('en-US')} events  day ${day} of ${state.days}`;
  return bar ? `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${text}` : text;
}

export class Progress {
  private lastTenth = -1;
  private drawn = false;

  /** `redraw`: a terminal that takes a carriage return (not CI). */
  constructor(
    private readonly out: Writable,
    private readonly redraw: boolean,
    private readonly prefix = '[simulate] ',
  ) {}

  update(state: ProgressState): void {
    if (this.redraw) {
      this.out.write(`\r${this.prefix}${progressLine(state, true)}\u001b[K`);
      this.drawn = true;
      return;
    }
    const tenth = Math.floor(percentOf(state) / 10);
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    this.out.write(`${this.prefix}${progressLine(state, false)}\n`);
  }

  /** Ends the redrawn line, so what follows starts on a line of its own. */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
