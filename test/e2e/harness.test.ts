import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { defaultSeed } from '../../local/tenant/seed';
import {
  cardsOf,
  cardText,
  freshBotEnv,
  openChat,
  PlaygroundApi,
  PROJECT_ROOT,
  screenshotIfFailed,
  skipUnlessChromium,
  startBotProcess,
  startPlayground,
  type BotProcess,
  type ChatPage,
  type Playground,
} from './harness';

const ECHO_BOT = 'test/e2e/fixtures/echoBot.ts';
const SCREENSHOT = path.join(os.tmpdir(), 'e2e-harness-echo.png');

describe('e2e harness: echo bot in the Agents Playground UI (headless Chromium)', function () {
  this.timeout(60_000);
  let bot: BotProcess | undefined;
  let playground: Playground | undefined;
  let chat: ChatPage | undefined;

  before(async function () {
    skipUnlessChromium(this);
    bot = await startBotProcess({ entry: ECHO_BOT });
    playground = await startPlayground({ botEndpoint: bot.messagesUrl });
  });
  afterEach(async function () {
    await screenshotIfFailed(this, chat);
  });
  after(async () => {
    await chat?.close();
    await playground?.stop();
    await bot?.stop();
  });

  it('opens the chat, fills every kind of input on a card, submits, and sees the reply', async () => {
    const t0 = Date.now();
    chat = await openChat(playground!.url);
    const opened = Date.now() - t0;

    const t1 = Date.now();
    await chat.sendMessage('hello bot');
    const card = await chat.waitForCard('You said "hello bot" (locale en-US)');
    const firstCard = Date.now() - t1;

    await chat.fillInput('name', 'Ada Lovelace'); // by Adaptive Card id (label "Your name")
    await chat.selectChoice('color', 'Green'); // compact
    await chat.selectChoice('services', ['SharePoint', 'teams']); // expanded multi-select: a title and a value
    await chat.selectChoice('Regions', ['Asia Pacific', 'Europe']); // compact multi-select, by label
    await chat.selectChoice('size', 'Large'); // expanded single
    await chat.fillInput('launch', '2026-12-01'); // Input.Date
    await chat.fillInput('meetAt', '14:30'); // Input.Time
    await chat.fillInput('seats', 25); // Input.Number
    await chat.fillInput('notes', 'line one\nline two'); // multiline
    await chat.fillInput('agree', true); // Input.Toggle (title, no label)
    await card.screenshot({ path: path.join(os.tmpdir(), 'e2e-harness-echo-card.png') });

    const t2 = Date.now();
    await chat.clickButton('Submit');
    await chat.waitForText('Hello Ada Lovelace');
    const submitRoundTrip = Date.now() - t2;

    // The reply is markdown: the newline of the multiline input renders as a space.
    assert.equal(
      await chat.lastBotMessageText(),
      'Hello Ada Lovelace (color=green; services=sharepoint,teams; regions=eu,apac; size=l; launch=2026-12-01; meetAt=14:30; seats=25; notes=line one line two; agree=yes; locale=en-US)',
    );
    const submitted = (await chat.waitForInbound((a) => a.type === 'message' && !!a.value)) as { value: Record<string, unknown> };
    assert.equal(submitted.value.notes, 'line one\nline two');
    await chat.screenshot(SCREENSHOT);
    assert.ok(fs.statSync(SCREENSHOT).size > 10_000);
    assert.deepEqual(
      chat.browser.blockedRequests.filter((u) => /^(https?|wss?):\/\/(localhost|127\.0\.0\.1)[:/]/.test(u)),
      [],
      'only non-loopback requests are blocked',
    );
    console.log(`      timings: browser start + page ready ${opened} ms; message → card ${firstCard} ms; submit → reply ${submitRoundTrip} ms; screenshot ${SCREENSHOT}`);
  });

  it('Action.Execute replaces the card with the one the invoke returns', async () => {
    await chat!.sendMessage('refresh me');
    await chat!.waitForCard('You said "refresh me"');
    await chat!.fillInput('name', 'Bea');
    await chat!.clickButton('Refresh', { card: 'You said "refresh me"' });
    await chat!.waitForCard('Refreshed for Bea (locale en-US)');
    assert.equal(await chat!.page.locator('.ac-adaptiveCard', { hasText: 'You said "refresh me"' }).count(), 0);
  });

  it('re-fills a card whose inputs the Playground reset (it does so whenever any message arrives)', async () => {
    await chat!.sendMessage('first card');
    await chat!.waitForCard('You said "first card"');
    await chat!.fillInput('name', 'Cy');
    await chat!.sendMessage('second card'); // re-renders every card: card 1's name is empty again
    await chat!.waitForCard('You said "second card"');
    await chat!.clickButton('Submit'); // acts on the card filled last, after filling it again
    await chat!.waitForText('Hello Cy (');
  });

  it('waits for the bot to finish its turn before a card is used', async () => {
    const t0 = Date.now();
    await chat!.sendMessage('slow card'); // the echo bot answers the HTTP request 1.5 s after the card
    await chat!.waitForCard('You said "slow card"');
    assert.ok(Date.now() - t0 >= 1400, `waited ${Date.now() - t0} ms`);
  });

  it('every activity the bot got carries the Contoso tenant and Megan (from .m365agentsplayground.yml)', () => {
    const inbound = chat!.inboundActivities();
    const types = inbound.map((a) => a.type);
    for (const type of ['installationUpdate', 'conversationUpdate', 'message', 'invoke']) assert.ok(types.includes(type), `saw ${type}`);
    for (const activity of inbound) {
      const a = activity as { type: string; conversation: { tenantId?: string }; channelData?: { tenant?: { id?: string } }; from: { aadObjectId?: string }; recipient: { id: string; name: string } };
      assert.equal(a.conversation.tenantId, TENANTS.contoso, `${a.type}: conversation.tenantId`);
      assert.equal(a.channelData?.tenant?.id, TENANTS.contoso, `${a.type}: channelData.tenant.id`);
      assert.equal(a.from.aadObjectId, USERS.megan, `${a.type}: from.aadObjectId`);
      assert.deepEqual(a.recipient, { id: '00000000-0000-0000-0000-0000000000b0', name: 'FastTrack Onboarding' });
    }
  });
});

