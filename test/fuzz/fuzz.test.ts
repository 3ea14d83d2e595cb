import { localWorld } from '../../local/backends';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import { MemoryStorage, type Activity } from 'botbuilder';
import fc from 'fast-check';
import { startApp, type RunningApp } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { validateCore, validateMigration, validateRequestForm, validateServices, type OnboardingRequest } from '../../bot/domain/journey';
import { SUPPORTED_LOCALES } from '../../bot/domain/locale';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { createLogger } from '../../bot/logger';
import { BlobDocumentStore, MemoryDocumentStore } from '../../bot/storage/documentStore';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { createTestBot, MEGAN, renderer, type TestUser } from '../helpers/botHarness';
import { startConnector } from '../helpers/connector';
import { ANSWERS, STEPS, step } from '../helpers/journeySteps';

// Hostile input at the real handlers: card submissions and typed messages through the bot harness
// (the production bot and dialogs on the local tenant; state in memory, for speed), and webhook bodies
// over HTTP to the whole app on Azurite. Fixed seed and run counts: the same 10,000 inputs every run.
const SEED = 20261202;
const RUNS = { cards: 6000, typed: 3000, webhooks: 1000 };

const ALL_VERBS = [
  'adoption.start', 'adoption.submit', 'checkpoints.add', 'confirm.answer', 'core.identity', 'eligibility.check', 'help.show', 'journey.continue', 'journey.cancel',
  'journey.startOver', 'meeting.book', 'meeting.cancel', 'meeting.reschedule', 'meetingCancel.submit', 'migration.submit', 'request.start', 'request.submit',
  'services.submit', 'slot.pick', 'status.show',
];
const GENERIC_ERRORS = new Set(renderer.locales.map((l) => renderer.strings(l).messages.error));

/** Every dotted path of the English string table ("form.errors.required"): none may be shown raw. */
const KEY_PATHS = new Set<string>();
(function collect(node: unknown, prefix: string) {
  if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) collect(v, prefix ? `${prefix}.${k}` : k);
  else KEY_PATHS.add(prefix);
})(renderer.strings('en-US'), '');

/**
 * What the user sees in the replies, less what they typed into the card's inputs (echoed as the
 * inputs' values) and less any string they sent (which may well look like a key or a template).
 */
function shownText(replies: Partial<Activity>[], sent: string[]): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      const isInput = typeof n.type === 'string' && n.type.startsWith('Input.');
      for (const key of ['text', 'title', 'label', 'placeholder', 'errorMessage', ...(isInput ? [] : ['value'])]) if (typeof n[key] === 'string') out.push(n[key] as string);
      for (const [key, value] of Object.entries(n)) if (!(isInput && key === 'value')) walk(value);
    }
  };
  for (const reply of replies) {
    if (reply.text) out.push(reply.text);
    walk(reply.attachments?.map((a) => a.content));
  }
  let text = out.join('\n');
  for (const s of sent.flatMap((x) => [x, x.trim(), x.trim().slice(0, 4000)]).filter((x) => x.length > 2).sort((a, b) => b.length - a.length)) text = text.split(s).join('');
  return text;
}

