/**
 * End-to-end harness: the real bot (or a fixture bot) as a child process, the Microsoft 365 Agents
 * Playground (npm `@microsoft/m365agentsplayground`, pinned 0.2.28) as a child process, and its web
 * UI driven in headless Debian Chromium through playwright-core. Loopback only: every browser
 * request to another host is aborted, and Chromium cannot even resolve other host names.
 *
 * Typical suite (see harness.test.ts):
 *
 *   describe('e2e: …', function () {
 *     this.timeout(60_000);
 *     let bot: BotProcess; let playground: Playground; let chat: ChatPage;
 *     let env: Awaited<ReturnType<typeof freshBotEnv>>;
 *     before(async function () {
 *       skipUnlessChromium(this);          // LOUD boxed warning + this.skip() when Chromium is missing
 *       env = await freshBotEnv();         // free ports for PORT, LOCAL_TENANT_PORT, AZURITE_*; fresh DATA_DIR
 *       bot = await startBotProcess({ env: env.env });   // node --import tsx local/start.ts, /healthz 200
 *       playground = await startPlayground({ botEndpoint: bot.messagesUrl });
 *     });
 *     after(async () => { await chat?.close(); await playground?.stop(); await bot?.stop(); env?.cleanup(); });
 *     afterEach(async function () { await screenshotIfFailed(this, chat); });
 *     it('…', async () => {
 *       chat = await openChat(playground.url);
 *       await chat.waitForCard('Welcome');
 *       await chat.fillInput('contactName', 'Megan');     // Adaptive Card input id, or its label
 *       await chat.selectChoice('services', ['Exchange Online', 'teams']); // titles or values
 *       await chat.clickButton('Submit');
 *       await chat.waitForText('Thanks');
 *     });
 *   });
 *
 * Set E2E_REQUIRE_BROWSER=1 (e.g. in CI) to fail instead of skipping when Chromium is missing.
 *
 * ── The Playground's undocumented HTTP/WebSocket API (0.2.28, read from its dist/index.js) ──
 * Base http://localhost:{port}. The UI itself uses these; they may change in any release.
 *   GET  /_debug/ping                                   → "pong"
 *   POST /_debug/conversation/{convId}/installation     {} → sends installationUpdate (msteams) + conversationUpdate
 *   GET  /_internal/v1/config                           → { config: { tenantId, bot, currentUser, users,
 *                                                          personalChat, groupChats, teams }, internalConfig }
 *                                                          (waits up to 15 s for the bot endpoint to answer)
 *   POST /_conversation/v1/conversations/{convId}/messages  { from: { id }, text, textFormat: "plain" }
 *        → 200 { messageId }; the bot gets a `message` (locale always "en-US")
 *   POST /_conversation/v1/submit   { conversation: { id }, from: { id }, replyToId: <card messageId>, value }
 *        → Action.Submit: the bot gets a `message` with `value`, channelData.source.name = "message"
 *   POST /_conversation/v1/invoke   { name: "adaptiveCard/action", value: { action: { type: "Action.Execute",
 *        verb, data } }, from: { id }, conversation: { id }, replyToId } → 200 with the bot's invoke
 *        response body (e.g. { type, value: card }); locale "en-US"
 *   GET  /_internal/v1/customActivities/template?conversationId={convId}[&type=install|botAdded|…]
 *        → a base activity (serviceUrl, conversation + tenantId, from + aadObjectId, recipient)
 *   POST /_internal/v1/customActivities   <any activity JSON> → 200 at once; the activity is POSTed to
 *        the bot AS IS (fire and forget). The only way to send another locale, another user, or any
 *        other field. The bot's replies still land in the conversation.
 *   WS   /_ws_conversation/v1/conversations/stream  ← server → client only: { action: "createMessage" |
 *        "updateMessage" | "typing", actionConversationId, message: { messageId, from: { id }, text,
 *        attachments: [{ contentType, content }], … } }. Broadcast to every client; buffered while
 *        no client is connected (the next client to connect gets the backlog).
 *   WS   /_ws/log/stream  ← { logAction: "appendLog", log: { activityName, from, to, request: { body },
 *        response: { statusCode, body } } }: every activity in both directions with the bot's answer.
 *   The bot's connector calls go to {serviceUrl} = http://localhost:{port}/_connector/v3/…
 * `PlaygroundApi` below wraps these (no browser needed).
 *
 * DOM (Playground 0.2.28 renders Adaptive Cards with Fluent UI v9; class names are hashed, so only
 * these hooks are used): a message = `div:has(> [aria-label="Message header"])`; a bot message has
 * `[aria-label="Message author"]` in its header; card `.ac-adaptiveCard`; input label
 * `label.ac-richTextBlock[for=<control id>]` (`.ac-textRun` spans, " *" for required is aria-hidden);
 * the Adaptive Card input ids are NOT in the DOM (ids are generated), hence the lookup through the
 * card JSON the UI received over its WebSocket; Input.Text `input.fui-Input__input` / `textarea`;
 * Input.Number `[role=spinbutton]`; Input.Date `.fui-DatePicker input` (type "2026-12-01", Enter);
 * Input.Time `.fui-TimePicker input` ("14:30", Enter); Input.Toggle `input[type=checkbox]`
 * (aria-label = title); ChoiceSet compact → `input[role=combobox]` opening a `[role=listbox]` of
 * `[role=option]` in a portal, compact multi-select → `[role=menu]` of `[role=menuitemcheckbox]`
 * (aria-checked), expanded → `[role=radiogroup]` of radios, expanded multi-select → a div of
 * checkboxes (aria-label = title); actions `.ac-actionSet button[title]` > `.ac-pushButton-content`
 * (there is no `.ac-pushButton`). While an Action.Execute runs, the message shows
 * `[role=progressbar]`.
 *
 * The Playground re-renders EVERY card whenever any message is added to the chat (even the user's
 * own), which silently resets all card inputs (and after an Action.Submit the card shows empty
 * again). So: waitForCard/waitForText wait until the turn is over (the bot answered what we sent,
 * the UI's calls returned, 150 ms without a new message) before returning, and clickButton checks
 * the inputs filled since the last click and fills them again if they were reset (with a warning).
 *
 * Gotchas: the Playground writes its console only to $M365_AGENTS_PLAYGROUND_LOGFILE (default
 * ./devTools/m365agentsplayground.log) when stdout is not a TTY: a config error exits with nothing on
 * stdout/stderr; we point the log at a temp file and include its tail in errors. It listens on ALL
 * interfaces, not only loopback. A page reload starts with an empty chat (history is not restored).
 * tsx compiles functions passed to page.evaluate with esbuild's keepNames, which calls `__name`: the
 * browser context defines a no-op `__name` so such functions run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The compose box of the Playground UI (a Lexical editor). */
