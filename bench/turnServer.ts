/**
 * One bot in its own process for bench/turns.ts, so its RSS is its own: `product` (the whole app through
 * startApp) or `bare` (bench/bareBot.ts), on the Azurite and Graph given in the environment. Tells the
 * parent its port over IPC and answers `{ rss: true }` with its resident set size after a full GC.
 */
import { startApp } from '../bot/app';
import { loadConfig } from '../bot/config';
import { createLogger } from '../bot/logger';
import { startBareBot } from './bareBot';

async function main(): Promise<void> {
  const kind = process.argv[2];
  const connectionString = process.env.BENCH_STORAGE!;
  let stop: () => Promise<void>;
  let port: number;
  if (kind === 'product') {
    const config = loadConfig({ PORT: '0', AZURE_STORAGE_CONNECTION_STRING: connectionString, GRAPH_BASE_URL: process.env.BENCH_GRAPH!, LOG_LEVEL: 'silent', STORAGE_STATE_CONTAINER: 'bench-product-state', STORAGE_RECORDS_CONTAINER: 'bench-product-records', STORAGE_QUEUE_NAME: 'bench-product-work' });
    const app = await startApp(config, createLogger('silent'));
    ({ port, stop } = app);
  } else if (kind === 'bare') {
    ({ port, stop } = await startBareBot({ connectionString, container: 'bench-bare-state' }));
  } else {
    throw new Error(`unknown bot kind ${kind}`);
  }
  process.on('message', (message: { rss?: boolean; stop?: boolean }) => {
    if (message.rss) {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      process.send!({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers });
    }
    if (message.stop) void stop().finally(() => process.exit(0));
  });
  process.send!({ port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
