import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { startBotProcess, type BotProcess } from '../e2e/harness';

const ROOT = path.resolve(__dirname, '../..');
// Inside the project, so the compiled bot resolves node_modules as it does in dist/.
const OUT = path.join(ROOT, '.tmp', 'dist-test');
const ENTRY = path.join(OUT, 'bot', 'index.js');
const run = promisify(execFile);

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The value imports (not `import type`) of a TypeScript file: [specifier, resolved path or package]. */
function valueImports(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of source.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

describe('the production build', function () {
  this.timeout(180_000);

  describe('what ships', () => {
    const botFiles = filesUnder(path.join(ROOT, 'bot')).filter((f) => f.endsWith('.ts'));

    it('has no module in bot/ that imports the local world, the tests, tsx, Azurite or the Playground', () => {
      const offenders: string[] = [];
      for (const file of botFiles) {
        for (const spec of valueImports(file)) {
          const target = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec;
          const inside = (dir: string) => target === path.join(ROOT, dir) || target.startsWith(path.join(ROOT, dir) + path.sep);
          if (inside('local') || inside('test') || /^(azurite|tsx|@microsoft\/m365agentsplayground)(\/|$)/.test(target)) offenders.push(`${path.relative(ROOT, file)} → ${spec}`);
        }
      }
      assert.deepEqual(offenders, []);
      assert.ok(botFiles.length > 50, 'the scan saw the bot');
    });

    it('needs only production dependencies for what bot/ imports, and npm ci --omit=dev installs none of azurite, tsx or the Playground', () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
      const packages = new Set<string>();
      for (const file of botFiles) {
        for (const spec of valueImports(file)) {
          if (spec.startsWith('.') || spec.startsWith('node:')) continue;
          packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
      assert.deepEqual([...packages].filter((p) => !(p in pkg.dependencies)), [], 'bot/ imports only production dependencies');
      // npm ci --omit=dev skips exactly the lock entries marked dev.
      for (const devOnly of ['azurite', 'tsx', '@microsoft/m365agentsplayground', 'typescript', 'mocha']) {
        assert.equal(lock.packages[`node_modules/${devOnly}`]?.dev, true, `${devOnly} is not installed with --omit=dev`);
      }
    });
  });

  describe('compiled and started with production settings', () => {
    let azurite: AzuriteInstance;
    let graph: http.Server;
    let graphUrl: string;
    let dataDir: string;

    before(async () => {
      fs.rmSync(OUT, { recursive: true, force: true });
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-prod-'));
      graph = http.createServer((_req, res) => {
        res.statusCode = 200;
        res.end('{}');
      });
      await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
      graphUrl = `http://127.0.0.1:${(graph.address() as AddressInfo).port}/tenants/{tenantId}`;
      [azurite] = await Promise.all([
        startAzurite({ location: dataDir, blobPort: 0, queuePort: 0 }),
        run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', OUT], { cwd: ROOT }),
      ]);
    });
    after(async () => {
      await azurite?.stop();
      await new Promise((resolve) => graph?.close(resolve));
      fs.rmSync(OUT, { recursive: true, force: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('compiles bot/ with its cards and data files, and nothing of the local world', () => {
      const shipped = filesUnder(OUT).map((f) => path.relative(OUT, f));
      assert.ok(shipped.includes(path.join('bot', 'index.js')));
      assert.ok(shipped.includes(path.join('bot', 'data', 'eligibility.json')));
      assert.ok(shipped.some((f) => f.startsWith(path.join('cards', 'locales'))));
      assert.deepEqual(shipped.filter((f) => /^(local|test|bench|scripts)[\\/]/.test(f) || f.endsWith('.ts')), []);
    });

    it('runs as plain JavaScript against Azure Storage and Graph, live on /healthz and ready on /readyz', async () => {
      let bot: BotProcess | undefined;
      try {
        bot = await startBotProcess({
          entry: ENTRY,
          nodeArgs: [],
          env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, GRAPH_BASE_URL: graphUrl, DATA_DIR: dataDir, LOG_LEVEL: 'info', PORT: '0' },
        });
        const ready = await fetch(`${bot.url}/readyz`);
        assert.equal(ready.status, 200);
        assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, { storage: 'up', graph: 'up' });
        assert.doesNotMatch(bot.logs(), /azurite|local tenant/i, 'nothing of the local world started');
      } finally {
        await bot?.stop();
      }
    });

    it('stops at once with one line naming AZURE_STORAGE_CONNECTION_STRING when no storage is configured, never falling back to an emulator', async () => {
      const child = spawn(process.execPath, [ENTRY], {
        cwd: ROOT,
        env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: '', GRAPH_BASE_URL: graphUrl, PORT: '0', DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const started = Date.now();
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 1);
      assert.ok(Date.now() - started < 10_000, 'it does not wait for anything');
      const lines = stderr.split('\n').filter((l) => l.trim() && !/DeprecationWarning|--trace-deprecation/.test(l));
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0]!, /^Configuration error: AZURE_STORAGE_CONNECTION_STRING is required in production/);
    });
  });
});
