/**
 * Mid-journey turns of the product against the floor: a bare botbuilder bot (bench/bareBot.ts) on the same
 * Azurite, each bot in its own process, both driven over HTTP at the same concurrency and answering to the
 * same test connector. Each product conversation is in its own local tenant (one request per tenant),
 * driven through the real bot to the services card; each timed turn is a services-card submission that
 * is invalid (validated, state written, card re-shown) or valid (advances to the migration card). The
 * measured part runs in fresh processes after the set-up, after one untimed warm-up turn per conversation.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CardRenderer } from '../bot/cards/cardRenderer';
import { startAzurite } from '../local/azurite';
import { TENANTS, USERS } from '../local/tenant/ids';
import { LocalTenantServer } from '../local/tenant/localTenantServer';
import { defaultSeed, type LocalTenantSeed } from '../local/tenant/seed';
import { CARD_DATA } from '../test/fixtures/cardData';
import { startConnector, type SentActivity } from '../test/helpers/connector';

export interface TurnBenchResult {
  cores: number;
  /** The 1-minute load average when the run ended: the numbers are only comparable on a quiet machine. */
  loadAverage: number;
  conversations: number;
  concurrency: number;
  turnsPerBot: number;
  product: BotNumbers;
  floor: BotNumbers;
  throughputRatio: number;
  p99Ratio: number;
  rssRatio: number;
  cardRendersPerSecond: number;
  largestCard: string;
}
interface BotNumbers {
  turnsPerSecond: number;
  medianMs: number;
  p99Ms: number;
  rssMb: number;
  idleRssMb: number;
}

type Bot = { kind: 'product' | 'bare'; child: ChildProcess; port: number };
type Job = { conversation: number; value: Record<string, unknown> };

const tenantId = (i: number) => `b0000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** The Contoso demo tenant cloned `count` times under fresh tenant ids. */
function benchSeed(count: number): LocalTenantSeed {
  const contoso = defaultSeed().tenants[TENANTS.contoso]!;
  const tenants: LocalTenantSeed['tenants'] = {};
  for (let i = 0; i < count; i++) tenants[tenantId(i)] = contoso;
  return { tenants };
}

function activity(serviceUrl: string, i: number, value: Record<string, unknown>) {
  const tenant = tenantId(i);
  return {
    type: 'message',
    id: `act-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl,
    locale: 'en-US',
    timestamp: new Date().toISOString(),
    from: { id: `29:${USERS.megan}`, name: 'Megan Bowen', aadObjectId: USERS.megan },
    recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
    conversation: { id: `a:${tenant}:${USERS.megan}`, tenantId: tenant, conversationType: 'personal' },
    channelData: { tenant: { id: tenant } },
    value,
  };
}

async function post(port: number, body: unknown): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`turn answered ${response.status}`);
  return response.status;
}

/** Runs the jobs `concurrency` at a time; the duration of each and the wall time of all. */
async function drive(bot: Bot, serviceUrl: string, jobs: Job[], concurrency: number): Promise<{ samples: number[]; wallMs: number }> {
  const samples: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const start = performance.now();
        await post(bot.port, activity(serviceUrl, job.conversation, job.value));
        samples.push(performance.now() - start);
      }
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

