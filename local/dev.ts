/**
 * `npm run dev`: the bot and the Microsoft 365 Agents Playground together, for chatting locally.
 *
 * - bot: `node --import tsx local/start.ts`, environment inherited (PORT, default 3978; PORT=0 picks
 *   a free port); ready when `GET /healthz` answers 200.
 * - Playground: the `@microsoft/m365agentsplayground` CLI (resolved from node_modules, no npx)
 *   pointed at the bot, channel msteams, port PLAYGROUND_PORT (default 56150), no telemetry, no
 *   browser launch; run from the project root so it reads `.m365agentsplayground.yml`. Its own log
 *   is devTools/m365agentsplayground.log (it writes nothing else when not on a terminal). If its port
 *   is taken it silently picks another: the real one is read from its "Listening on N" line.
 *
 * (DEV_BOT_ENTRY=<file> runs another bot entry instead, e.g. test/e2e/fixtures/echoBot.ts.)
 *
 * `--as <who>` picks whose Playground (`resolveDevOptions`): `admin` (default) is the customer's
 * admin of `.m365agentsplayground.yml` on port 56150; `center` is a FastTrack Center member in the
 * staff tenant and the triage team (`local/playground/center.m365agentsplayground.yml`) on port
 * 56151, with its own log. When a bot already answers on PORT (another `npm run dev` runs it), only
 * the Playground starts, pointed at that bot: both sides, one bot, two browser tabs.
 *
 * Prints the URL to open once both are ready. Ctrl+C / SIGTERM are forwarded once to both (each runs
 * in its own process group, so the terminal's Ctrl+C does not reach them twice; npm's forwarded
 * copy of the same Ctrl+C is ignored); another Ctrl+C a second later kills them. If either exits,
 * the other is stopped and this script exits with the first one's code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const PLAYGROUND_CLI = require.resolve('@microsoft/m365agentsplayground/cli.js');

/** Whose Playground `npm run dev -- --as <who>` opens. */
export const DEV_PROFILES = {
  admin: { configPath: undefined, port: 56150, log: 'm365agentsplayground.log', who: "the customer's admin (Megan Bowen, Contoso)" },
  center: { configPath: 'local/playground/center.m365agentsplayground.yml', port: 56151, log: 'm365agentsplayground.center.log', who: "a FastTrack Center member (Conor O'Brien, Dublin)" },
} as const;
export type DevProfile = keyof typeof DEV_PROFILES;

export interface DevOptions {
  as: DevProfile;
  /** The Playground's config (absent: `.m365agentsplayground.yml` of the project root, its working directory). */
  configPath: string | undefined;
  playgroundPort: number;
  playgroundLog: string;
  who: string;
}

/** The Playground of `--as <who>` (argv after the script), with PLAYGROUND_PORT, M365_AGENTS_PLAYGROUND_CONFIG_PATH and _LOGFILE overriding. */
export function resolveDevOptions(argv: readonly string[], env: NodeJS.ProcessEnv, root: string = ROOT): DevOptions {
  const i = argv.findIndex((a) => a === '--as' || a.startsWith('--as='));
  const value = i < 0 ? 'admin' : argv[i]!.startsWith('--as=') ? argv[i]!.slice(5) : argv[i + 1];
  if (value !== 'admin' && value !== 'center') throw new Error(`--as takes admin or center, not ${JSON.stringify(value ?? '')}`);
  const profile = DEV_PROFILES[value];
  const configPath = env.M365_AGENTS_PLAYGROUND_CONFIG_PATH || (profile.configPath ? path.join(root, profile.configPath) : undefined);
  return {
    as: value,
    configPath,
    playgroundPort: Number(env.PLAYGROUND_PORT || profile.port),
    playgroundLog: env.M365_AGENTS_PLAYGROUND_LOGFILE || path.join(root, 'devTools', profile.log),
    who: profile.who,
  };
}
const POSIX = process.platform !== 'win32';
const shownPath = (file: string) => (file.startsWith(ROOT + path.sep) ? path.relative(ROOT, file) : file);
const STOP_GRACE_MS = 15_000;