describe('e2e harness: PlaygroundApi (protocol level, no browser)', function () {
  this.timeout(60_000);
  let bot: BotProcess | undefined;
  let playground: Playground | undefined;
  let api: PlaygroundApi | undefined;

  before(async () => {
    bot = await startBotProcess({ entry: ECHO_BOT });
    playground = await startPlayground({ botEndpoint: bot.messagesUrl });
    api = await PlaygroundApi.connect(playground.url);
  });
  after(async () => {
    api?.close();
    await playground?.stop();
    await bot?.stop();
  });

  it('the Playground config is the local tenant\'s Contoso', () => {
    const { config } = api!;
    assert.equal(config.tenantId, TENANTS.contoso);
    assert.deepEqual(config.bot, { id: '00000000-0000-0000-0000-0000000000b0', name: 'FastTrack Onboarding' });
    assert.equal(config.currentUser.aadObjectId, USERS.megan);
    assert.equal(config.currentUser.email, 'megan@contoso.com');
    assert.deepEqual(
      config.users.map((u) => [u.name, u.aadObjectId, u.email]),
      [
        ['李伟', USERS.liwei, 'liwei@contoso.com'],
        ['Adele Vance', USERS.adele, 'adele@contoso.com'],
        ['Alex Wilber', USERS.alex, 'alex@contoso.com'],
        ['Priya Patel', USERS.priya, 'priya@contoso.com'],
        ['Sita Gurung', USERS.sita, 'sita@contoso.com'],
      ],
    );
  });

  it('every Playground user is the local tenant\'s Contoso user with that aadObjectId (names, UPN, mail)', () => {
    const contoso = defaultSeed().tenants[TENANTS.contoso]!;
    for (const user of [api!.config.currentUser, ...api!.config.users]) {
      const seeded = contoso.users.find((u) => u.id === user.aadObjectId);
      assert.ok(seeded, `${user.name} (${user.aadObjectId}) is in the Contoso seed`);
      assert.deepEqual(
        [user.name, user.userPrincipleName, user.email, user.givenName, user.surname],
        [seeded.displayName, seeded.userPrincipalName, seeded.mail, seeded.givenName, seeded.surname],
      );
    }
  });

  it('sends a message as the UI does (en-US) and gets the card', async () => {
    const t0 = Date.now();
    const reply = await api!.ask('hi');
    const ms = Date.now() - t0;
    assert.match(cardText(cardsOf(reply)[0]), /You said "hi" \(locale en-US\)/);
    const inbound = (await api!.inbound((a) => a.type === 'message')) as { locale: string; conversation: { tenantId: string }; from: { aadObjectId: string } };
    assert.equal(inbound.locale, 'en-US');
    assert.equal(inbound.conversation.tenantId, TENANTS.contoso);
    assert.equal(inbound.from.aadObjectId, USERS.megan);
    console.log(`      timings: API message → card ${ms} ms`);
  });

  it('sends another locale and user (zh-CN, 李伟): message, Action.Submit, Action.Execute', async () => {
    const card = await api!.ask('你好', { locale: 'zh-CN', as: 'liwei@contoso.com', timezone: 'Asia/Shanghai' });
    assert.match(cardText(cardsOf(card)[0]), /You said "你好" \(locale zh-CN\)/);
    const inbound = (await api!.inbound((a) => a.type === 'message')) as { locale: string; from: { aadObjectId: string }; channelData: { tenant: { id: string } } };
    assert.equal(inbound.locale, 'zh-CN');
    assert.equal(inbound.from.aadObjectId, USERS.liwei);
    assert.equal(inbound.channelData.tenant.id, TENANTS.contoso);

    await api!.submit(card.messageId, { action: 'echo.submit', name: '李伟', color: 'blue' }, { locale: 'zh-CN', as: 'liwei@contoso.com' });
    const hello = await api!.nextBotMessage();
    assert.equal(hello.text, 'Hello 李伟 (color=blue; locale=zh-CN)');

    const response = (await api!.execute(card.messageId, 'echo.refresh', { name: '李伟' }, { locale: 'zh-CN' })) as { value: unknown };
    assert.match(cardText(response.value), /Refreshed for 李伟 \(locale zh-CN\)/);

    const plain = (await api!.execute(card.messageId, 'echo.refresh', { name: 'Megan' })) as { value: unknown };
    assert.match(cardText(plain.value), /Refreshed for Megan \(locale en-US\)/);
  });
});

