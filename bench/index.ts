import { performance } from 'node:perf_hooks';
import { Template } from 'adaptivecards-templating';
import { CardRenderer } from '../bot/cards/cardRenderer';
import { CARD_DATA } from '../test/fixtures/cardData';

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
const reused = measure('request form, CardRenderer (template reused)', 2000, () => {
  renderer.expand('requestForm', 'zh-CN', CARD_DATA.requestForm);
});
console.log(`template reuse speed-up: ${(baseline.median / reused.median).toFixed(1)}x (median)`);