export const COMPOSE_BOX = '[data-lexical-editor="true"][role="textbox"]';
/** A message in the chat: the element whose direct child is the message header. */
export const MESSAGE = 'div:has(> [aria-label="Message header"])';
/** A message with an author line: in a personal chat, a bot message (the user's own have none). */
export const BOT_MESSAGE = 'div:has(> [aria-label="Message header"] [aria-label="Message author"])';
export const ADAPTIVE_CARD = '.ac-adaptiveCard';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--no-pings',
  // Belt and braces: no host name but the loopback ones resolves, whatever asks.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

// ───────────────────────────── small utilities ─────────────────────────────

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free TCP port on 127.0.0.1 (the OS picks it; there is a small race until it is used). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** `count` distinct free ports (held open together while picking, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function httpJson<T = unknown>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  if (res.status >= 400) throw new Error(`${method} ${url} → ${res.status}: ${text.slice(0, 500)}`);
  return { status: res.status, body: parsed as T };
}

/** Keeps the last `max` characters of a child's output. */
class OutputTail {
  private text = '';
  constructor(private readonly max = 64 * 1024) {}
  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > this.max) this.text = this.text.slice(-this.max);
  }
  tail(lines = 40): string {
    return this.text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  }
  toString(): string {
    return this.text;
  }
}

function readTail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  }
}

/** A box of lines, for messages nobody may miss. */
export function boxed(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '═'.repeat(width + 2);
  return [`╔${bar}╗`, ...lines.map((l) => `║ ${l.padEnd(width)} ║`), `╚${bar}╝`].join('\n');
}

// Children started here are killed when the test process exits, even on a failed `before`.
const liveChildren = new Set<{ kill(): void }>();
let exitHooked = false;
function track(entry: { kill(): void }): () => void {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const c of liveChildren) c.kill();
    });
  }
  liveChildren.add(entry);
  return () => liveChildren.delete(entry);
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function exitPromise(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

// ───────────────────────────── Chromium ─────────────────────────────

/** Whether the Debian Chromium the e2e suites drive is installed. */
export function chromiumAvailable(): boolean {
  try {
    fs.accessSync(CHROMIUM_PATH, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Call first in an e2e suite's `before(function () { … })`: when Chromium is missing, prints a loud
 * boxed warning and skips the suite (or throws when E2E_REQUIRE_BROWSER=1).
 */
export function skipUnlessChromium(ctx: Mocha.Context): void {
  if (chromiumAvailable()) return;
  const message = `E2E BROWSER TESTS SKIPPED: ${CHROMIUM_PATH} not found — apt-get install -y chromium`;
  if (process.env.E2E_REQUIRE_BROWSER === '1') throw new Error(`E2E BROWSER TESTS CANNOT RUN (E2E_REQUIRE_BROWSER=1): ${CHROMIUM_PATH} not found — apt-get install -y chromium`);
  console.warn(`\n${boxed([message, `suite: ${ctx.test?.parent?.fullTitle() ?? '?'}`, 'set E2E_REQUIRE_BROWSER=1 to make this a failure'])}\n`);
  ctx.skip();
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]' || hostname === '::1';
}

/** A headless Chromium with a fresh profile that can reach loopback only. */
export interface ChatBrowser {
  context: BrowserContext;
  /** URLs the browser tried to reach outside loopback (all aborted). */
  blockedRequests: string[];
  close(): Promise<void>;
}

export async function launchBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<ChatBrowser> {
  if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    serviceWorkers: 'block',
  });
  const blockedRequests: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (isLoopbackHost(url.hostname)) return route.continue();
    blockedRequests.push(url.href);
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket((url) => !isLoopbackHost(url.hostname), (ws) => {
    blockedRequests.push(ws.url());
    void ws.close();
  });
  // tsx/esbuild keepNames wraps functions passed to page.evaluate in __name(…): make it exist.
  await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f);');
  context.setDefaultTimeout(10_000);
  return {
    context,
    blockedRequests,
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// ───────────────────────────── the Playground ─────────────────────────────

export interface Playground {
  /** The UI, e.g. http://localhost:56150 (the bot's serviceUrl uses localhost too). */
  url: string;
  port: number;
  /** The Playground's own log (its console goes only there). */
  logFile: string;
  process: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

export interface StartPlaygroundOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  botEndpoint: string;
  /** Port to ask for; default: a free one. If taken, the Playground silently picks another. */
  port?: number;
  /** Working directory: where it reads .m365agentsplayground.yml. Default: the project root. */
  cwd?: string;
  /** Another config file (M365_AGENTS_PLAYGROUND_CONFIG_PATH). */
  configPath?: string;
  channel?: 'msteams' | 'webchat' | 'emulator' | 'directline';
  readyTimeoutMs?: number;
}

export const PLAYGROUND_CLI = require.resolve('@microsoft/m365agentsplayground/cli.js');

/** The environment that keeps the Playground off the network (no browser, no telemetry). */
export function playgroundEnv(logFile?: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEAMSAPPTESTER_BROWSER: 'none',
    APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    ...(logFile ? { M365_AGENTS_PLAYGROUND_LOGFILE: logFile } : {}),
  };
}

/** Starts the Playground and resolves once `GET /_debug/ping` answers `pong` on the port it really uses. */
export async function startPlayground(options: StartPlaygroundOptions): Promise<Playground> {
  const requested = options.port || (await freePort());
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-playground-'));
  const logFile = path.join(logDir, 'm365agentsplayground.log');
  const env = playgroundEnv(logFile);
  if (options.configPath) env.M365_AGENTS_PLAYGROUND_CONFIG_PATH = path.resolve(options.configPath);
  const child = spawn(
    process.execPath,
    [PLAYGROUND_CLI, '-e', options.botEndpoint, '-c', options.channel ?? 'msteams', '-p', String(requested), '--disable-telemetry'],
    { cwd: options.cwd ?? PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = new OutputTail();
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => out.push(c));
  const exited = exitPromise(child);
  const untrack = track({ kill: () => child.kill('SIGKILL') });
  const logs = () => [out.toString().trimEnd(), readTail(logFile, 200)].filter(Boolean).join('\n--- playground log ---\n');

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    untrack();
    fs.rmSync(logDir, { recursive: true, force: true });
  };

  const fail = async (why: string): Promise<never> => {
    const detail = logs();
    await stop();
    throw new Error(`Playground did not start: ${why}\n${detail || '(no output)'}`);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  let port: number | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const { code, signal } = await exited;
      // A config error is only in the log file, which is read after exit.
      return fail(`exited with ${signal ?? code}`);
    }
    port ??= Number(/Listening on (\d+)/.exec(out.toString())?.[1]) || undefined;
    if (port) {
      const pong = await httpGet(`http://127.0.0.1:${port}/_debug/ping`).catch(() => undefined);
      if (pong?.status === 200 && pong.body === 'pong') {
        return { url: `http://localhost:${port}`, port, logFile, process: child, logs, stop };
      }
    }
    await sleep(50);
  }
  return fail('timed out waiting for "Listening on N" and /_debug/ping');
}

