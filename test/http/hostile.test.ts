import { localWorld } from '../../local/backends';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { CallerIdConstants, TestAdapter } from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import { startApp, type RunningApp } from '../../bot/app';
import { CardRenderer } from '../../bot/cards/cardRenderer';
import { loadConfig } from '../../bot/config';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { createLogger } from '../../bot/logger';
import { createTurnErrorHandler } from '../../bot/turnErrorHandler';
import { visibleText } from '../helpers/botHarness';
import { startConnector } from '../helpers/connector';

const ROOT = path.resolve(__dirname, '..', '..');
const LOCAL = { PORT: '0', AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0', LOCAL_TENANT_PORT: '0' };
const APP_ID = '11111111-2222-4333-8444-555555555555';
const LIMIT = 512 * 1024;

/** An activity as the Agents Playground sends it (captured from 0.2.28), to the given serviceUrl. */
function activity(serviceUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    text: 'help',
    id: crypto.randomUUID(),
    from: { id: '29:contoso-megan', name: 'Megan Bowen', aadObjectId: USERS.megan },
    timestamp: new Date().toISOString(),
    localTimestamp: '2026-12-02T04:07:20.572+00:00',
    localTimezone: 'UTC',
    serviceUrl,
    conversation: { conversationType: 'personal', tenantId: TENANTS.contoso, id: `a:hostile-${crypto.randomUUID()}` },
    recipient: { id: '00000000-0000-0000-0000-0000000000b0', name: 'FastTrack Onboarding' },
    textFormat: 'plain',
    locale: 'en-US',
    entities: [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: 'UTC' }],
    channelData: { tenant: { id: TENANTS.contoso } },
    channelId: 'msteams',
    ...extra,
  };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One HTTP request with full control of headers and body bytes (fetch would set its own). */
function request(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path ?? '/api/messages', headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    // A refused body may be cut off by the server once it has answered; the answer is what counts.
    req.on('error', reject);
    req.end(options.body);
  });
}

function postJson(port: number, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(port, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/**
 * Streams a chunked body of up to `max` bytes, as fast as the server takes it, and stops when the
 * answer arrives: resolves to the answer and how many bytes had been handed to the socket by then.
 */
/**
 * Streams a body until the bot answers. The bot closes the connection after refusing, so a write
 * racing that close can fail with EPIPE/ECONNRESET before the answer is read (the socket is then
 * gone): such a try is made again, a few times.
 */
async function streamUntilAnswered(port: number, max: number): Promise<{ status: number; sent: number; text: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await streamOnce(port, max);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 4 || (code !== 'EPIPE' && code !== 'ECONNRESET')) throw error;
    }
  }
}

function streamOnce(port: number, max: number): Promise<{ status: number; sent: number; text: string }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/messages', headers: { 'content-type': 'application/json' } }, (res) => {
      answered = true;
      const sentWhenAnswered = sent;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, sent: sentWhenAnswered, text });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    req.write('{"type":"message","text":"');
    const pump = () => {
      while (!answered && sent < max) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end('"}');
    };
    pump();
  });
}

/** Everything written to this process's stdout/stderr while `work` runs (where console output goes). */
async function consoleOutputOf<T>(work: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const grab = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  try {
    const result = await work();
    return { result, output: chunks.join('') };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** A logger whose JSON lines the test reads back. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(...s.split('\n').filter(Boolean)) });
  const of = (requestId: string | string[] | undefined) => lines.filter((l) => (JSON.parse(l) as { requestId?: string }).requestId === requestId).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, of };
}

const NO_LIBRARY_TEXT = /signature|jwt|JWT|openid|OpenID|metadata|does not exist|is not allowed|[A-Za-z]+Error\b|at .*\.(js|ts):\d+|\/nope/;

