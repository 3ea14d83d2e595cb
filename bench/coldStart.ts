import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { startAzurite } from '../local/azurite';
import { freePorts } from '../test/e2e/harness';

/**
 * Cold start: from spawning the process to the first `/healthz` 200, with a fresh DATA_DIR and free
 * ports every run.
 *   - `npm start` on its local defaults (it starts Azurite and the local tenant itself);
 *   - `npm run start:prod` (`node dist/bot/index.js` after `npm run build`) against an Azurite this
 *     bench starts beforehand and a stub Graph base URL.
 * Targets on the 2-core dev machine: ≤ 3 s and ≤ 1.5 s (median).
 */

/** The project measured: this one, or another checkout of it (COLD_START_ROOT, to compare before/after). */
const ROOT = path.resolve(process.env.COLD_START_ROOT || path.join(__dirname, '..'));
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ColdStartResult {
  label: string;
  samplesMs: number[];
  medianMs: number;
  targetMs: number;
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 500, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

/** The command line an npm script runs, read from package.json so the bench follows it. */
function scriptCommand(name: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const command = pkg.scripts[name];
  if (!command) throw new Error(`package.json has no "${name}" script`);
  return command.split(/\s+/);
}

/** Spawns `command` in its own process group, polls /healthz, returns ms to the first 200, then stops the group. */
async function timeToHealthy(command: string[], env: Record<string, string>, port: number): Promise<number> {
  const [bin, ...args] = command;
  const t0 = performance.now();
  const child = spawn(bin === 'node' ? process.execPath : bin!, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = t0 + 60_000;
    while (performance.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited with ${child.exitCode}: ${stderr.trim()}`);
      if (await healthy(`http://127.0.0.1:${port}/healthz`)) return performance.now() - t0;
      await sleep(20);
    }
    throw new Error(`${command.join(' ')} did not answer /healthz within 60 s: ${stderr.trim()}`);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    const force = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await exited;
    clearTimeout(force);
    await sleep(200); // let Azurite (its child) release the ports and files
  }
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchColdStart(runs = Number(process.env.COLD_START_RUNS) || 5): Promise<ColdStartResult[]> {
  const results: ColdStartResult[] = [];
  const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

  // npm start: zero-config local defaults.
  const local: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = tmp('ftbot-cold-local-');
    const [port, tenant, blob, queue] = await freePorts(4);
    try {
      local.push(await timeToHealthy(scriptCommand('start'), { DATA_DIR: dataDir, LOCAL_TENANT_PORT: String(tenant), AZURITE_BLOB_PORT: String(blob), AZURITE_QUEUE_PORT: String(queue) }, port!));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  results.push({ label: 'npm start → /healthz 200 (local defaults)', samplesMs: local, medianMs: median(local), targetMs: 3000 });

  // start:prod: the compiled bot against an Azurite started here and a stub Graph.
  await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT });
  const graph = http.createServer((_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
  const graphUrl = `http://127.0.0.1:${(graph.address() as net.AddressInfo).port}/tenants/{tenantId}`;
  const prod: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const dataDir = tmp('ftbot-cold-prod-');
      const azurite = await startAzurite({ location: dataDir, blobPort: 0, queuePort: 0 });
      const [port] = await freePorts(1);
      try {
        prod.push(await timeToHealthy(scriptCommand('start:prod'), { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, GRAPH_BASE_URL: graphUrl, DATA_DIR: dataDir }, port!));
      } finally {
        await azurite.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await new Promise((resolve) => graph.close(resolve));
  }
  results.push({ label: 'start:prod → /healthz 200 (Azure Storage set)', samplesMs: prod, medianMs: median(prod), targetMs: 1500 });
  return results;
}

export function formatColdStart(r: ColdStartResult): string {
  const verdict = r.medianMs <= r.targetMs ? 'within' : 'OVER';
  return `${r.label.padEnd(48)} median ${r.medianMs.toFixed(0)} ms  (${r.samplesMs.map((s) => s.toFixed(0)).join(', ')}; target ≤ ${r.targetMs} ms: ${verdict})`;
}

if (require.main === module) {
  void benchColdStart().then((results) => results.forEach((r) => console.log(formatColdStart(r))));
}