// ───────────────────────────── the bot process ─────────────────────────────

export interface BotProcess {
  /** http://127.0.0.1:{port} */
  url: string;
  port: number;
  /** {url}/api/messages — give it to startPlayground. */
  messagesUrl: string;
  process: ChildProcess;
  /** Resolves when the bot process exits. */
  exited: Promise<ExitInfo>;
  /** Captured stdout + stderr (the last 256 KB). */
  logs(): string;
  /**
   * Sends `signal` (SIGTERM by default) to the bot only and waits for it to exit (SIGKILL to its whole
   * process group after `timeoutMs`). Anything it left running in its process group (e.g. an Azurite
   * it did not stop) is then killed and reported in `leftovers`.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitInfo & { leftovers: boolean }>;
  /** SIGKILL, like a crash: by default the whole process group (the bot and what it spawned). */
  kill(options?: { group?: boolean }): Promise<ExitInfo>;
}

export interface StartBotOptions {
  /** Merged over process.env. Give PORT (else a free port is picked). */
  env?: Record<string, string | undefined>;
  /** Entry file relative to cwd; default the product bot `local/start.ts`. */
  entry?: string;
  cwd?: string;
  /** Default 30 s. */
  readyTimeoutMs?: number;
  healthPath?: string;
  /** Node flags before the entry; default `--import tsx` (TypeScript). `[]` runs compiled JavaScript. */
  nodeArgs?: string[];
}

/**
 * Spawns `node --import tsx <entry>` in its own process group and resolves once `GET /healthz`
 * answers 200. On failure (exit, timeout) the error carries the tail of the bot's output.
 */
export async function startBotProcess(options: StartBotOptions = {}): Promise<BotProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const [key, value] of Object.entries(options.env ?? {})) if (value === undefined) delete env[key];
  if (!env.PORT || env.PORT === '0') env.PORT = String(await freePort());
  const port = Number(env.PORT);
  const entry = options.entry ?? 'local/start.ts';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? ['--import', 'tsx']), entry], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: kill() can take Azurite and friends down with it
  });
  const out = new OutputTail(256 * 1024);
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => out.push(c));
  const pid = child.pid!;
  const exited = exitPromise(child);
  const untrack = track({ kill: () => killGroup(pid, 'SIGKILL') });
  const url = `http://127.0.0.1:${port}`;

  const running = () => child.exitCode === null && child.signalCode === null;
  const stop: BotProcess['stop'] = async (signal = 'SIGTERM', timeoutMs = 15_000) => {
    if (running()) child.kill(signal);
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), timeoutMs);
    const info = await exited;
    clearTimeout(timer);
    await sleep(50);
    const leftovers = groupAlive(pid);
    if (leftovers) killGroup(pid, 'SIGKILL');
    untrack();
    return { ...info, leftovers };
  };
  const kill: BotProcess['kill'] = async ({ group = true } = {}) => {
    if (group) killGroup(pid, 'SIGKILL');
    else child.kill('SIGKILL');
    const info = await exited;
    if (group) untrack();
    return info;
  };

  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const healthUrl = url + (options.healthPath ?? '/healthz');
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!running()) {
      const { code, signal } = await exited;
      await stop();
      throw new Error(`The bot (${entry}) exited with ${signal ?? code} before ${healthUrl} answered 200.\n--- output tail ---\n${out.tail(60)}`);
    }
    const res = await httpGet(healthUrl, 1000).catch((e: Error) => ({ status: 0, body: e.message }));
    if (res.status === 200) return { url, port, messagesUrl: `${url}/api/messages`, process: child, exited, logs: () => out.toString(), stop, kill };
    last = res.status ? `${res.status} ${res.body.slice(0, 200)}` : res.body;
    await sleep(100);
  }
  await stop('SIGTERM', 3000);
  throw new Error(`The bot (${entry}) did not answer 200 on ${healthUrl} within ${timeoutMs} ms (last: ${last}).\n--- output tail ---\n${out.tail(60)}`);
}