describe('the front door refuses hostile requests cleanly (no token configured)', function () {
  this.timeout(60000);
  let dataDir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let app: RunningApp;
  const log = capturedLogger();

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-hostile-'));
    connector = await startConnector();
    app = await startApp(loadConfig({ ...LOCAL, DATA_DIR: dataDir }), log.logger, localWorld);
  });
  after(async () => {
    await app?.stop();
    await connector.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => connector.sent.splice(0));

  /** The bot still answers a normal message after whatever came before. */
  async function stillAnswers(): Promise<void> {
    connector.sent.splice(0);
    assert.equal((await postJson(app.port, activity(connector.url))).status, 200);
    assert.match(visibleText((await connector.waitFor(1)).map((r) => r.activity)), /How I can help/);
  }

  describe('content codings', () => {
    it('answers a gzip header on a plain body with 415 and a fixed body, and keeps serving', async () => {
      const answer = await request(app.port, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{"type":"message"}' });
      assert.equal(answer.status, 415);
      assert.deepEqual(JSON.parse(answer.text), { error: 'unsupportedMediaType' });
      const lines = log.of(answer.headers['x-request-id']);
      assert.equal(lines.length, 1);
      assert.equal(lines[0]!.reason, 'unsupportedEncoding');
      await stillAnswers();
    });

    it('refuses a real gzip body (a 60 KB bomb of 60 MB) unread, and every other coding too', async () => {
      const bomb = zlib.gzipSync(Buffer.from(JSON.stringify(activity(connector.url, { text: ' '.repeat(60 * 1024 * 1024) }))));
      assert.ok(bomb.length < 100 * 1024, `the bomb is ${bomb.length} bytes`);
      for (const [coding, body] of [['gzip', bomb], ['deflate', zlib.deflateSync('{}')], ['br', zlib.brotliCompressSync('{}')], ['x-gzip', bomb], ['identity, gzip', bomb]] as const) {
        const answer = await request(app.port, { headers: { 'content-type': 'application/json', 'content-encoding': coding }, body });
        assert.equal(answer.status, 415, coding);
        assert.deepEqual(JSON.parse(answer.text), { error: 'unsupportedMediaType' });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(connector.sent.length, 0, 'no compressed activity reached the bot');
    });

    it('accepts the identity coding, which is no coding at all', async () => {
      assert.equal((await postJson(app.port, activity(connector.url), { 'content-encoding': 'identity' })).status, 200);
      assert.match(visibleText((await connector.waitFor(1)).map((r) => r.activity)), /How I can help/);
    });

    it('answers a body that is not JSON with 415', async () => {
      const answer = await request(app.port, { headers: { 'content-type': 'text/plain' }, body: JSON.stringify(activity(connector.url)) });
      assert.equal(answer.status, 415);
      assert.deepEqual(JSON.parse(answer.text), { error: 'unsupportedMediaType' });
      const missing = await request(app.port, { body: JSON.stringify(activity(connector.url)) });
      assert.equal(missing.status, 415);
    });
  });

  describe('the size limit', () => {
    it('refuses a declared length over 512 KB with 413 before a byte of the body is sent', async () => {
      const answer = await new Promise<Answer>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: app.port, method: 'POST', path: '/api/messages', headers: { 'content-type': 'application/json', 'content-length': String(LIMIT + 1) } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        });
        req.on('error', reject);
        req.flushHeaders(); // headers only: the answer must come without the body
      });
      assert.equal(answer.status, 413);
      assert.deepEqual(JSON.parse(answer.text), { error: 'payloadTooLarge' });
      assert.equal(log.of(answer.headers['x-request-id'])[0]!.reason, 'bodyTooLarge');
    });

    it('cuts a chunked body off with 413 once it passes the limit, without reading the rest', async () => {
      const answer = await streamUntilAnswered(app.port, 64 * 1024 * 1024);
      assert.equal(answer.status, 413);
      assert.deepEqual(JSON.parse(answer.text), { error: 'payloadTooLarge' });
      // The socket buffers hold a few MB at most: the answer came long before 64 MB were sent.
      assert.ok(answer.sent < 8 * 1024 * 1024, `answered after ${answer.sent} bytes were sent`);
      await stillAnswers();
    });

    it('reads an activity just under the limit', async () => {
      const body = activity(connector.url, { channelData: { tenant: { id: TENANTS.contoso }, padding: 'x'.repeat(LIMIT - 4096) } });
      assert.ok(Buffer.byteLength(JSON.stringify(body)) < LIMIT);
      assert.equal((await postJson(app.port, body)).status, 200);
      assert.match(visibleText((await connector.waitFor(1)).map((r) => r.activity)), /How I can help/);
    });
  });

  describe('the activity envelope', () => {
    const cases: [string, (url: string) => unknown][] = [
      ['no conversation', (url) => ({ ...activity(url), conversation: undefined })],
      ['no from', (url) => ({ ...activity(url), from: undefined })],
      ['no recipient', (url) => ({ ...activity(url), recipient: undefined })],
      ['no type', (url) => ({ ...activity(url), type: undefined })],
      ['a numeric type', (url) => activity(url, { type: 42 })],
      ['a numeric conversation id', (url) => activity(url, { conversation: { id: 7, tenantId: TENANTS.contoso } })],
      ['an empty from id', (url) => activity(url, { from: { id: '' } })],
      ['an aadObjectId that is a path', (url) => activity(url, { from: { id: '29:x', aadObjectId: '../../tenants/other' } })],
      ['text that is an object', (url) => activity(url, { text: { toString: 'help' } })],
      ['a numeric locale', (url) => activity(url, { locale: 5 })],
      ['no serviceUrl', (url) => ({ ...activity(url), serviceUrl: undefined })],
      ['a serviceUrl that is a file', (url) => activity(url, { serviceUrl: 'file:///etc/passwd' })],
      ['membersAdded that is not a list', (url) => activity(url, { type: 'conversationUpdate', membersAdded: { id: 'x' } })],
      ['a list instead of an activity', (url) => [activity(url)]],
      ['null', () => null],
      ['a string', () => 'help'],
    ];

    for (const [what, make] of cases) {
      it(`answers an activity with ${what} with 400 and a fixed body, and the bot does not act on it`, async () => {
        const answer = await postJson(app.port, make(connector.url));
        assert.equal(answer.status, 400);
        assert.deepEqual(JSON.parse(answer.text), { error: 'badRequest' });
        const lines = log.of(answer.headers['x-request-id']);
        assert.equal(lines.length, 1);
        assert.equal(lines[0]!.reason, 'invalidActivity');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(connector.sent.length, 0);
      });
    }

    it('answers broken JSON with 400 and no parser text', async () => {
      const answer = await request(app.port, { headers: { 'content-type': 'application/json' }, body: '{"type":' });
      assert.equal(answer.status, 400);
      assert.deepEqual(JSON.parse(answer.text), { error: 'badRequest' });
      await stillAnswers();
    });

    it('accepts what the Agents Playground sends: installationUpdate, conversationUpdate, a card submit, an invoke', async () => {
      const base = activity(connector.url);
      const conversation = base.conversation as Record<string, unknown>;
      const pageLoad = [
        { ...base, type: 'installationUpdate', action: 'add', text: undefined, channelData: { tenant: { id: TENANTS.contoso }, source: { name: 'message' }, settings: { selectedChannel: { id: conversation.id } } } },
        { ...base, type: 'conversationUpdate', text: undefined, membersAdded: [{ id: '29:contoso-megan', aadObjectId: USERS.megan }, { id: '00000000-0000-0000-0000-0000000000b0' }] },
      ];
      for (const a of pageLoad) assert.equal((await postJson(app.port, a)).status, 200, String(a.type));
      assert.match(visibleText((await connector.waitFor(1)).map((r) => r.activity)), /Welcome/);
      const submit = { ...base, id: crypto.randomUUID(), text: undefined, replyToId: 'reply-1', value: { verb: 'help.show' }, channelData: { tenant: { id: TENANTS.contoso }, source: { name: 'message' } } };
      connector.sent.splice(0);
      assert.equal((await postJson(app.port, submit)).status, 200);
      assert.match(visibleText((await connector.waitFor(1)).map((r) => r.activity)), /How I can help/);
      const invoke = { ...base, id: crypto.randomUUID(), type: 'invoke', name: 'adaptiveCard/action', text: undefined, value: { action: { type: 'Action.Execute', verb: 'nothing.here', data: {} } } };
      // The bot has no Action.Execute handler: botbuilder's own 501 shows the invoke got through to it.
      assert.equal((await postJson(app.port, invoke)).status, 501);
    });
  });

  describe('routes and methods', () => {
    it('answers an unknown route with 404 and a fixed body that does not echo the path', async () => {
      const answer = await request(app.port, { method: 'GET', path: '/nope/<script>' });
      assert.equal(answer.status, 404);
      assert.deepEqual(JSON.parse(answer.text), { error: 'notFound' });
    });

    it('answers a wrong method with 405, Allow and a fixed body; a HEAD probe (the Playground sends one) gets no body', async () => {
      for (const [method, route, allow] of [['GET', '/api/messages', 'POST'], ['DELETE', '/api/messages', 'POST'], ['POST', '/healthz', 'GET']] as const) {
        const answer = await request(app.port, { method, path: route });
        assert.equal(answer.status, 405, `${method} ${route}`);
        assert.equal(answer.headers.allow, allow);
        assert.deepEqual(JSON.parse(answer.text), { error: 'methodNotAllowed' });
      }
      const head = await request(app.port, { method: 'HEAD', path: '/api/messages' });
      assert.equal(head.status, 405);
      assert.equal(head.text, '');
    });

    it('never puts library text in any of these answers', async () => {
      const answers = await Promise.all([
        request(app.port, { method: 'GET', path: '/nope' }),
        request(app.port, { method: 'GET', path: '/api/messages' }),
        request(app.port, { method: 'GET', path: '/%E0%A4%A' }),
        request(app.port, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'x' }),
        postJson(app.port, { type: 'message' }),
      ]);
      for (const answer of answers) {
        assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status} ${answer.text}`);
        assert.doesNotMatch(answer.text, NO_LIBRARY_TEXT);
        assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
      }
    });
  });
});

// ─────────────────────────── forged tokens ───────────────────────────

/** A stand-in for the Bot Framework's OpenID metadata and signing keys (JWKS), on loopback. */
async function startKeyServer() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'channel-key-1';
  const jwk = publicKey.export({ format: 'jwk' });
  let base = '';
  const server = http.createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/channel/metadata') return json(200, { issuer: AuthenticationConstants.ToBotFromChannelTokenIssuer, jwks_uri: `${base}/channel/keys` });
    if (req.url === '/channel/keys') return json(200, { keys: [{ kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] });
    if (req.url === '/failing/metadata') return json(503, { error: 'down' });
    json(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    kid,
    privateKey,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT with the given header and claims, RS256-signed with `key` (or with no signature at all). */
function jwt(header: Record<string, unknown>, claims: Record<string, unknown>, key?: crypto.KeyObject): string {
  const signed = `${b64url(header)}.${b64url(claims)}`;
  return `${signed}.${key ? crypto.sign('RSA-SHA256', Buffer.from(signed), key).toString('base64url') : ''}`;
}

function channelClaims(serviceUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: AuthenticationConstants.ToBotFromChannelTokenIssuer, aud: APP_ID, serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600, ...extra };
}

/** Bot Framework settings that take the keys from loopback URLs; everything else as in the public cloud. */
function keysFrom(channelMetadataUrl: string, emulatorMetadataUrl: string): Record<string, string> {
  return {
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: channelMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: emulatorMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

describe('the front door refuses tokens that do not verify (an app id configured)', function () {
  this.timeout(60000);
  let dataDir: string;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let keys: Awaited<ReturnType<typeof startKeyServer>>;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-tokens-'));
    connector = await startConnector();
    keys = await startKeyServer();
  });
  after(async () => {
    await keys.stop();
    await connector.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The whole app with auth on, its signing keys at the given metadata URLs (config.ts has no key for them). */
  async function startWithKeys(channelMetadataUrl: string, emulatorMetadataUrl: string, logger: ReturnType<typeof createLogger>): Promise<RunningApp> {
    const config = loadConfig({ ...LOCAL, DATA_DIR: dataDir, MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', MicrosoftAppTenantId: TENANTS.contoso });
    const botAuth = { ...config.botAuth, ...keysFrom(channelMetadataUrl, emulatorMetadataUrl) };
    return startApp({ ...config, botAuth }, logger, localWorld);
  }

  /** Posts with a token; asserts the fixed refusal, one JSON log line with the reason, and a silent console. */
  async function assertRefused(app: RunningApp, log: ReturnType<typeof capturedLogger>, token: string, status: number, reason: string, body: unknown = activity(connector.url)) {
    const { result: answer, output } = await consoleOutputOf(() => postJson(app.port, body, { authorization: `Bearer ${token}` }));
    assert.equal(answer.status, status, answer.text);
    assert.deepEqual(JSON.parse(answer.text), { error: status === 401 ? 'unauthorized' : 'unavailable' });
    assert.equal(output, '', 'nothing but JSON log lines: no stack or library text on the console');
    const lines = log.of(answer.headers['x-request-id']);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0]!.reason, reason);
    assert.ok(!log.lines.some((l) => l.includes(token)), 'the token is never logged');
  }

  describe('with the signing keys available', () => {
    let app: RunningApp;
    const log = capturedLogger();
    before(async () => {
      app = await startWithKeys(`${keys.base}/channel/metadata`, `${keys.base}/channel/metadata`, log.logger);
    });
    after(async () => app?.stop());

    it('answers 401 to a bearer value that is not a JWT', async () => {
      await assertRefused(app, log, 'not-a-jwt', 401, 'tokenRejected');
    });

    it('answers 401 to an unsigned token (alg none) that names the channel key', async () => {
      await assertRefused(app, log, jwt({ alg: 'none', typ: 'JWT', kid: keys.kid }, channelClaims(connector.url)), 401, 'tokenRejected');
    });

    it('answers 401 to a token signed with another key under the channel key id', async () => {
      const forger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      await assertRefused(app, log, jwt({ alg: 'RS256', typ: 'JWT', kid: keys.kid }, channelClaims(connector.url), forger), 401, 'tokenRejected');
    });

    it('answers 401 to a token with an unknown key id', async () => {
      await assertRefused(app, log, jwt({ alg: 'RS256', typ: 'JWT', kid: 'someone-else' }, channelClaims(connector.url), keys.privateKey), 401, 'tokenRejected');
    });

    it('answers 401 to channel-signed tokens that are expired, for another bot, or for another serviceUrl', async () => {
      const signed = (claims: Record<string, unknown>) => jwt({ alg: 'RS256', typ: 'JWT', kid: keys.kid }, channelClaims(connector.url, claims), keys.privateKey);
      const now = Math.floor(Date.now() / 1000);
      await assertRefused(app, log, signed({ exp: now - 3600, nbf: now - 7200 }), 401, 'tokenRejected');
      await assertRefused(app, log, signed({ aud: '99999999-2222-4333-8444-555555555555' }), 401, 'tokenRejected');
      await assertRefused(app, log, signed({ serviceurl: 'https://smba.trafficmanager.net/evil/' }), 401, 'tokenRejected');
    });

    it('answers 401 to a request without a token, and the bot does not act on any of these', async () => {
      const answer = await postJson(app.port, activity(connector.url));
      assert.equal(answer.status, 401);
      assert.deepEqual(JSON.parse(answer.text), { error: 'unauthorized' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(connector.sent.length, 0);
    });

    it('lets a token signed with the channel key through (the keys above were really used)', async () => {
      // A conversationUpdate that adds no one: the bot answers nothing, so no outbound token is needed.
      const update = activity(connector.url, { type: 'conversationUpdate', text: undefined });
      const answer = await postJson(app.port, update, { authorization: `Bearer ${jwt({ alg: 'RS256', typ: 'JWT', kid: keys.kid }, channelClaims(connector.url), keys.privateKey)}` });
      assert.equal(answer.status, 200, answer.text);
    });

    it('checks the envelope before the token: a malformed activity gets 400 whatever its token', async () => {
      const answer = await postJson(app.port, { type: 'message' }, { authorization: 'Bearer not-a-jwt' });
      assert.equal(answer.status, 400);
    });
  });

  describe('with the signing keys unreachable', () => {
    let app: RunningApp;
    const log = capturedLogger();
    let closedPort: number;
    before(async () => {
      // A port nothing listens on (connection refused), and a metadata document that answers 503.
      const probe = http.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      closedPort = (probe.address() as AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
      app = await startWithKeys(`http://127.0.0.1:${closedPort}/metadata`, `${keys.base}/failing/metadata`, log.logger);
    });
    after(async () => app?.stop());

    it('answers 503 when the channel keys cannot be fetched, with a fixed body and one log line', async () => {
      await assertRefused(app, log, jwt({ alg: 'RS256', typ: 'JWT', kid: keys.kid }, channelClaims(connector.url), keys.privateKey), 503, 'signingKeysUnavailable');
    });

    it('answers 503 when the metadata answers with an error', async () => {
      const now = Math.floor(Date.now() / 1000);
      // An Emulator-style token (its issuer) is checked against the other metadata URL.
      const emulatorToken = jwt({ alg: 'RS256', typ: 'JWT', kid: keys.kid }, { iss: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/', aud: APP_ID, appid: APP_ID, ver: '1.0', nbf: now - 60, exp: now + 3600 }, keys.privateKey);
      await assertRefused(app, log, emulatorToken, 503, 'signingKeysUnavailable');
    });

    it('still answers 401 to a token that is not a JWT, without fetching any key', async () => {
      await assertRefused(app, log, 'not-a-jwt', 401, 'tokenRejected');
    });
  });
});