function spawnBot(kind: Bot['kind'], env: Record<string, string>): Promise<Bot> {
  const child = fork(path.join(__dirname, 'turnServer.ts'), [kind], { execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve({ kind, child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${kind} bot exited with ${code}`)));
  });
}

/** Resident set size of a bot's process after a full GC, in MB (its V8 heap in use on stderr). */
function rss(bot: Bot): Promise<number> {
  return new Promise((resolve) => {
    bot.child.once('message', (m: Record<'rss' | 'heapUsed' | 'heapTotal' | 'external' | 'arrayBuffers', number>) => {
      console.error(`${bot.kind}: ${Object.entries(m).map(([k, v]) => `${k} ${(v / 1048576).toFixed(1)} MB`).join(', ')}`);
      resolve(m.rss / 1024 / 1024);
    });
    bot.child.send({ rss: true });
  });
}

/**
 * A bot's settled RSS holding its conversations: sampled after a full GC every 2 s for 10 s once its round
 * ended, the lowest kept. V8 returns the heap it grew during a burst some seconds later (its memory
 * reducer), at a different moment in each process; one sample right after the burst measures that timing,
 * not what the bot holds. Both bots are measured the same way.
 */
async function settledRss(bot: Bot): Promise<number> {
  let lowest = Infinity;
  for (let i = 0; i < 6; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 2000));
    lowest = Math.min(lowest, await rss(bot));
  }
  return lowest;
}

function stopBot(bot: Bot): Promise<void> {
  return new Promise((resolve) => {
    bot.child.removeAllListeners('exit');
    bot.child.once('exit', () => resolve());
    bot.child.send({ stop: true });
  });
}

/** The token of the latest card of a conversation whose action submits `verb`. */
function tokenOf(sent: SentActivity[], conversation: number, verb: string): string {
  const id = `a:${tenantId(conversation)}:${USERS.megan}`;
  const re = new RegExp(`"verb":"${verb.replace('.', '\\.')}","token":"([0-9a-f]+)"`);
  for (let k = sent.length - 1; k >= 0; k--) {
    if (sent[k]!.conversationId !== id) continue;
    const m = re.exec(JSON.stringify(sent[k]!.activity.attachments ?? []));
    if (m) return m[1]!;
  }
  throw new Error(`conversation ${conversation} has no ${verb} card`);
}

function stats(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p99: at(0.99) };
}

/** Expansions per second of the largest card template (by size), in every locale in turn, over ~2 s. */
export function benchCardRenders(durationMs = 2000): { card: string; perSecond: number } {
  const renderer = CardRenderer.load();
  const dir = path.join(__dirname, '../cards');
  const largest = renderer.cardNames.map((name) => ({ name, size: fs.statSync(path.join(dir, `${name}.card.json`)).size })).sort((a, b) => b.size - a.size)[0]!.name;
  const data = (CARD_DATA as Record<string, Record<string, unknown>>)[largest];
  if (!data) throw new Error(`no realistic data for ${largest} in test/fixtures/cardData.ts`);
  const locales = renderer.locales;
  for (let i = 0; i < 300; i++) renderer.expand(largest, locales[i % locales.length], data);
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < durationMs) {
    for (let i = 0; i < 50; i++) renderer.expand(largest, locales[count++ % locales.length], data);
  }
  return { card: largest, perSecond: count / ((performance.now() - t0) / 1000) };
}

export async function benchTurns(options: { conversations?: number; concurrency?: number } = {}): Promise<TurnBenchResult> {
  const conversations = options.conversations ?? 1000;
  const concurrency = options.concurrency ?? 8;
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-bench-'));
  const azurite = await startAzurite({ location, blobPort: 0, queuePort: 0 });
  const tenant = new LocalTenantServer({ seed: benchSeed(conversations) });
  await tenant.start(0, '127.0.0.1');
  const connector = await startConnector();
  const env = { BENCH_STORAGE: azurite.connectionString, BENCH_GRAPH: tenant.baseUrlTemplate() };
  const bots: Bot[] = [];
  try {
    let product = await spawnBot('product', env);
    bots.push(product);
    let bare = await spawnBot('bare', env);
    bots.push(bare);
    const all = Array.from({ length: conversations }, (_, i) => i);

    // Every conversation to the services card through the real bot; the floor gets as many turns of state.
    const t0 = performance.now();
    await drive(product, connector.url, all.map((i) => ({ conversation: i, value: { verb: 'request.start' } })), concurrency);
    const identity = all.map((i) => ({ conversation: i, value: { verb: 'core.identity', token: tokenOf(connector.sent, i, 'core.identity'), identityPlan: 'cloudOnly', dnsReady: 'yes' } }));
    connector.sent.splice(0);
    await drive(product, connector.url, identity, concurrency);
    const servicesToken = all.map((i) => tokenOf(connector.sent, i, 'services.submit'));
    connector.sent.splice(0);
    await drive(bare, connector.url, all.map((i) => ({ conversation: i, value: { verb: 'request.start' } })), concurrency);
    await drive(bare, connector.url, all.map((i) => ({ conversation: i, value: { verb: 'core.identity', identityPlan: 'cloudOnly', dnsReady: 'yes' } })), concurrency);
    console.error(`set-up: ${conversations} conversations at the services card in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // Fresh processes for the measured part: what the set-up cost (e.g. the product's 1,000 tenant checks) is not in their RSS.
    for (const bot of bots.splice(0)) await stopBot(bot);
    product = await spawnBot('product', env);
    bots.push(product);
    bare = await spawnBot('bare', env);
    bots.push(bare);
    const idle = { product: await rss(product), bare: await rss(bare) };

    // Timed: an invalid submission (re-prompt) then a valid one (advance), for every conversation, floor and bot alternating.
    const invalid = all.map((i) => ({ conversation: i, value: { verb: 'services.submit', token: servicesToken[i], services: 'exchange,notAService', migration: 'true' } }));
    const valid = all.map((i) => ({ conversation: i, value: { verb: 'services.submit', token: servicesToken[i], services: 'exchange,teams', migration: 'true' } }));
    // Warm-up, untimed: one re-prompt per conversation in each fresh process (JIT, connections, caches), then the timed rounds.
    for (const bot of [bare, product]) await drive(bot, connector.url, invalid, concurrency);
    const runs = { product: { samples: [] as number[], wallMs: 0 }, bare: { samples: [] as number[], wallMs: 0 } };
    const loaded = { product: 0, bare: 0 };
    for (const jobs of [invalid, valid]) {
      for (const bot of [bare, product]) {
        connector.sent.splice(0);
        const run = await drive(bot, connector.url, jobs, concurrency);
        runs[bot.kind].samples.push(...run.samples);
        runs[bot.kind].wallMs += run.wallMs;
        const replies = connector.sent.filter((s) => s.activity.type !== 'typing').length;
        if (replies < jobs.length) throw new Error(`${bot.kind} answered ${replies} of ${jobs.length} turns`);
        // Each bot's RSS after its own last round, settled the same way for both (settledRss).
        if (jobs === valid) loaded[bot.kind] = await settledRss(bot);
      }
      // The product really validated and advanced: every conversation now shows the migration card (after the valid round).
      if (jobs === valid) all.forEach((i) => tokenOf(connector.sent, i, 'migration.submit'));
    }
    const numbers = (kind: 'product' | 'bare'): BotNumbers => {
      const s = stats(runs[kind].samples);
      return { turnsPerSecond: runs[kind].samples.length / (runs[kind].wallMs / 1000), medianMs: s.median, p99Ms: s.p99, rssMb: loaded[kind], idleRssMb: idle[kind] };
    };
    const p = numbers('product');
    const f = numbers('bare');
    const cards = benchCardRenders();
    return {
      cores: os.cpus().length,
      loadAverage: os.loadavg()[0]!,
      conversations,
      concurrency,
      turnsPerBot: runs.product.samples.length,
      product: p,
      floor: f,
      throughputRatio: p.turnsPerSecond / f.turnsPerSecond,
      p99Ratio: p.p99Ms / f.p99Ms,
      rssRatio: p.rssMb / f.rssMb,
      cardRendersPerSecond: cards.perSecond,
      largestCard: cards.card,
    };
  } finally {
    for (const bot of bots) await stopBot(bot);
    await connector.stop();
    await tenant.stop();
    await azurite.stop();
    fs.rmSync(location, { recursive: true, force: true });
  }
}

/** The table for stdout, each measured number next to its target. */
export function turnTable(r: TurnBenchResult): string {
  const row = (what: string, product: string, floor: string, ratio: string, target: string) => `${what.padEnd(34)}${product.padStart(12)}${floor.padStart(12)}${ratio.padStart(10)}   ${target}`;
  const ok = (pass: boolean) => (pass ? 'met' : 'MISSED');
  return [
    `Mid-journey turns: ${r.conversations} conversations (one tenant each), ${r.turnsPerBot} timed turns per bot, ${r.concurrency} in flight, ${r.cores} cores, load average ${r.loadAverage.toFixed(1)}`,
    row('', 'bot', 'floor', 'ratio', 'target'),
    row('throughput (turns/s)', r.product.turnsPerSecond.toFixed(1), r.floor.turnsPerSecond.toFixed(1), r.throughputRatio.toFixed(2), `>= 0.9 ${ok(r.throughputRatio >= 0.9)}`),
    row('median turn (ms)', r.product.medianMs.toFixed(1), r.floor.medianMs.toFixed(1), (r.product.medianMs / r.floor.medianMs).toFixed(2), ''),
    row('p99 turn (ms)', r.product.p99Ms.toFixed(1), r.floor.p99Ms.toFixed(1), r.p99Ratio.toFixed(2), `<= 1.2 ${ok(r.p99Ratio <= 1.2)}`),
    row(`RSS, ${r.conversations} mid-journey (MB)`, r.product.rssMb.toFixed(1), r.floor.rssMb.toFixed(1), r.rssRatio.toFixed(2), `<= 1.2 ${ok(r.rssRatio <= 1.2)}`),
    row('RSS idle (MB)', r.product.idleRssMb.toFixed(1), r.floor.idleRssMb.toFixed(1), (r.product.idleRssMb / r.floor.idleRssMb).toFixed(2), ''),
    row(`card renders/s (${r.largestCard})`, r.cardRendersPerSecond.toFixed(0), '', '', `>= 3500 ${ok(r.cardRendersPerSecond >= 3500)}`),
  ].join('\n');
}

if (require.main === module) {
  benchTurns({ conversations: Number(process.env.BENCH_CONVERSATIONS ?? 1000), concurrency: Number(process.env.BENCH_CONCURRENCY ?? 8) }).then((r) => {
    console.log(turnTable(r));
    console.log(JSON.stringify(r));
  });
}