/** Environment for one isolated bot: free ports for everything it listens on, a fresh DATA_DIR. */
export async function freshBotEnv(overrides: Record<string, string> = {}): Promise<{ env: Record<string, string>; dataDir: string; cleanup(): void }> {
  const [port, localTenant, blob, queue] = await freePorts(4);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-bot-data-'));
  return {
    env: {
      PORT: String(port),
      DATA_DIR: dataDir,
      LOCAL_TENANT_PORT: String(localTenant),
      AZURITE_BLOB_PORT: String(blob),
      AZURITE_QUEUE_PORT: String(queue),
      LOG_LEVEL: 'warn',
      ...overrides,
    },
    dataDir,
    cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

// ───────────────────────────── the chat page ─────────────────────────────

/** A bot message as the Playground pushed it to its UI (WebSocket `createMessage`/`updateMessage`). */
export interface PlaygroundMessage {
  action: 'createMessage' | 'updateMessage';
  conversationId: string;
  messageId: string;
  fromId: string;
  text?: string;
  attachments: { contentType: string; content: unknown }[];
}

/** One activity in the Playground's log (both directions), with the bot's HTTP answer. */
export interface PlaygroundLogItem {
  activityName: string;
  from: string;
  to: string;
  request?: { body?: Record<string, unknown> };
  response?: { statusCode?: number; body?: unknown };
}

interface AdaptiveElement {
  type?: string;
  id?: string;
  label?: string;
  title?: string;
  placeholder?: string;
  style?: string;
  isMultiSelect?: boolean;
  choices?: { title: string; value: string }[];
  [key: string]: unknown;
}

/** Every element of an Adaptive Card (body, containers, columns, show-card actions), depth first. */
export function cardElements(card: unknown): AdaptiveElement[] {
  const out: AdaptiveElement[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const el = node as AdaptiveElement;
    if (typeof el.type === 'string') out.push(el);
    for (const key of ['body', 'items', 'columns', 'actions', 'card', 'inlineAction']) if (key in el) visit(el[key]);
  };
  visit(card);
  return out;
}

function adaptiveCardsOf(message: PlaygroundMessage): unknown[] {
  return message.attachments.filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content);
}

function parseFrame(payload: string | Buffer): PlaygroundMessage | PlaygroundLogItem | undefined {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(payload.toString()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (data.action === 'createMessage' || data.action === 'updateMessage') {
    const m = data.message as Record<string, unknown>;
    return {
      action: data.action,
      conversationId: String(data.actionConversationId),
      messageId: String(m.messageId),
      fromId: String((m.from as { id?: string })?.id ?? ''),
      text: typeof m.text === 'string' ? m.text : undefined,
      attachments: (m.attachments as PlaygroundMessage['attachments']) ?? [],
    };
  }
  if (data.logAction === 'appendLog' && (data.log as PlaygroundLogItem)?.activityName) return data.log as PlaygroundLogItem;
  return undefined;
}

/** The little of the DOM used in page.evaluate callbacks (the project compiles without lib.dom). */
interface DomNode {
  tagName: string;
  textContent: string | null;
  innerText: string;
  children: ArrayLike<DomNode>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
  closest(selector: string): DomNode | null;
}

export interface WaitOptions {
  timeout?: number;
}

/** The Playground UI in a browser page, with Adaptive Card helpers. */
export class ChatPage {
  /** Bot messages the UI received over its WebSocket, in order. */
  readonly messages: PlaygroundMessage[] = [];
  /** Activity log (what the bot received and answered, what it sent). */
  readonly log: PlaygroundLogItem[] = [];

  constructor(
    readonly page: Page,
    readonly browser: ChatBrowser,
    private readonly ownsBrowser: boolean,
  ) {
    page.on('websocket', (ws) => {
      ws.on('framereceived', (frame) => {
        const text = frame.payload.toString();
        if (/^\{"action":"/.test(text)) this.lastChatFrameAt = Date.now(); // createMessage, updateMessage, typing
        const item = parseFrame(text);
        if (!item) return;
        if ('action' in item) this.messages.push(item);
        else this.log.push(item);
      });
    });
    const isApi = (url: string) => /\/_(conversation|debug\/conversation)\//.test(url);
    page.on('request', (r) => {
      if (isApi(r.url())) this.pendingRequests++;
    });
    const done = (r: { url(): string }) => {
      if (isApi(r.url())) this.pendingRequests--;
    };
    page.on('requestfinished', done);
    page.on('requestfailed', done);
  }

  // ── settling: the Playground re-renders every card whenever any message is added to the chat
  // (even the user's own), which resets all card inputs. So before acting on a card, wait until the
  // turn is over: the UI's own calls have returned, the bot has answered every activity we caused
  // (its log item arrives after its HTTP answer, so after all its replies), and the chat was quiet.
  private pendingRequests = 0;
  private lastChatFrameAt = 0;
  private expectedInbound = 0;
  /** How long the chat must be quiet before a card is acted on. */
  quietMs = 150;

  private inboundCount(): number {
    return this.log.filter((l) => l.to === 'User Application').length;
  }

  /** Notes that the next user action sends one more activity to the bot. */
  private expectOneMoreInbound(): void {
    this.expectedInbound = Math.max(this.expectedInbound, this.inboundCount()) + 1;
  }

  /** Waits until the bot is done with what we sent and no message arrived for `quietMs`. */
  async settle(timeout = 15_000): Promise<void> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const quietFor = Date.now() - this.lastChatFrameAt;
      // An action that turns out not to reach the bot (or whose log item never comes) costs 2 s, not a failure.
      const answered = this.inboundCount() >= this.expectedInbound || quietFor >= 2000;
      if (this.pendingRequests <= 0 && answered && quietFor >= this.quietMs) return;
      if (Date.now() > deadline) {
        throw new Error(`The chat did not settle within ${timeout} ms (pending UI calls ${this.pendingRequests}, bot answered ${this.inboundCount()}/${this.expectedInbound} activities)`);
      }
      await sleep(Math.max(10, Math.min(50, this.quietMs - quietFor)));
    }
  }

  /** The activities the bot received (request bodies), in order; e.g. to check tenant ids or locale. */
  inboundActivities(): Record<string, unknown>[] {
    return this.log.filter((l) => l.to === 'User Application' && l.request?.body).map((l) => l.request!.body!);
  }

  /** Waits for an activity the bot received (and answered) matching `predicate`; returns it as the bot got it. */
  async waitForInbound(predicate: (activity: Record<string, unknown>) => boolean, options: WaitOptions = {}): Promise<Record<string, unknown>> {
    const deadline = Date.now() + (options.timeout ?? 10_000);
    for (;;) {
      const found = this.inboundActivities().find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('Timed out waiting for an activity to the bot in the Playground log');
      await sleep(25);
    }
  }

  /** Bot messages (text or cards) in the chat. */
  botMessages(): Locator {
    return this.page.locator(BOT_MESSAGE);
  }

  /** Waits until a bot message containing `text` is visible; returns that message. */
  async waitForText(text: string | RegExp, options: WaitOptions & { from?: 'bot' | 'any' } = {}): Promise<Locator> {
    const messages = this.page.locator(options.from === 'any' ? MESSAGE : BOT_MESSAGE);
    const match = messages.filter({ hasText: text }).last();
    await match.waitFor({ state: 'visible', timeout: options.timeout });
    await this.settle(options.timeout);
    return match;
  }

  /** Waits until an Adaptive Card (containing `text`, if given) is visible in a bot message; returns the last such card. */
  async waitForCard(text?: string | RegExp, options: WaitOptions = {}): Promise<Locator> {
    let cards = this.page.locator(`${BOT_MESSAGE} ${ADAPTIVE_CARD}`);
    if (text !== undefined) cards = cards.filter({ hasText: text });
    const card = cards.last();
    await card.waitFor({ state: 'visible', timeout: options.timeout });
    await this.settle(options.timeout);
    return card;
  }

  /** The card to act on: the given locator, the last card containing the given text, or the last card. */
  private async resolveCard(card?: Locator | string | RegExp): Promise<Locator> {
    if (card && typeof card === 'object' && !(card instanceof RegExp)) return card;
    return this.waitForCard(card as string | RegExp | undefined);
  }

  /**
   * Clicks the action button with this title (exact) on `options.card` (a locator, or text the card
   * contains), else on the card filled since the last click, else on the last card. Inputs filled
   * since the last click are filled again first if the Playground reset them.
   * Action.Submit → a `message` with `value`; Action.Execute → an `adaptiveCard/action` invoke.
   */
  async clickButton(title: string, options: { card?: Locator | string | RegExp } = {}): Promise<void> {
    await this.ensureFillsHeld();
    const pinned = this.fills && this.page.locator(`[data-e2e-card="${this.fills.marker}"]`);
    const card = !options.card && pinned && (await pinned.count()) === 1 ? pinned : await this.resolveCard(options.card);
    const button = card.locator('.ac-actionSet button').filter({ has: this.page.locator('.ac-pushButton-content', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) });
    // Action.Submit / Action.Execute reach the bot; Action.ShowCard / OpenUrl / ToggleVisibility do not.
    const action = this.actionDefinition(title);
    const reachesBot = !action || action.type === 'Action.Submit' || action.type === 'Action.Execute';
    await button.last().click();
    if (reachesBot) this.expectOneMoreInbound();
    this.fills = undefined;
  }

  /**
   * Inputs filled since the last click, and the card's form state after them. Guards against the UI
   * re-rendering the cards when a message arrives (which silently resets their inputs): before a
   * click the state is compared and, if it changed, every fill is applied again (with a warning).
   */
  private fills: { marker: string; state: string; ops: (() => Promise<void>)[] } | undefined;
  private fillCount = 0;

  private async formState(card: Locator, marker?: string): Promise<{ marker: string; state: string }> {
    return card.evaluate((node, wanted) => {
      const el = node as unknown as DomNode & { setAttribute(n: string, v: string): void };
      if (!el.getAttribute('data-e2e-card')) el.setAttribute('data-e2e-card', wanted);
      const inputs = Array.from(el.querySelectorAll('input, textarea')) as unknown as { type: string; value: string; checked: boolean }[];
      return { marker: el.getAttribute('data-e2e-card') ?? '', state: inputs.map((i) => `${i.type}=${i.value}/${i.checked}`).join('|') };
    }, marker ?? `card-${++this.fillCount}`);
  }

  /** Runs a fill on `card`, pinned by a data attribute so that a later message cannot redirect it. */
  private async remember(card: Locator, op: (card: Locator) => Promise<void>): Promise<void> {
    const { marker } = await this.formState(card);
    const pinned = this.page.locator(`[data-e2e-card="${marker}"]`);
    await op(pinned);
    const { state } = await this.formState(pinned, marker);
    if (!this.fills || this.fills.marker !== marker) this.fills = { marker, state, ops: [] };
    this.fills.ops.push(async () => op((await pinned.count()) === 1 ? pinned : card));
    this.fills.state = state;
  }

  private async ensureFillsHeld(): Promise<void> {
    const fills = this.fills;
    if (!fills) return;
    const card = this.page.locator(`[data-e2e-card="${fills.marker}"]`);
    const now = (await card.count()) === 1 ? (await this.formState(card, fills.marker)).state : undefined;
    if (now === fills.state) return;
    console.warn(`      [e2e harness] the card's inputs were reset (${now === undefined ? 'card element replaced' : 'values changed'}): filling them again`);
    for (const op of fills.ops) await op();
    if ((await card.count()) === 1) fills.state = (await this.formState(card, fills.marker)).state;
  }

  /** The Adaptive Card JSON action with this title in the last card that has one (from the WebSocket). */
  actionDefinition(title: string): AdaptiveElement | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      for (const card of adaptiveCardsOf(this.messages[i]!)) {
        const el = cardElements(card).find((e) => e.title === title && e.type?.startsWith('Action.'));
        if (el) return el;
      }
    }
    return undefined;
  }

  /** The Adaptive Card JSON element with this input id in the last card the bot sent (from the WebSocket). */
  inputDefinition(id: string): AdaptiveElement | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      for (const card of adaptiveCardsOf(this.messages[i]!)) {
        const el = cardElements(card).find((e) => e.id === id && e.type?.startsWith('Input.'));
        if (el) return el;
      }
    }
    return undefined;
  }

  /**
   * The DOM control of an input: by Adaptive Card input id (looked up in the card JSON → its label,
   * toggle title or placeholder) or directly by label text. The DOM carries no Adaptive Card ids:
   * inputs without a label are found by placeholder / aria-label only.
   */
  private async inputControl(idOrLabel: string, card: Locator): Promise<{ control: Locator; def?: AdaptiveElement }> {
    const def = this.inputDefinition(idOrLabel);
    const names = [...new Set([def?.label, def?.title, def?.placeholder, idOrLabel])].filter((n): n is string => !!n);
    for (const name of names) {
      const forId = await card.evaluate((root, wanted) => {
        for (const label of Array.from((root as unknown as DomNode).querySelectorAll('label.ac-richTextBlock'))) {
          const text = Array.from(label.querySelectorAll('.ac-textRun'))
            .filter((s) => s.getAttribute('aria-hidden') !== 'true')
            .map((s) => s.textContent ?? '')
            .join('')
            .trim();
          if (text === wanted) return label.getAttribute('for');
        }
        return null;
      }, name);
      if (forId) return { control: card.locator(`[id="${forId}"]`), def };
      const byAria = card.locator(`input[aria-label="${cssString(name)}"], textarea[aria-label="${cssString(name)}"], input[placeholder="${cssString(name)}"], textarea[placeholder="${cssString(name)}"]`);
      if ((await byAria.count()) > 0) return { control: byAria.first(), def };
    }
    throw new Error(`No input "${idOrLabel}" on the card${def ? ` (label ${JSON.stringify(def.label ?? def.title)})` : ''}; card text:\n${await card.innerText()}`);
  }

  /**
   * Sets an input: Input.Text/Number (fill), Input.Date (YYYY-MM-DD typed into the date picker),
   * Input.Time (HH:mm), Input.Toggle (value true/false/"valueOn"), Input.ChoiceSet (→ selectChoice).
   */
  async fillInput(idOrLabel: string, value: string | boolean | number, options: { card?: Locator | string | RegExp } = {}): Promise<void> {
    const card = await this.resolveCard(options.card);
    await this.remember(card, (c) => this.fillInputOnce(idOrLabel, value, c));
  }

  private async fillInputOnce(idOrLabel: string, value: string | boolean | number, card: Locator): Promise<void> {
    const { control, def } = await this.inputControl(idOrLabel, card);
    const kind = await control.evaluate((node) => {
      const el = node as unknown as DomNode;
      return {
        tag: el.tagName.toLowerCase(),
        type: el.getAttribute('type'),
        role: el.getAttribute('role'),
        picker: el.closest('.fui-DatePicker, .fui-TimePicker') !== null,
      };
    });
    if (def?.type === 'Input.ChoiceSet' || kind.role === 'radiogroup' || (kind.tag === 'div' && kind.role !== 'textbox') || (kind.role === 'combobox' && !kind.picker)) {
      return this.selectChoiceOnce(idOrLabel, String(value).split(',').filter(Boolean), card);
    }
    if (kind.type === 'checkbox') {
      const on = value === true || value === 'true' || (def?.valueOn !== undefined && value === def.valueOn);
      await control.setChecked(on);
      return;
    }
    await control.fill(String(value));
    if (kind.picker) {
      await control.press('Enter');
      await this.page.keyboard.press('Escape');
    }
  }

  /**
   * Selects choices of an Input.ChoiceSet by title (or value, when the card JSON is known):
   * compact (combobox → listbox), compact multi-select (combobox → menu of checkboxes), expanded
   * (radio group), expanded multi-select (checkboxes). For multi-select the result is exactly `choices`.
   */
  async selectChoice(idOrLabel: string, choices: string | string[], options: { card?: Locator | string | RegExp } = {}): Promise<void> {
    const card = await this.resolveCard(options.card);
    await this.remember(card, (c) => this.selectChoiceOnce(idOrLabel, choices, c));
  }

  private async selectChoiceOnce(idOrLabel: string, choices: string | string[], card: Locator): Promise<void> {
    const { control, def } = await this.inputControl(idOrLabel, card);
    const wanted = (Array.isArray(choices) ? choices : [choices]).map((c) => def?.choices?.find((ch) => ch.value === c && ch.title !== c)?.title ?? c);
    const kind = await control.evaluate((node) => {
      const el = node as unknown as DomNode;
      return { role: el.getAttribute('role'), tag: el.tagName.toLowerCase() };
    });
    if (kind.role === 'combobox') {
      await control.click();
      const popup = this.page.locator('[role="listbox"]:visible, [role="menu"]:visible').last();
      await popup.waitFor();
      const isMenu = (await popup.getAttribute('role')) === 'menu';
      if (!isMenu) {
        if (wanted.length !== 1) throw new Error(`"${idOrLabel}" is single-select; got ${wanted.length} choices`);
        await popup.getByRole('option', { name: wanted[0], exact: true }).click();
        return;
      }
      const items = popup.getByRole('menuitemcheckbox');
      const titles = (await items.allInnerTexts()).map((t) => t.trim());
      for (const w of wanted) if (!titles.includes(w)) throw new Error(`"${idOrLabel}" has no choice "${w}" (has ${titles.join(', ')})`);
      for (const title of titles) {
        const item = popup.getByRole('menuitemcheckbox', { name: title, exact: true });
        const checked = (await item.getAttribute('aria-checked')) === 'true';
        if (checked !== wanted.includes(title)) await item.click();
      }
      await this.page.keyboard.press('Escape');
      return;
    }
    if (kind.role === 'radiogroup') {
      if (wanted.length !== 1) throw new Error(`"${idOrLabel}" is single-select; got ${wanted.length} choices`);
      await control.getByRole('radio', { name: wanted[0], exact: true }).check();
      return;
    }
    const boxes = control.getByRole('checkbox');
    const count = await boxes.count();
    if (count === 0) throw new Error(`"${idOrLabel}" is not a choice set (role ${kind.role ?? kind.tag})`);
    const seen: string[] = [];
    for (let i = 0; i < count; i++) {
      const box = boxes.nth(i);
      const title = ((await box.getAttribute('aria-label')) ?? '').trim();
      seen.push(title);
      await box.setChecked(wanted.includes(title));
    }
    for (const w of wanted) if (!seen.includes(w)) throw new Error(`"${idOrLabel}" has no choice "${w}" (has ${seen.join(', ')})`);
  }

  /** Types into the compose box and sends with Enter. */
  async sendMessage(text: string): Promise<void> {
    const box = this.page.locator(COMPOSE_BOX);
    await box.click();
    await this.page.keyboard.insertText(text);
    this.expectOneMoreInbound();
    await this.page.keyboard.press('Enter');
  }

  /** The visible text of the last bot message (text or card), without its author/time header. */
  async lastBotMessageText(): Promise<string> {
    const last = this.botMessages().last();
    if ((await this.botMessages().count()) === 0) return '';
    return last.evaluate((node) => {
      const el = node as unknown as DomNode;
      const header = el.querySelector(':scope > [aria-label="Message header"]');
      const parts: string[] = [];
      for (const child of Array.from(el.children)) if (child !== header) parts.push(child.innerText);
      return parts.join('\n').trim();
    });
  }

  async screenshot(file: string, options: { fullPage?: boolean } = {}): Promise<string> {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    await this.page.screenshot({ path: file, fullPage: options.fullPage ?? true });
    return file;
  }

  async close(): Promise<void> {
    if (this.ownsBrowser) await this.browser.close();
    else await this.page.close().catch(() => undefined);
  }
}