const color = process.stdout.isTTY ? (code: number, s: string) => `\x1b[${code}m${s}\x1b[0m` : (_: number, s: string) => s;
const say = (message: string) => console.log(color(36, '[dev]'), message);
const warn = (message: string) => console.warn(color(33, '[dev]'), message);

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv, pipeStdout: boolean): Child {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', pipeStdout ? 'pipe' : 'inherit', 'inherit'],
    detached: POSIX, // own process group: we alone decide which signal it gets
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      warn(`${name} could not start: ${error.message}`);
      resolve({ code: 1, signal: null });
    });
  });
  return { name, process: child, exited };
}

function alive(child: Child): boolean {
  return child.process.exitCode === null && child.process.signalCode === null;
}

function signal(child: Child, sig: NodeJS.Signals, group = false): void {
  if (!alive(child) && !group) return;
  try {
    if (group && POSIX && child.process.pid) process.kill(-child.process.pid, sig);
    else child.process.kill(sig);
  } catch {
    // already gone
  }
}

function exitCodeOf({ code, signal: sig }: { code: number | null; signal: NodeJS.Signals | null }): number {
  if (code !== null) return code;
  return 128 + (sig ? (os.constants.signals[sig] ?? 1) : 1);
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function boxed(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '═'.repeat(width + 4);
  return [`╔${bar}╗`, ...lines.map((l) => `║  ${l.padEnd(width)}  ║`), `╚${bar}╝`].join('\n');
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function main(): Promise<void> {
  let options: DevOptions;
  try {
    options = resolveDevOptions(process.argv.slice(2), process.env);
  } catch (error) {
    warn(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  const PLAYGROUND_LOG = options.playgroundLog;
  let botPort = Number(process.env.PORT || 3978);
  if (!Number.isInteger(botPort) || botPort < 0 || botPort > 65535) {
    warn(`PORT=${process.env.PORT} is not a port number`);
    process.exit(1);
  }
  if (botPort === 0) botPort = await freePort();
  const playgroundPort = options.playgroundPort;
  const host = process.env.HOST && !['0.0.0.0', '::'].includes(process.env.HOST) ? process.env.HOST : '127.0.0.1';
  const botUrl = `http://${host.includes(':') ? `[${host}]` : host}:${botPort}`;
  const endpoint = `${botUrl}/api/messages`;
  if (process.env.MicrosoftAppId) {
    warn('MicrosoftAppId is set: the bot will demand tokens the Playground does not send (expect 401). Unset it to chat locally.');
  }

  // A bot already answering there (another `npm run dev`) is shared: only the Playground starts.
  const attached = botPort !== 0 && (await get(`${botUrl}/healthz`).catch(() => undefined))?.status === 200;
  if (attached) say(`a bot already answers on ${botUrl}: starting only the Agents Playground (as ${options.who}) on port ${playgroundPort}…`);
  else say(`starting the bot on ${botUrl} and the Agents Playground (as ${options.who}) on port ${playgroundPort}…`);
  const bot = attached ? undefined : start('the bot', ['--import', 'tsx', process.env.DEV_BOT_ENTRY || 'local/start.ts'], { ...process.env, PORT: String(botPort) }, false);
  const playground = start(
    'the Playground',
    [PLAYGROUND_CLI, '-e', endpoint, '-c', 'msteams', '-p', String(playgroundPort), '--disable-telemetry'],
    {
      ...process.env,
      TEAMSAPPTESTER_BROWSER: 'none',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      M365_AGENTS_PLAYGROUND_LOGFILE: PLAYGROUND_LOG,
      ...(options.configPath ? { M365_AGENTS_PLAYGROUND_CONFIG_PATH: options.configPath } : {}),
    },
    true,
  );
  const children = bot ? [bot, playground] : [playground];

  let listeningPort: number | undefined;
  let stdoutText = '';
  playground.process.stdout!.setEncoding('utf8');
  playground.process.stdout!.on('data', (chunk: string) => {
    stdoutText += chunk;
    const match = /Listening on (\d+)/.exec(stdoutText);
    if (match && listeningPort === undefined) listeningPort = Number(match[1]);
    // Anything else it prints (only "Listening on" when not on a terminal) is passed on.
    for (const line of chunk.split('\n')) if (line.trim() && !/^Listening on \d+$/.test(line.trim())) console.log(color(35, '[playground]'), line);
  });

  // Stopping: forward the signal once; a later second Ctrl+C kills.
  let stopping = false;
  let stoppingSince = 0;
  let finalCode: number | undefined;
  const stopAll = async (sig: NodeJS.Signals, code?: number) => {
    if (stopping) {
      // `npm run dev` forwards the terminal's Ctrl+C, which this process also gets itself: the same
      // press arrives twice within milliseconds. Only a later one means "kill now".
      if (Date.now() - stoppingSince < 1000) return;
      warn('stopping now (SIGKILL)');
      for (const c of children) signal(c, 'SIGKILL', true);
      return;
    }
    stopping = true;
    stoppingSince = Date.now();
    finalCode = code;
    for (const c of children) signal(c, sig);
    const timer = setTimeout(() => {
      warn(`still running after ${STOP_GRACE_MS / 1000} s: killing`);
      for (const c of children) signal(c, 'SIGKILL', true);
    }, STOP_GRACE_MS);
    const results = await Promise.all(children.map((c) => c.exited));
    clearTimeout(timer);
    // Anything left in their process groups (e.g. an Azurite the bot did not stop) goes too.
    for (const c of children) signal(c, 'SIGKILL', true);
    const childCode = results.map(exitCodeOf).find((c, i) => c !== 0 && results[i]!.signal !== sig) ?? 0;
    process.exit(finalCode ?? childCode);
  };
  process.on('SIGINT', () => void stopAll('SIGINT'));
  process.on('SIGTERM', () => void stopAll('SIGTERM'));
  process.on('exit', () => {
    for (const c of children) signal(c, 'SIGKILL', true);
  });

  // Either child ending (during start-up or later) ends the whole thing with its code.
  for (const child of children) {
    void child.exited.then(async (result) => {
      if (stopping) return;
      const code = exitCodeOf(result);
      warn(`${child.name} exited (${result.signal ?? `code ${result.code}`}); stopping the other one`);
      if (child === playground) {
        const log = tail(PLAYGROUND_LOG, 15);
        if (log) console.error(`${color(35, '[playground]')} last lines of ${shownPath(PLAYGROUND_LOG)}:\n${log}`);
      }
      await stopAll('SIGTERM', code);
    });
  }

  // Wait for both.
  const started = Date.now();
  let botReady = attached;
  let playgroundReady = false;
  let lastHealth = '';
  let nagged = false;
  while (!stopping && !(botReady && playgroundReady)) {
    if (!botReady) {
      const res = await get(`${botUrl}/healthz`).catch(() => undefined);
      botReady = res?.status === 200;
      if (res && !botReady) lastHealth = `${res.status} ${res.body.slice(0, 200)}`;
    }
    if (!playgroundReady && listeningPort !== undefined) {
      const res = await get(`http://127.0.0.1:${listeningPort}/_debug/ping`).catch(() => undefined);
      playgroundReady = res?.status === 200 && res.body === 'pong';
    }
    if (!nagged && Date.now() - started > 30_000) {
      nagged = true;
      warn(`still waiting after 30 s: bot ${botReady ? 'ready' : `not ready (${lastHealth || 'no answer'} on ${botUrl}/healthz)`}, Playground ${playgroundReady ? 'ready' : 'not ready'}`);
    }
    if (!(botReady && playgroundReady)) await sleep(200);
  }
  if (stopping) return;

  if (listeningPort !== playgroundPort) warn(`port ${playgroundPort} was taken: the Playground picked ${listeningPort}`);
  const url = `http://localhost:${listeningPort}`;
  console.log(
    '\n' +
      color(
        32,
        boxed([
          'FastTrack Onboarding is running locally.',
          '',
          `Open ${url} in your browser to chat with the bot`,
          `You are         ${options.who}${attached ? ' (on the bot already running)' : ''}`,
          '',
          `Bot endpoint    ${endpoint}`,
          `Bot health      ${botUrl}/healthz`,
          `Playground log  ${shownPath(PLAYGROUND_LOG)}`,
          `Ready in        ${((Date.now() - started) / 1000).toFixed(1)} s. Press Ctrl+C to stop ${attached ? 'this Playground' : 'both'}.`,
        ]),
      ) +
      '\n',
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`npm run dev failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
