import { performance } from 'node:perf_hooks';
import { Template } from 'adaptivecards-templating';
import { CardRenderer } from '../bot/cards/cardRenderer';
import { CARD_DATA } from '../test/fixtures/cardData';
import { benchBooking } from './booking';
import { benchColdStart, formatColdStart } from './coldStart';
import { benchFanOut, formatFanOut } from './fanOut';
import { benchSlots } from './slots';
import { benchTurns, turnTable } from './turns';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Median and p99 of a list of durations in ms. */
function stats(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p99: at(0.99) };
}

function measure(label: string, iterations: number, run: () => void) {
  for (let i = 0; i < Math.min(200, iterations); i++) run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  const s = stats(samples);
  console.log(`${label.padEnd(48)} median ${s.median.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms  (${iterations} runs)`);
  return s;
}

// Card rendering: the renderer builds each Template once; the baseline constructs one per expansion.
const renderer = CardRenderer.load();
const rawForm = require('../cards/requestForm.card.json') as object;
const strings = renderer.strings('zh-CN');
const baseline = measure('request form, new Template per render (baseline)', 2000, () => {
  new Template(rawForm).expand({ $root: { ...CARD_DATA.requestForm, strings } });
});
const libraryTemplate = new Template(rawForm);
const libraryReused = measure('request form, library Template reused', 2000, () => {
  libraryTemplate.expand({ $root: { ...CARD_DATA.requestForm, strings } });
});
const reused = measure('request form, CardRenderer (compiled, reused)', 2000, () => {
  renderer.expand('requestForm', 'zh-CN', CARD_DATA.requestForm);
});
console.log(`template reuse speed-up: ${(baseline.median / libraryReused.median).toFixed(1)}x, compiled over reused library Template: ${(libraryReused.median / reused.median).toFixed(1)}x (median)`);

/** `BENCH_ONLY=turns,coldStart` runs just those parts (names: slots, booking, coldStart, fanOut, turns); unset runs all. */
const only = (part: string) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(part);

async function main(): Promise<void> {
  const results: Record<string, unknown> = { measuredAt: new Date().toISOString(), cores: os.cpus().length, loadAverage: os.loadavg() };
  if (only('slots')) {
    // Slot finding: 10 business days × 50 people with busy calendars (target: under 5 ms median).
    const slots = (results.slots = await benchSlots());
    console.log(`slot search, 10 business days × 50 busy people      median ${slots.medianMs.toFixed(3)} ms  p99 ${slots.p99Ms.toFixed(3)} ms  (${slots.runs} runs; target median < 5 ms: ${(5 / slots.medianMs).toFixed(1)}x under)`);
  }
  if (only('booking')) {
    // Graph round trips per booking, counted at the local tenant (target: one getSchedule, one create).
    const booking = (results.booking = await benchBooking());
    console.log(`Graph round trips per booking: getSchedule ${booking.getSchedulePerBooking}, create ${booking.createPerBooking}, other ${booking.otherCalls}; propose + book median ${booking.medianMs.toFixed(1)} ms over the local tenant`);
  }
  if (only('coldStart')) {
    // Cold start: spawn → first /healthz 200, fresh DATA_DIR and ports per run (targets: npm start ≤ 3 s, start:prod ≤ 1.5 s).
    const coldStart = (results.coldStart = await benchColdStart());
    for (const result of coldStart) console.log(formatColdStart(result));
  }
  if (only('fanOut')) {
    // Proactive fan-out: 10,000 notices to 10,000 conversations through the limited sender, at the
    // default per-tenant ceiling (50/s, so about 200 s; FANOUT_COUNT and FANOUT_TENANT_RATE change it).
    const fanOut = (results.fanOut = await benchFanOut(Number(process.env.FANOUT_COUNT ?? 10_000), Number(process.env.FANOUT_TENANT_RATE ?? 50)));
    console.log(formatFanOut(fanOut));
  }
  if (only('turns')) {
    // Mid-journey turns, RSS and card renders against a bare botbuilder bot on the same Azurite.
    const turns = (results.turns = await benchTurns({ conversations: Number(process.env.BENCH_CONVERSATIONS ?? 1000), concurrency: Number(process.env.BENCH_CONCURRENCY ?? 8) }));
    console.log(turnTable(turns));
  }
  const out = path.resolve(__dirname, '../.tmp/bench-results.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${path.relative(process.cwd(), out)}`);
}

void main();
