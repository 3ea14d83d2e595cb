import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function runBot(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('the bot process', function () {
  this.timeout(60000);

  it('starts on local defaults, logs how to chat, and exits 0 on SIGTERM with its children stopped', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-proc-'));
    const bot = runBot({ PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', LOCAL_TENANT_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    try {
      const deadline = Date.now() + 30000;
      let listening: { port: number; startupMs: number } | undefined;
      // The hint is a log line of its own, written just after the "listening" line: wait for both.
      while (!listening || !/npm run dev/.test(bot.out())) {
        if (Date.now() > deadline) break;
        const line = bot.out().split('\n').find((l) => l.includes('"port"'));
        if (line) listening = JSON.parse(line) as { port: number; startupMs: number };
        if (!listening || !/npm run dev/.test(bot.out())) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (!listening) assert.fail(`bot did not start: ${bot.out()} ${bot.err()}`);
      assert.ok(listening.startupMs < 15000, `started in ${listening.startupMs} ms`);
      assert.match(bot.out(), /npm run dev/, 'tells the user how to chat locally');
      assert.equal((await fetch(`http://127.0.0.1:${listening.port}/healthz`)).status, 200);
      assert.ok(fs.existsSync(path.join(dataDir, 'azurite')), 'Azurite keeps its data under DATA_DIR/azurite');

      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 0);
      assert.match(bot.out(), /"msg":"stopped"/);
      await assert.rejects(fetch(`http://127.0.0.1:${listening.port}/healthz`), 'the server no longer listens');
    } finally {
      bot.child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with a bad setting, in one line that names the key and the fix', async () => {
    const bot = runBot({ MicrosoftAppId: '11111111-2222-4333-8444-555555555555', MicrosoftAppPassword: 'x', MicrosoftAppType: 'Multi' });
    assert.equal(await bot.exited, 1);
    const lines = bot.err().trim().split('\n');
    assert.equal(lines.length, 1, bot.err());
    assert.match(lines[0]!, /^Configuration error: MicrosoftAppType must be one of SingleTenant, UserAssignedMSI, MultiTenant/);
  });
});
