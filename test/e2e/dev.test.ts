import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, PROJECT_ROOT } from './harness';

/** `npm run dev` (local/dev.ts) as a child, with fixture bots instead of the product bot. */
function runDev(env: Record<string, string>): { child: ChildProcess; output: () => string; waitFor: (re: RegExp, timeout?: number) => Promise<RegExpExecArray>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts'], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (re: RegExp, timeout = 30_000) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const match = re.exec(text);
      if (match) return match;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${re} in the output of npm run dev:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, output: () => text, waitFor, exited };
}

async function get(url: string): Promise<string> {
  const res = await fetch(url);
  return `${res.status} ${await res.text()}`;
}

function refused(url: string): Promise<boolean> {
  return fetch(url).then(
    () => false,
    () => true,
  );
}

describe('npm run dev (local/dev.ts)', function () {
  this.timeout(60_000);
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-dev-'));
  const logFile = path.join(logDir, 'playground.log');
  after(() => fs.rmSync(logDir, { recursive: true, force: true }));

  it('starts bot and Playground, prints the real Playground URL (port taken), and Ctrl+C stops both with 0', async () => {
    const taken = await freePort();
    const blocker = net.createServer().listen(taken, '0.0.0.0');
    const dev = runDev({ DEV_BOT_ENTRY: 'test/e2e/fixtures/echoBot.ts', PORT: '0', PLAYGROUND_PORT: String(taken), M365_AGENTS_PLAYGROUND_LOGFILE: logFile });
    try {
      const [, playgroundPort] = await dev.waitFor(/Open http:\/\/localhost:(\d+) in your browser to chat with the bot/);
      assert.notEqual(Number(playgroundPort), taken);
      assert.match(dev.output(), new RegExp(`port ${taken} was taken: the Playground picked ${playgroundPort}`));
      const [, botPort] = await dev.waitFor(/starting the bot on http:\/\/127\.0\.0\.1:(\d+)/);
      assert.equal(await get(`http://127.0.0.1:${playgroundPort}/_debug/ping`), '200 pong');
      assert.match(await get(`http://127.0.0.1:${botPort}/healthz`), /^200 /);

      // Twice, as under `npm run dev` (npm forwards the terminal's Ctrl+C that dev.ts also gets): still graceful.
      dev.child.kill('SIGINT');
      dev.child.kill('SIGINT');
      assert.equal(await dev.exited, 0);
      assert.ok(await refused(`http://127.0.0.1:${playgroundPort}/_debug/ping`), 'the Playground is gone');
      assert.ok(await refused(`http://127.0.0.1:${botPort}/healthz`), 'the bot is gone');
    } finally {
      dev.child.kill('SIGKILL');
      blocker.close();
    }
  });

  it('when the bot exits, stops the Playground and exits with the bot\'s code', async () => {
    const playgroundPort = await freePort();
    const dev = runDev({ DEV_BOT_ENTRY: 'test/e2e/fixtures/exitingBot.ts', EXIT_CODE: '3', EXIT_AFTER_MS: '2500', PORT: '0', PLAYGROUND_PORT: String(playgroundPort), M365_AGENTS_PLAYGROUND_LOGFILE: logFile });
    try {
      await dev.waitFor(/Open http:\/\/localhost:\d+ in your browser/);
      assert.equal(await dev.exited, 3);
      assert.match(dev.output(), /the bot exited \(code 3\); stopping the other one/);
      assert.ok(await refused(`http://127.0.0.1:${playgroundPort}/_debug/ping`), 'the Playground is gone');
    } finally {
      dev.child.kill('SIGKILL');
    }
  });

  it('when the Playground cannot start (bad config), says why from its log and exits non-zero', async () => {
    const yml = fs.readFileSync(path.join(PROJECT_ROOT, '.m365agentsplayground.yml'), 'utf8');
    const configPath = path.join(logDir, 'bad.yml');
    fs.writeFileSync(configPath, yml.replace('version: "0.1.1"', 'version: "9.9.9"'));
    const dev = runDev({ DEV_BOT_ENTRY: 'test/e2e/fixtures/echoBot.ts', PORT: '0', PLAYGROUND_PORT: String(await freePort()), M365_AGENTS_PLAYGROUND_LOGFILE: logFile, M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath });
    try {
      assert.equal(await dev.exited, 1);
      assert.match(dev.output(), /the Playground exited \(code 1\)/);
      assert.match(dev.output(), /must be equal to one of the allowed values/);
    } finally {
      dev.child.kill('SIGKILL');
    }
  });
});
