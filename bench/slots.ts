/**
 * Slot search benchmark: 10 business days × 50 people, each with 8 busy blocks per working day,
 * and a busy admin; the median and p99 of one `findSlots` call over 200 runs after warm-up.
 * Run directly: `node --import tsx bench/slots.ts`; `bench/index.ts` may call `benchSlots()`.
 */
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import type { FastTrackCenter } from '../bot/domain/centers';
import { findSlots, type Interval, type SlotSearchInput } from '../bot/domain/slots';
import { mulberry32 as random } from '../local/tenant/seedCalendar';


const CENTER: FastTrackCenter = {
  id: 'bench-redmond',
  name: 'Bench Center',
  region: 'americas',
  timeZone: 'America/Los_Angeles',
  businessHours: { 1: [{ start: '08:00', end: '17:00' }], 2: [{ start: '08:00', end: '17:00' }], 3: [{ start: '08:00', end: '17:00' }], 4: [{ start: '08:00', end: '17:00' }], 5: [{ start: '08:00', end: '17:00' }], 6: [], 7: [] },
  holidays: ['2026-03-16'],
  languages: ['en-US'],
};

/** `perDay` busy blocks (30–90 min on the half hour, 07:00–18:00 local) on each weekday of the 3 weeks after `from`. */
function busyCalendar(rand: () => number, zone: string, from: DateTime, perDay: number): Interval[] {
  const busy: Interval[] = [];
  for (let d = 0; d < 21; d++) {
    const day = from.setZone(zone).startOf('day').plus({ days: d });
    if (day.weekday > 5) continue;
    for (let i = 0; i < perDay; i++) {
      const start = day.set({ hour: 7 }).plus({ minutes: 30 * Math.floor(rand() * 22) });
      const end = start.plus({ minutes: 30 * (1 + Math.floor(rand() * 3)) });
      busy.push({ start: start.toUTC().toISO()!, end: end.toUTC().toISO()! });
    }
  }
  return busy;
}

/** The benchmark's input: a Monday morning search across the US DST change (2026-03-08). */
export function benchInput(): SlotSearchInput {
  const rand = random(20260302);
  const now = DateTime.fromISO('2026-03-02T10:00', { zone: 'America/New_York' });
  return {
    now: now.toJSDate(),
    center: CENTER,
    admin: { timeZone: 'America/New_York', busy: busyCalendar(rand, 'America/New_York', now, 5) },
    people: Array.from({ length: 50 }, (_, i) => ({ id: `ft-bench-${String(i).padStart(3, '0')}`, busy: busyCalendar(rand, CENTER.timeZone, now, 8) })),
    horizonBusinessDays: 10,
  };
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Median and p99 (ms) of one slot search over `runs` runs after `warmUp` runs. */
export async function benchSlots(runs = 200, warmUp = 50): Promise<{ medianMs: number; p99Ms: number; runs: number }> {
  const input = benchInput();
  for (let i = 0; i < warmUp; i++) findSlots(input);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    findSlots(input);
    samples.push(performance.now() - t0);
    if (i % 50 === 49) await new Promise<void>((resolve) => setImmediate(resolve)); // stay polite to the event loop
  }
  samples.sort((a, b) => a - b);
  return { medianMs: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99), runs };
}

if (require.main === module) {
  const input = benchInput();
  const intervals = input.people.reduce((n, p) => n + p.busy.length, 0) + input.admin.busy.length;
  void benchSlots().then((r) => {
    console.log(
      `${'slot search, 10 business days × 50 people'.padEnd(48)} median ${r.medianMs.toFixed(3)} ms  p99 ${r.p99Ms.toFixed(3)} ms  (${r.runs} runs, ${intervals} busy intervals, ${findSlots(input).length} slots)`,
    );
  });
}