export interface OpenChatOptions {
  /** Reuse a browser (each openChat otherwise launches one, ~1 s, and closes it with the page). */
  browser?: ChatBrowser;
  /** Wait until the bot has answered the page load's conversationUpdate (so a welcome is sent). Default true. */
  waitForInstall?: boolean;
  timeout?: number;
}

/** Opens the Playground UI (personal chat with the bot) and waits for the compose box. */
export async function openChat(playgroundUrl: string, options: OpenChatOptions = {}): Promise<ChatPage> {
  const browser = options.browser ?? (await launchBrowser());
  const page = await browser.context.newPage();
  const chat = new ChatPage(page, browser, !options.browser);
  try {
    const timeout = options.timeout ?? 20_000;
    await page.goto(playgroundUrl, { timeout });
    await page.locator(COMPOSE_BOX).waitFor({ state: 'visible', timeout });
    if (options.waitForInstall ?? true) {
      const deadline = Date.now() + timeout;
      while (!chat.log.some((l) => l.activityName === 'conversationUpdate' && l.to === 'User Application')) {
        if (Date.now() > deadline) throw new Error('The Playground did not send conversationUpdate to the bot (is the bot endpoint up?)');
        await sleep(25);
      }
    }
    return chat;
  } catch (error) {
    await chat.close();
    throw error;
  }
}