describe('e2e harness: process helpers', function () {
  this.timeout(60_000);

  it('startBotProcess fails with the output tail when the bot exits early', async () => {
    const env = await freshBotEnv();
    try {
      await assert.rejects(startBotProcess({ entry: 'test/e2e/fixtures/doesNotExist.ts', env: env.env }), (error: Error) => {
        assert.match(error.message, /exited with 1 before http:\/\/127\.0\.0\.1:\d+\/healthz answered 200/);
        assert.match(error.message, /doesNotExist/);
        return true;
      });
    } finally {
      env.cleanup();
    }
  });

  it('stop() ends the bot gracefully; kill() is a SIGKILL', async () => {
    const first = await startBotProcess({ entry: ECHO_BOT });
    assert.deepEqual(await first.stop(), { code: 0, signal: null, leftovers: false });
    const second = await startBotProcess({ entry: ECHO_BOT });
    assert.deepEqual(await second.kill(), { code: null, signal: 'SIGKILL' });
  });

  it('startPlayground reports a config error that the Playground writes only to its log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-bad-config-'));
    const yml = fs.readFileSync(path.join(PROJECT_ROOT, '.m365agentsplayground.yml'), 'utf8');
    // Drop the last user: 4 users instead of the 5 the schema demands.
    const configPath = path.join(dir, 'four-users.yml');
    fs.writeFileSync(configPath, yml.replace(/ {2}- id: 29:contoso-sita[\s\S]*?email: sita@contoso\.com\n/, ''));
    try {
      await assert.rejects(startPlayground({ botEndpoint: 'http://127.0.0.1:9/api/messages', configPath }), (error: Error) => {
        assert.match(error.message, /Playground did not start: exited with 1/);
        assert.match(error.message, /fewer than 5 items/);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