// ─────────────────────────── turn errors ───────────────────────────

describe('a turn that fails', () => {
  it('is logged with the error\'s name and code only, no stack or message, and the user is told in their language', async () => {
    const log = capturedLogger();
    const adapter = new TestAdapter(async () => {
      const error = Object.assign(new Error('user typed: my secret project name'), { name: 'GraphError', code: 'ErrorAccessDenied' });
      throw error;
    });
    adapter.onTurnError = createTurnErrorHandler(CardRenderer.load(), log.logger);
    await adapter.send({ type: 'message', text: 'hallo', locale: 'de-DE', from: { id: 'u1' }, conversation: { id: 'c1' } } as never).assertReply((reply) => {
      assert.equal((reply as { text?: string }).text, CardRenderer.load().text('de-DE', (s) => s.messages.error));
    });
    const failed = log.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'turn failed');
    assert.ok(failed, log.lines.join('\n'));
    assert.deepEqual(failed.err, { class: 'GraphError', code: 'ErrorAccessDenied' });
    assert.doesNotMatch(log.lines.join('\n'), /secret project|at .*\.(js|ts):\d+|stack/);
  });
});

// ─────────────────────────── the process ───────────────────────────

describe('the bot process under hostile requests', function () {
  this.timeout(90000);
  let dataDir: string;
  let child: ReturnType<typeof spawn>;
  let output = '';
  let port: number;

  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;
  const healthz = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-hostile-proc-'));
    child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], { cwd: ROOT, env: { ...process.env, ...LOCAL, DATA_DIR: dataDir, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 30000;
    while (!port) {
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`bot did not start: ${output}`);
      const line = output.split('\n').find((l) => l.includes('"port"'));
      if (line) port = (JSON.parse(line) as { port: number }).port;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  after(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('survives a gzip header on a plain body and a gzip bomb: 415, still healthy, memory flat, JSON logs only', async () => {
    const mark = output.length;
    const before = rssMb();
    const plain = await request(port, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{"type":"message"}' });
    assert.equal(plain.status, 415);
    const bomb = zlib.gzipSync(Buffer.from(JSON.stringify({ type: 'message', text: 'a'.repeat(60 * 1024 * 1024) })));
    const bombed = await request(port, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    assert.equal(bombed.status, 415);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(child.exitCode, null, `the bot exited: ${output.slice(mark)}`);
    assert.equal(await healthz(), 200);
    const grew = rssMb() - before;
    assert.ok(grew < 30, `RSS grew by ${grew.toFixed(1)} MB`);
    const lines = output.slice(mark).split('\n').filter(Boolean);
    assert.ok(lines.length >= 2, output.slice(mark));
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
  });

  it('answers a body over the limit with 413 without buffering it whole, and stays healthy', async () => {
    const before = rssMb();
    const answer = await streamUntilAnswered(port, 64 * 1024 * 1024);
    assert.equal(answer.status, 413);
    assert.ok(answer.sent < 8 * 1024 * 1024, `answered after ${answer.sent} bytes were sent`);
    assert.equal(await healthz(), 200);
    const grew = rssMb() - before;
    assert.ok(grew < 30, `RSS grew by ${grew.toFixed(1)} MB`);
  });
});