/** For `afterEach(async function () { await screenshotIfFailed(this, chat); })`: saves test-results/<test>.png. */
export async function screenshotIfFailed(ctx: Mocha.Context, chat: ChatPage | undefined, dir = path.join(PROJECT_ROOT, 'test-results')): Promise<void> {
  if (!chat || ctx.currentTest?.state !== 'failed') return;
  const name = (ctx.currentTest.fullTitle() || 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 120);
  const file = path.join(dir, `${name}.png`);
  await chat.screenshot(file).then(
    () => console.warn(`    screenshot of the failure: ${file}`),
    () => undefined,
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

// ───────────────────────────── protocol-level client ─────────────────────────────

/** A minimal WebSocket client (RFC 6455 text frames) for the Playground's streams; Node 20 has none built in. */
class StreamSocket {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;

  private constructor(
    private readonly socket: Duplex,
    private readonly onText: (text: string) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  static connect(url: string, onText: (text: string) => void): Promise<StreamSocket> {
    const target = new URL(url);
    const key = crypto.randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
      });
      req.on('upgrade', (res, socket, head) => {
        const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
        if (res.headers['sec-websocket-accept'] !== accept) {
          socket.destroy();
          return reject(new Error(`WebSocket handshake with ${url} failed`));
        }
        const ws = new StreamSocket(socket, onText);
        if (head.length) ws.receive(head);
        resolve(ws);
      });
      req.on('response', (res) => reject(new Error(`WebSocket ${url}: HTTP ${res.statusCode} instead of an upgrade`)));
      req.on('error', reject);
      req.end();
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const b0 = this.buffer[0]!;
      const b1 = this.buffer[1]!;
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const maskOffset = offset;
      if (masked) offset += 4;
      if (this.buffer.length < offset + length) return;
      const payload = Buffer.from(this.buffer.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= this.buffer[maskOffset + (i % 4)]!;
      this.buffer = this.buffer.subarray(offset + length);
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      if (opcode === 0x1 || opcode === 0x2 || opcode === 0x0) {
        this.fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(this.fragments).toString('utf8');
          this.fragments = [];
          this.onText(text);
        }
      } else if (opcode === 0x8) {
        this.send(0x8, payload.subarray(0, 2));
        this.socket.end();
      } else if (opcode === 0x9) {
        this.send(0xa, payload);
      }
    }
  }

  private send(opcode: number, payload: Buffer): void {
    if (this.closed) return;
    const mask = crypto.randomBytes(4);
    const header =
      payload.length < 126
        ? Buffer.from([0x80 | opcode, 0x80 | payload.length])
        : Buffer.from([0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
    this.socket.write(Buffer.concat([header, mask, body]));
  }

  close(): void {
    if (this.closed) return;
    this.send(0x8, Buffer.from([0x03, 0xe8]));
    this.closed = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 200).unref();
  }
}

export interface PlaygroundUser {
  id: string;
  name: string;
  aadObjectId: string;
  userPrincipleName: string;
  email: string;
  givenName: string;
  surname: string;
}

/** What `GET /_internal/v1/config` returns (the parsed .m365agentsplayground.yml). */
export interface PlaygroundConfig {
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  personalChat: { id: string; name: string };
  groupChats: { id: string; name: string; members: string[] }[];
  teams: { id: string; name: string; aadGroupId: string; channels: { id: string; name: string }[]; members: string[] }[];
}

export interface ActivityOptions {
  /** Sends a custom activity with this `locale` (and clientInfo entity) instead of the UI's en-US. */
  locale?: string;
  /** Another user of the config (id, aadObjectId, email or name); implies a custom activity. */
  as?: string;
  /** IANA time zone for the clientInfo entity / localTimezone. */
  timezone?: string;
  /** Default: the personal chat. */
  conversationId?: string;
}

/**
 * Talks to the Playground like its UI does, without a browser: messages, Action.Submit, Action.Execute,
 * raw custom activities (another locale or user), and the bot's replies from the WebSocket stream.
 * Fast (a round trip is a few ms) but it bypasses the rendering: keep UI tests for the UI.
 */
export class PlaygroundApi {
  readonly messages: PlaygroundMessage[] = [];
  readonly log: PlaygroundLogItem[] = [];
  private mark = 0;
  private logMark = 0;
  private readonly waiters = new Set<() => void>();
  private sockets: StreamSocket[] = [];

  private constructor(
    readonly baseUrl: string,
    readonly config: PlaygroundConfig,
  ) {}

  /** Connects the message and log streams and reads the config. Note: the first client to connect gets messages buffered while none was connected. */
  static async connect(playgroundUrl: string): Promise<PlaygroundApi> {
    const base = playgroundUrl.replace(/\/$/, '');
    const { body } = await httpJson<{ config: PlaygroundConfig }>('GET', `${base}/_internal/v1/config`);
    const api = new PlaygroundApi(base, body.config);
    const wsBase = base.replace(/^http/, 'ws');
    const onText = (text: string) => {
      const item = parseFrame(text);
      if (!item) return;
      if ('action' in item) api.messages.push(item);
      else api.log.push(item);
      for (const wake of api.waiters) wake();
    };
    api.sockets = await Promise.all([
      StreamSocket.connect(`${wsBase}/_ws_conversation/v1/conversations/stream`, onText),
      StreamSocket.connect(`${wsBase}/_ws/log/stream`, onText),
    ]);
    return api;
  }

  get personalChatId(): string {
    return this.config.personalChat.id;
  }

  /** A user of the config by id, aadObjectId, email, UPN or name (default: the current user). */
  user(key?: string): PlaygroundUser {
    const all = [this.config.currentUser, ...this.config.users];
    if (!key) return this.config.currentUser;
    const found = all.find((u) => [u.id, u.aadObjectId, u.email, u.userPrincipleName, u.name].includes(key));
    if (!found) throw new Error(`No user "${key}" in the Playground config (${all.map((u) => u.name).join(', ')})`);
    return found;
  }

  /** Sends the page-load pair: installationUpdate (add) + conversationUpdate (membersAdded). */
  async install(conversationId = this.personalChatId): Promise<void> {
    this.markNow();
    await httpJson('POST', `${this.baseUrl}/_debug/conversation/${encodeURIComponent(conversationId)}/installation`, {});
  }

  /** A message from the user. Without locale/as it is exactly what the UI sends (locale en-US). */
  async sendMessage(text: string, options: ActivityOptions = {}): Promise<void> {
    this.markNow();
    const conversationId = options.conversationId ?? this.personalChatId;
    if (!options.locale && !options.as && !options.timezone) {
      await httpJson('POST', `${this.baseUrl}/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
        from: { id: this.config.currentUser.id },
        text,
        textFormat: 'plain',
      });
      return;
    }
    await this.postCustom({ ...(await this.baseActivity(options)), type: 'message', text, textFormat: 'plain' });
  }

  /** Action.Submit on a card message (`replyToId` = its messageId). */
  async submit(replyToId: string, value: Record<string, unknown>, options: ActivityOptions = {}): Promise<void> {
    this.markNow();
    const conversationId = options.conversationId ?? this.personalChatId;
    if (!options.locale && !options.as && !options.timezone) {
      await httpJson('POST', `${this.baseUrl}/_conversation/v1/submit`, {
        conversation: { id: conversationId },
        from: { id: this.config.currentUser.id },
        replyToId,
        value,
      });
      return;
    }
    const base = await this.baseActivity(options);
    await this.postCustom({ ...base, type: 'message', replyToId, value, channelData: { ...(base.channelData as object), source: { name: 'message' } } });
  }

  /**
   * Action.Execute on a card message: resolves to the bot's invoke response body
   * (e.g. `{ statusCode, type: 'application/vnd.microsoft.card.adaptive', value: card }`).
   */
  async execute(replyToId: string, verb: string, data: Record<string, unknown> = {}, options: ActivityOptions & { timeout?: number } = {}): Promise<unknown> {
    this.markNow();
    const value = { action: { type: 'Action.Execute', verb, data } };
    if (!options.locale && !options.as && !options.timezone) {
      const { body } = await httpJson('POST', `${this.baseUrl}/_conversation/v1/invoke`, {
        name: 'adaptiveCard/action',
        value,
        from: { id: this.config.currentUser.id },
        conversation: { id: options.conversationId ?? this.personalChatId },
        replyToId,
      });
      return body;
    }
    // Custom activities are fire and forget: the invoke response is read from the log stream.
    const base = await this.baseActivity(options);
    const id = base.id as string;
    const logStart = this.log.length;
    await this.postCustom({ ...base, type: 'invoke', name: 'adaptiveCard/action', replyToId, value, channelData: { ...(base.channelData as object), source: { name: 'message' } } });
    const item = await this.waitFor(() => this.log.slice(logStart).find((l) => l.activityName === 'invoke' && (l.request?.body as { id?: string })?.id === id), options.timeout ?? 10_000, `the invoke response to ${verb}`);
    return item.response?.body;
  }

  /** A base activity for the conversation, from the given user, with locale/time zone applied. */
  async baseActivity(options: ActivityOptions = {}): Promise<Record<string, unknown>> {
    const conversationId = options.conversationId ?? this.personalChatId;
    const { body } = await httpJson<Record<string, unknown>>('GET', `${this.baseUrl}/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}`);
    const user = this.user(options.as);
    const locale = options.locale ?? 'en-US';
    const timezone = options.timezone ?? 'UTC';
    return {
      ...body,
      id: crypto.randomUUID(),
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      locale,
      localTimezone: timezone,
      entities: [{ type: 'clientInfo', locale, country: locale.split('-')[1] ?? '', platform: 'Web', timezone }],
      channelData: { tenant: { id: this.config.tenantId } },
    };
  }

  /** POSTs any activity to the bot through the Playground, as is (see baseActivity for a start). */
  async sendActivity(activity: Record<string, unknown>): Promise<void> {
    this.markNow();
    await this.postCustom(activity);
  }

  private async postCustom(activity: Record<string, unknown>): Promise<void> {
    await httpJson('POST', `${this.baseUrl}/_internal/v1/customActivities`, activity);
  }

  /** The next bot message since the last send (matching `predicate`, if given). */
  async nextBotMessage(predicate: (m: PlaygroundMessage) => boolean = () => true, timeout = 10_000): Promise<PlaygroundMessage> {
    const start = this.mark;
    const found = await this.waitFor(() => this.messages.slice(start).find(predicate), timeout, 'a bot message');
    this.mark = this.messages.indexOf(found) + 1;
    return found;
  }

  /** Sends a message and returns the bot's first reply. */
  async ask(text: string, options: ActivityOptions & { timeout?: number } = {}): Promise<PlaygroundMessage> {
    await this.sendMessage(text, options);
    return this.nextBotMessage(undefined, options.timeout);
  }

  /** The activities the bot received, in order (request bodies from the log stream). */
  inboundActivities(): Record<string, unknown>[] {
    return this.log.filter((l) => l.to === 'User Application' && l.request?.body).map((l) => l.request!.body!);
  }

  /**
   * The first activity the bot received since the last send (matching `predicate`), as it got it.
   * The log item arrives once the bot has answered the HTTP request, i.e. after its replies.
   */
  async inbound(predicate: (activity: Record<string, unknown>) => boolean = () => true, timeout = 10_000): Promise<Record<string, unknown>> {
    const start = this.logMark;
    const item = await this.waitFor(
      () => this.log.slice(start).find((l) => l.to === 'User Application' && l.request?.body && predicate(l.request.body)),
      timeout,
      'an activity to the bot in the log',
    );
    return item.request!.body!;
  }

  private markNow(): void {
    this.mark = this.messages.length;
    this.logMark = this.log.length;
  }

  private waitFor<T>(find: () => T | undefined, timeout: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = find();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out after ${timeout} ms waiting for ${what}`));
      }, timeout);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}

/** The Adaptive Cards of a Playground message. */
export function cardsOf(message: PlaygroundMessage): unknown[] {
  return adaptiveCardsOf(message);
}

/** All TextBlock / TextRun texts of a card, joined by newlines (for assertions). */
export function cardText(card: unknown): string {
  return cardElements(card)
    .flatMap((e) => (e.type === 'TextBlock' && typeof e.text === 'string' ? [e.text] : e.type === 'RichTextBlock' && Array.isArray(e.inlines) ? (e.inlines as { text?: string }[]).map((i) => i.text ?? '') : []))
    .join('\n');
}