/** The answer is in the user's language as far as a test can tell: no failure, no raw key, no unfilled template. */
function assertLocalizedAnswer(replies: Partial<Activity>[], sent: string[], what: string): void {
  assert.ok(replies.length > 0, `${what}: the bot answered`);
  for (const reply of replies) assert.ok(!GENERIC_ERRORS.has(reply.text ?? ''), `${what}: no "something went wrong" (a handler failed)`);
  const text = shownText(replies, sent);
  assert.doesNotMatch(text, /\$\{|\{\{|\[object Object\]|\bundefined\b|\bNaN\b/, `${what}: no unfilled template or broken value in: ${text.slice(0, 300)}`);
  for (const token of text.match(/\b[a-z][a-zA-Z]*(?:\.[a-zA-Z]+)+\b/g) ?? []) assert.ok(!KEY_PATHS.has(token), `${what}: the raw key ${token} is shown`);
}

/** Every string leaf of a value (what a reply might echo). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
  return [];
}

/**
 * The stored request less what starting user adoption writes: "adoption" (typed in any language, or its
 * card button) opens that parallel phase, with no answer given yet. Every other field must stay as it was.
 */
function withoutAdoptionStart(request: OnboardingRequest | undefined): unknown {
  if (!request) return request;
  const { updatedAt: _updated, phases, history, ...rest } = request;
  return { ...rest, phases: { ...phases, adoption: phases.adoption === 'inProgress' ? 'notStarted' : phases.adoption }, history: history.filter((e) => e.event !== 'adoptionStarted') };
}

/** Whether typed text is the adoption command, as the bot reads commands (English or the locale's word, mentions dropped). */
function isAdoptionCommand(text: string, locale: unknown): boolean {
  const typed = text.replace(/<at>.*?<\/at>/g, '').trim().toLowerCase();
  return typed === renderer.strings('en-US').commands.adoption || typed === renderer.strings(locale).commands.adoption.toLowerCase();
}

// --- generators ---------------------------------------------------------------------------------

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e\u202d', '\r\n\t', '${strings.form.title}', '{{date}}', 'form.errors.required', '<at>bot</at>', '<script>alert(1)</script>', "'; DROP TABLE x;--", '../../etc/passwd', '%00', '\ud800', 'NaN', 'Infinity', '-0', '1e309', '2099-02-30', '0000-00-00', 'true', 'false', 'null'),
  fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom(...SUPPORTED_LOCALES.flatMap((l) => Object.values(renderer.strings(l).commands))),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 5 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  fc.constant(JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}') as unknown),
);

/** A JSON object with exactly these entries, `__proto__` included as an own key (as JSON.parse of a wire body makes it). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  return JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`) as Record<string, unknown>;
}

const localeArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SUPPORTED_LOCALES) }, fc.constantFrom('', 'zh', 'zh-Hant', 'pt', 'en-GB', '__proto__', 'constructor', 'x'.repeat(300), 'de-DE-u-nu-thai', '../../'), fc.string({ maxLength: 12 }));

// --- the harness path: checkpoints of one journey, restored for every input ----------------------

interface Checkpoint {
  name: (typeof STEPS)[number]['name'];
  verb: string;
  token: string;
  fields: string[];
  state: Record<string, unknown>;
  documents: { key: string; value: unknown }[];
}

describe('fuzzing the bot with hostile input', function () {
  this.timeout(900_000);
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  const tenant = new LocalTenantServer();
  let directory: GraphTenantDirectory;
  const checkpoints: Checkpoint[] = [];
  const stateKey = `msteams/conversations/a:${MEGAN.aadObjectId}/`;

  before(async () => {
    process.on('unhandledRejection', onRejection);
    await tenant.start(0);
    directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 5000 });
    // Walk one journey, keeping a copy of everything stored as each step's card is shown.
    const bot = createTestBot({ graph: directory });
    let replies = await bot.click(MEGAN, { verb: 'request.start' });
    for (const s of STEPS) {
      const { data } = step(replies, s.verb);
      const documents = bot.documents as MemoryDocumentStore;
      const state = await bot.storage.read([stateKey]);
      assert.ok(state[stateKey], 'the dialog state was read back');
      checkpoints.push({
        name: s.name,
        verb: s.verb,
        token: String(data.token),
        fields: Object.keys(s.answers),
        state,
        documents: await Promise.all(documents.keys().map(async (key) => ({ key, value: (await documents.get(key))!.value }))),
      });
      replies = await bot.click(MEGAN, { ...data, ...s.answers });
    }
  });
  after(async () => {
    process.off('unhandledRejection', onRejection);
    await tenant.stop();
  });
  afterEach(() => {
    assert.deepEqual(rejections, [], 'no unhandled promise rejection');
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false, 'Object.prototype is not polluted');
  });

  /** A bot on a copy of what was stored when the checkpoint's card was shown. */
  async function restore(checkpoint: Checkpoint) {
    const storage = new MemoryStorage();
    await storage.write(structuredClone(checkpoint.state));
    const documents = new MemoryDocumentStore();
    for (const d of checkpoint.documents) await documents.put(d.key, d.value, { absent: true });
    return createTestBot({ graph: directory, storage, documents });
  }

  /** Whether the project's own validator for the checkpoint's step accepts this value. */
  function accepted(checkpoint: Checkpoint, value: unknown, request: OnboardingRequest | undefined): boolean {
    const v = value as { verb?: unknown; token?: unknown } | null;
    if (typeof v !== 'object' || v === null || v.verb !== checkpoint.verb || v.token !== checkpoint.token) return false;
    const offered = request?.tenantCheck.offeredServices ?? [];
    switch (checkpoint.name) {
      case 'identity':
        return validateCore(value).ok;
      case 'services':
        return validateServices(value, offered).ok;
      case 'migration':
        return validateMigration(value, request!.tenantCheck.migrationTier).ok;
      case 'request form':
        return validateRequestForm(value, offered, new Date().toISOString().slice(0, 10)).ok;
    }
  }

  async function openRequest(bot: Awaited<ReturnType<typeof restore>>) {
    return bot.requests.findOpen(TENANTS.contoso);
  }

  const cardSubmission = fc
    .record({
      at: fc.nat({ max: STEPS.length - 1 }),
      verb: fc.oneof({ weight: 4, arbitrary: fc.constant('step') }, fc.constantFrom(...ALL_VERBS), hostileString, fc.integer(), fc.constant(null)),
      token: fc.oneof({ weight: 4, arbitrary: fc.constant('step') }, fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 12, maxLength: 12 }), hostileString, fc.integer(), fc.constant(['abc'])),
      // Good answers with some replaced by hostile values, some fields left out, and extra keys.
      fields: fc.array(fc.tuple(fc.nat({ max: 20 }), fc.oneof(hostileValue, fc.constant('good'), fc.constant('drop'))), { maxLength: 8 }),
      extra: fc.array(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'verb', 'token'), hostileString), hostileValue), { maxLength: 3 }),
      notAnObject: fc.option(fc.oneof(hostileString, fc.integer(), fc.constant([]), fc.constant(true)), { freq: 12 }),
      locale: localeArb,
    })
    .map(({ at, verb, token, fields, extra, notAnObject, locale }) => ({ at, locale, fields, verb, token, extra, notAnObject }));

  it(`answers ${RUNS.cards.toLocaleString('en-US')} hostile card submissions at every step in the user's language, re-prompts what it refuses, and keeps the stored request unchanged by it`, async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(cardSubmission, async (input) => {
        const checkpoint = checkpoints[input.at]!;
        const good = { ...(ANSWERS as Record<string, Record<string, string>>)[['identity', 'services', 'migration', 'form'][input.at]!] } as Record<string, unknown>;
        for (const [index, replacement] of input.fields) {
          const field = checkpoint.fields[index % checkpoint.fields.length]!;
          if (replacement === 'drop') delete good[field];
          else if (replacement !== 'good') good[field] = replacement;
        }
        const value: unknown =
          input.notAnObject ??
          objectOf([
            ['verb', input.verb === 'step' ? checkpoint.verb : input.verb],
            ['token', input.token === 'step' ? checkpoint.token : input.token],
            ...Object.entries(good),
            ...input.extra,
          ]);
        const bot = await restore(checkpoint);
        const before = await openRequest(bot);
        const replies = await bot.send(MEGAN, input.locale, { type: 'message', value });
        assertLocalizedAnswer(replies, stringsIn(value), `${checkpoint.name} card`);
        if (!accepted(checkpoint, value, before)) {
          refused++;
          assert.deepEqual(await openRequest(bot), before, 'refused input changed nothing stored');
          const v = value as { verb?: unknown; token?: unknown };
          if (v?.verb === checkpoint.verb && v.token === checkpoint.token) step(replies, checkpoint.verb);
        }
      }),
      { seed: SEED, numRuns: RUNS.cards, endOnFailure: true },
    );
    assert.ok(refused > RUNS.cards / 2, `most inputs were refused (${refused})`);
  });

  const typedMessage = fc.record({
    at: fc.nat({ max: STEPS.length - 1 }),
    locale: localeArb,
    text: fc.oneof(
      // A command in one of the 12 languages, sent in any locale, with the case, spaces and mentions Teams may add.
      fc.tuple(fc.constantFrom(...SUPPORTED_LOCALES), fc.constantFrom('request', 'eligibility', 'help', 'status', 'adoption', 'continue', 'book', 'reschedule', 'cancel', 'startOver'), fc.constantFrom('', ' ', '\n', '<at>FastTrack</at> ', '\u200b'), fc.boolean())
        .map(([l, c, pad, upper]) => {
          const word = renderer.strings(l).commands[c as keyof ReturnType<typeof renderer.strings>['commands']];
          return `${pad}${upper ? word.toUpperCase() : word}${pad}`;
        }),
      hostileString,
      fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
    ),
  });

  it(`answers ${RUNS.typed.toLocaleString('en-US')} typed messages (commands in 12 languages, unicode, control characters, huge texts) in the user's language, changing nothing stored but opening adoption when asked`, async () => {
    await fc.assert(
      fc.asyncProperty(typedMessage, async ({ at, locale, text }) => {
        const bot = await restore(checkpoints[at]!);
        const before = await openRequest(bot);
        const replies = await bot.send(MEGAN, locale, { type: 'message', text });
        assertLocalizedAnswer(replies, [text], `"${text.slice(0, 20)}" at the ${checkpoints[at]!.name} card`);
        // Typed text never answers a card, and cancel / start over only ask first; "adoption" opens that phase.
        const after = await openRequest(bot);
        if (isAdoptionCommand(text, locale)) assert.deepEqual(withoutAdoptionStart(after), withoutAdoptionStart(before), 'starting adoption changed nothing else');
        else assert.deepEqual(after, before, 'typed text changed nothing stored');
      }),
      { seed: SEED, numRuns: RUNS.typed, endOnFailure: true },
    );
  });

  // --- the HTTP path: the whole app on Azurite and the local tenant -----------------------------

  describe('over HTTP', () => {
    let dataDir: string;
    let azurite: AzuriteInstance;
    let connector: Awaited<ReturnType<typeof startConnector>>;
    let app: RunningApp;
    let requests: StorageRequestRepository;
    let servicesToken: string;

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-fuzz-'));
      azurite = await startAzurite({ location: dataDir, blobPort: 0, queuePort: 0 });
      connector = await startConnector();
      app = await startApp(loadConfig({ PORT: '0', LOCAL_TENANT_PORT: '0', LOG_LEVEL: 'silent', DATA_DIR: dataDir, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString }), createLogger('silent'), localWorld);
      requests = new StorageRequestRepository(new BlobDocumentStore(new ContainerClient(azurite.connectionString, 'records')));
      // Megan's request, paused at the services card.
      await post(activity(MEGAN, { value: { verb: 'request.start' } }));
      const identityToken = /"verb":"core.identity","token":"([0-9a-f]+)"/.exec(JSON.stringify(connector.sent))![1]!;
      await post(activity(MEGAN, { value: { verb: 'core.identity', token: identityToken, ...ANSWERS.identity } }));
      servicesToken = /"verb":"services.submit","token":"([0-9a-f]+)"/.exec(JSON.stringify(connector.sent))![1]!;
      assert.ok(await requests.findOpen(TENANTS.contoso), 'the request is stored');
    });
    after(async () => {
      await app?.stop();
      await connector?.stop();
      await azurite?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    function activity(user: TestUser, extra: Record<string, unknown>): Record<string, unknown> {
      return {
        type: 'message',
        id: `act-${Math.random().toString(36).slice(2)}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        locale: 'en-US',
        timestamp: new Date().toISOString(),
        from: { id: `29:${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId },
        recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
        conversation: { id: `a:${user.aadObjectId}`, tenantId: user.tenantId, conversationType: 'personal' },
        channelData: { tenant: { id: user.tenantId } },
        ...extra,
      };
    }

    async function post(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, raw = false): Promise<Response> {
      const response = await fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: 'POST', headers, body: raw ? (body as string) : JSON.stringify(body) });
      await response.arrayBuffer();
      return response;
    }

    // Replaced per run by the real token of Megan's services card (the arbitraries are built before it is known).
    const servicesToken_placeholder = '<services-token>';
    const fieldVariant = fc.oneof(hostileValue, fc.constant('drop'), fc.constant({}), fc.constant([]), fc.integer(), fc.string({ maxLength: 600 }));
    const webhook = fc.record({
      who: fc.constantFrom(MEGAN, { aadObjectId: USERS.nancy, name: 'Nancy Davolio', tenantId: TENANTS.northwind }, { aadObjectId: USERS.adele, name: 'Adele Vance', tenantId: TENANTS.contoso }),
      type: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('message', 'invoke', 'installationUpdate', 'conversationUpdate', 'messageReaction', 'typing', 'event') }, hostileString, fc.integer()),
      name: fc.option(fc.oneof(fc.constant('application/search'), fc.constant('adaptiveCard/action'), hostileString), { nil: undefined }),
      text: fc.option(hostileString, { nil: undefined }),
      value: fc.option(fc.oneof(hostileValue, fc.record({ verb: fc.constantFrom(...ALL_VERBS), token: fc.constantFrom(servicesToken_placeholder, 'abc'), services: hostileString, queryText: hostileString, kind: hostileString })), { nil: undefined }),
      locale: fc.oneof({ weight: 6, arbitrary: localeArb }, fc.integer(), fc.constant(null), fc.string({ minLength: 60, maxLength: 80 })),
      mutations: fc.oneof({ weight: 2, arbitrary: fc.constant([] as [string, unknown][]) }, fc.array(fc.tuple(fc.constantFrom('id', 'channelId', 'serviceUrl', 'conversation', 'from', 'recipient', 'channelData', 'timestamp', 'action', 'membersAdded', 'conversation.id', 'conversation.tenantId', 'from.aadObjectId', 'channelData.tenant'), fieldVariant), { minLength: 1, maxLength: 3 })),
      envelope: fc.oneof({ weight: 12, arbitrary: fc.constant('json') }, fc.constantFrom('notJson', 'array', 'deep', 'huge', 'empty')),
      headers: fc.oneof(
        { weight: 10, arbitrary: fc.constant<Record<string, string>>({ 'content-type': 'application/json' }) },
        fc.constantFrom<Record<string, string>>(
        { 'content-type': 'application/json; charset=utf-8' },
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        { 'content-type': 'application/json', authorization: 'Bearer not.a.jwt' },
        { 'content-type': 'application/json', 'accept-language': 'zz-ZZ;q=abc, *;;', 'x-ms-tenant-id': '../..' },
        { 'content-type': 'application/json', 'content-length-extra': 'x'.repeat(8000) },
        {},
        ),
      ),
    });

    function set(target: Record<string, unknown>, dotted: string, v: unknown) {
      const [head, tail] = dotted.split('.') as [string, string | undefined];
      if (tail) {
        const inner = target[head];
        if (inner && typeof inner === 'object') set(inner as Record<string, unknown>, tail, v);
        return;
      }
      if (v === 'drop') delete target[head];
      // serviceUrl is where the bot answers: only the test connector or a refused loopback port, never the internet.
      else if (head === 'serviceUrl') target[head] = typeof v === 'string' && v.length % 2 === 0 ? 'http://127.0.0.1:9/' : v;
      else target[head] = v;
    }

    it(`answers ${RUNS.webhooks.toLocaleString('en-US')} hostile webhook bodies on Azurite without a 5xx, answers only in the user's language, and keeps the stored request`, async () => {
      const before = await requests.findOpen(TENANTS.contoso);
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(webhook, async (input) => {
          connector.sent.splice(0);
          const body = activity(input.who, { type: input.type, ...(input.name ? { name: input.name } : {}), ...(input.text !== undefined ? { text: input.text } : {}), locale: input.locale });
          if (input.value !== undefined) body.value = JSON.parse(JSON.stringify(input.value).split(servicesToken_placeholder).join(servicesToken)) as unknown;
          for (const [field, v] of input.mutations) set(body, field, v);
          let response: Response;
          switch (input.envelope) {
            case 'notJson':
              response = await post(JSON.stringify(body).slice(0, -1), input.headers, true);
              break;
            case 'array':
              response = await post([body], input.headers);
              break;
            case 'deep':
              response = await post(`${'['.repeat(5000)}${']'.repeat(5000)}`, input.headers, true);
              break;
            case 'huge':
              response = await post({ ...body, text: 'x'.repeat(600_000) }, input.headers);
              break;
            case 'empty':
              response = await post('', input.headers, true);
              break;
            default:
              response = await post(body, input.headers);
          }
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          // The one 5xx allowed: botbuilder's 501 for an invoke name the bot does not offer (kept on purpose, see test/http/hostile.test.ts).
          const unofferedInvoke = response.status === 501 && body.type === 'invoke' && body.name !== 'application/search';
          assert.ok(response.status < 500 || unofferedInvoke, `no 5xx (got ${response.status})`);
          const answers = connector.sent.map((s) => s.activity as Partial<Activity>).filter((a) => a.type !== 'typing');
          if (answers.length > 0) assertLocalizedAnswer(answers, stringsIn(body), `a ${String(input.type)} activity`);
        }),
        { seed: SEED, numRuns: RUNS.webhooks, endOnFailure: true },
      );
      const after = await requests.findOpen(TENANTS.contoso);
      // Only a valid services answer may move the request on; the fuzzer never sends one with good values and the token together.
      assert.deepEqual(withoutAdoptionStart(after), withoutAdoptionStart(before), 'the stored request is as it was (adoption may have been started)');
      assert.ok((statuses.get(200) ?? 0) > RUNS.webhooks / 10, `some bodies were real turns: ${JSON.stringify([...statuses])}`);
      assert.ok((statuses.get(400) ?? 0) > RUNS.webhooks / 10, `some bodies were refused: ${JSON.stringify([...statuses])}`);
    });
  });
});
