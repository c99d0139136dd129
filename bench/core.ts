/**
 * `npm run bench:core`: call events per second through the billing core on one core: validation
 * (size, schema, rejection checks, dedup) + rating + ledger booking (with alerts), for one busy
 * account over a month. Printed beside a raw baseline measured in the same run: the same events
 * summed naively (Date.parse on two fields, no validation, no ledger), the least any consumer does.
 * The core runs twice: as the rules' version 1 left it, and with version 2's work on every booking
 * (an overage limit writing off, an auto top-up rule checked after each operation).
 */
import { classifyCall, InMemoryCallDedup } from '../billing/call-event.js';
import { applyOperation, createLedger, type AutoTopUpRule } from '../billing/ledger.js';
import type { Plan } from '../billing/plan.js';
import { parsePlan } from '../billing/plan.js';
import { formatInstant, parseInstant } from '../billing/units.js';

const EVENTS = Number(process.argv[2] ?? 200_000);
const ROUNDS = 5;

/** A small deterministic PRNG (mulberry32) so every run benchmarks the same events. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const createdAt = parseInstant('2026-03-01T00:00:00Z')!;
const account = {
  id: 'bench',
  timeZone: 'Europe/Berlin',
  createdAt,
  billingAnchor: null,
  graceSeconds: 3600,
  maxLateSeconds: 35 * 86_400,
};
const plan = parsePlan({
  id: 'growth',
  allowanceCredits: '50000',
  creditsPerMinute: '1',
  rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
  minimumSeconds: 10,
  freeSeconds: 3,
  overagePricePerCredit: '0.12',
  currency: 'USD',
  alertThresholdsPercent: [50, 80, 100],
});

/** Version 2 at work: a limit of 1,000 credits past the allowance, top-ups of 500 below 100. */
const limitedPlan: Plan = { ...plan, overageLimitMillicredits: '1000000' };
const topUpRule: AutoTopUpRule = {
  belowMillicredits: '100000',
  millicredits: '500000',
  maxPerCycle: 100,
};

interface Arrival {
  at: number;
  event: Record<string, unknown>;
}

function makeEvents(count: number): Arrival[] {
  const random = prng(42);
  const span = 27 * 86_400_000;
  const arrivals: Arrival[] = [];
  for (let i = 0; i < count; i++) {
    const answered = createdAt + Math.floor((i / count) * span);
    const seconds = 5 + Math.floor(random() * 600);
    const ended = answered + seconds * 1000 + Math.floor(random() * 1000);
    const r = random();
    const event: Record<string, unknown> = {
      callId: `CA${i.toString(36)}`,
      accountId: 'bench',
      direction: r < 0.9 ? 'inbound' : 'outbound',
      status: r < 0.95 ? 'completed' : 'no-answer',
      answeredAt: r < 0.95 ? formatInstant(answered) : null,
      endedAt: formatInstant(ended),
      handoffAt: null,
      holdSeconds: r < 0.2 ? 15 : 0,
      systemSeconds: 0,
      parentCallId: null,
    };
    if (r > 0.99) event.endedAt = 'not a time'; // 1% bad events
    arrivals.push({ at: ended + 2_000, event });
    if (r < 0.05) arrivals.push({ at: ended + 30_000, event: { ...event } }); // 5% redelivered
  }
  return arrivals.sort((a, b) => a.at - b.at);
}

interface CoreSetup {
  plan: Plan;
  rule: AutoTopUpRule | null;
}

function runCore(
  arrivals: Arrival[],
  setup: CoreSetup = { plan, rule: null },
): { ms: number; accepted: number; used: string } {
  const dedup = new InMemoryCallDedup();
  let { state } = createLedger(account, setup.plan);
  if (setup.rule !== null) {
    state = applyOperation(state, { type: 'setAutoTopUp', at: createdAt, rule: setup.rule }).state;
  }
  const facts = { accountId: account.id, createdAt, maxLateSeconds: account.maxLateSeconds };
  let accepted = 0;
  const start = performance.now();
  for (const { at, event } of arrivals) {
    const outcome = classifyCall(event, facts, at, dedup);
    if (outcome.outcome !== 'accepted') continue;
    accepted++;
    state = applyOperation(state, { type: 'bookCall', at, call: outcome.call }).state;
  }
  const ms = performance.now() - start;
  return { ms, accepted, used: state.cycles.at(-1)!.usedMillicredits };
}

function runRaw(arrivals: Arrival[]): { ms: number; seconds: number } {
  let seconds = 0;
  const start = performance.now();
  for (const { event } of arrivals) {
    if (typeof event.answeredAt !== 'string') continue;
    const duration = Date.parse(event.endedAt as string) - Date.parse(event.answeredAt);
    if (duration > 0) seconds += Math.ceil(duration / 1000);
  }
  return { ms: performance.now() - start, seconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const arrivals = makeEvents(EVENTS);
process.stdout.write(
  `bench:core  ${arrivals.length.toLocaleString('en-US')} deliveries (${EVENTS.toLocaleString('en-US')} calls, ~5% redelivered, ~1% invalid), one account, one core\n`,
);
const limited: CoreSetup = { plan: limitedPlan, rule: topUpRule };
runCore(arrivals.slice(0, 20_000)); // warm-up
runCore(arrivals.slice(0, 20_000), limited);
runRaw(arrivals.slice(0, 20_000));
const core: number[] = [];
const coreV2: number[] = [];
const raw: number[] = [];
let last = { accepted: 0, used: '0' };
for (let round = 0; round < ROUNDS; round++) {
  const c = runCore(arrivals);
  core.push(c.ms);
  last = c;
  coreV2.push(runCore(arrivals, limited).ms);
  raw.push(runRaw(arrivals).ms);
}
const coreRate = arrivals.length / (median(core) / 1000);
const coreV2Rate = arrivals.length / (median(coreV2) / 1000);
const rawRate = arrivals.length / (median(raw) / 1000);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
process.stdout.write(
  [
    `core (validate + dedup + rate + ledger): ${fmt(coreRate)} events/s  (median of ${ROUNDS}, ${median(core).toFixed(1)} ms)`,
    `raw baseline (Date.parse + sum):         ${fmt(rawRate)} events/s  (median of ${ROUNDS}, ${median(raw).toFixed(1)} ms)`,
    `ratio core / raw:                        ${(coreRate / rawRate).toFixed(3)}`,
    `core with a limit and an auto top-up:    ${fmt(coreV2Rate)} events/s  (median of ${ROUNDS}, ${median(coreV2).toFixed(1)} ms; ratio ${(coreV2Rate / rawRate).toFixed(3)})`,
    `goal >= 300,000 events/s:                ${coreRate >= 300_000 ? 'met' : 'NOT met'}`,
    `check: ${last.accepted.toLocaleString('en-US')} calls accepted, ${last.used} millicredits used in the open cycle`,
    '',
  ].join('\n'),
);
