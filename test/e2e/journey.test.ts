import assert from 'node:assert/strict';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import type { OnboardingRequest } from '../../bot/domain/journey';
import { keys } from '../../bot/domain/request';
import { TENANTS } from '../../bot/localTenant/ids';
import { azuriteConnectionString } from '../../bot/storage/azurite';
import { freshBotEnv, openChat, screenshotIfFailed, skipUnlessChromium, startBotProcess, startPlayground, type BotProcess, type ChatPage } from './harness';

/** A bot process on fresh local storage and a Playground in front of it, as one user of one tenant. */
async function session(configPath?: string) {
  const env = await freshBotEnv();
  let bot = await startBotProcess({ env: env.env });
  const playground = await startPlayground({ botEndpoint: bot.messagesUrl, ...(configPath ? { configPath } : {}) });
  const records = () => new BlobsStorage(azuriteConnectionString(Number(env.env.AZURITE_BLOB_PORT), Number(env.env.AZURITE_QUEUE_PORT)), 'records');
  return {
    env,
    playground,
    get bot(): BotProcess {
      return bot;
    },
    /** The bot dies at once (SIGKILL of its process group: Azurite and the local tenant with it). */
    async crashAndRestart(): Promise<void> {
      await bot.kill({ group: true });
      bot = await startBotProcess({ env: env.env });
    },
    async openRequest(tenantId: string): Promise<OnboardingRequest | undefined> {
      const store = records();
      const pointer = (await store.read([keys.openRequest(tenantId)]))[keys.openRequest(tenantId)] as { requestId: string } | undefined;
      if (!pointer) return undefined;
      return (await store.read([keys.request(tenantId, pointer.requestId)]))[keys.request(tenantId, pointer.requestId)] as OnboardingRequest;
    },
    async stop(): Promise<void> {
      await playground.stop();
      await bot.stop();
      env.cleanup();
    },
  };
}

const nextYear = `${new Date().getUTCFullYear() + 1}-03-01`;

/** Answers the journey's cards as a Contoso admin would, from the identity card to the request form. */
async function answerCoreToForm(chat: ChatPage): Promise<void> {
  await chat.waitForCard('Core onboarding: identity and DNS');
  await chat.selectChoice('identityPlan', 'Federate with our identity provider');
  await chat.selectChoice('dnsReady', 'Yes');
  await chat.clickButton('Next', { card: 'Core onboarding: identity and DNS' });
  await answerServicesToForm(chat);
}

async function answerServicesToForm(chat: ChatPage): Promise<void> {
  await chat.waitForCard('Service onboarding and migration');
  await chat.selectChoice('services', ['Exchange Online', 'Microsoft Teams']);
  await chat.fillInput('migration', true);
  await chat.clickButton('Next', { card: 'Service onboarding and migration' });
  await chat.waitForCard('Data migration');
  await chat.selectChoice('emailSource', 'Exchange Server on-premises');
  await chat.fillInput('mailboxes', '1200');
  await chat.fillInput('emailSizeGb', '800');
  await chat.selectChoice('fileSource', 'No files to move');
  await chat.clickButton('Next', { card: 'Data migration' });
  await chat.waitForCard('Request assistance for Microsoft 365');
  await chat.fillInput('launchDate', nextYear);
  await chat.selectChoice('mailSystem', 'Exchange Server on-premises');
  await chat.fillInput('businessReason', 'Retire our Exchange 2016 servers');
  await chat.fillInput('successOwnerName', 'Megan Bowen');
  await chat.fillInput('successOwnerRole', 'CIO');
  await chat.clickButton('Submit request');
  await chat.waitForCard('Request submitted');
}

describe('e2e: the onboarding journey in the Agents Playground (headless Chromium)', function () {
  this.timeout(120_000);
  let s: Awaited<ReturnType<typeof session>> | undefined;
  let chat: ChatPage | undefined;

  before(function () {
    skipUnlessChromium(this);
  });
  afterEach(async function () {
    await screenshotIfFailed(this, chat);
    await chat?.close();
    chat = undefined;
    await s?.stop();
    s = undefined;
  });

  it('walks a Contoso admin through every phase and stores every phase\'s answers', async () => {
    s = await session();
    chat = await openChat(s.playground.url);
    await chat.waitForCard('Welcome to FastTrack onboarding');
    await chat.clickButton('Request help');
    await chat.waitForCard('Eligible for FastTrack: 2,000 eligible seats counted, 150 needed');
    await answerCoreToForm(chat);
    await chat.waitForText('Awaiting scheduling');

    const stored = await s.openRequest(TENANTS.contoso);
    assert.ok(stored, 'the request is stored under Contoso');
    assert.deepEqual(stored.phases, { core: 'done', services: 'done', form: 'done', adoption: 'notStarted' });
    assert.deepEqual(stored.core, { identityPlan: 'federated', dnsReady: 'yes' });
    assert.deepEqual(stored.services, { services: ['exchange', 'teams'], migration: true });
    assert.equal(stored.migration?.emailSource, 'exchangeOnPremises');
    assert.equal(stored.migration?.mode, 'performed');
    assert.equal(stored.form?.launchDate, nextYear);
    assert.equal(stored.form?.requesterEmail, 'megan@contoso.com', 'prefilled from Graph');
    assert.equal(stored.form?.timeZone, 'America/Los_Angeles', 'prefilled from the mailbox time zone');
    assert.equal(stored.stage, 'awaitingScheduling');
  });

  it('tells a Northwind admin exactly why the tenant is not eligible', async () => {
    s = await session('test/e2e/fixtures/northwind.m365agentsplayground.yml');
    chat = await openChat(s.playground.url);
    await chat.waitForCard('Welcome to FastTrack onboarding');
    await chat.clickButton('Request help');
    const card = await chat.waitForCard('Not eligible for FastTrack yet: 40 eligible seats counted, 150 needed.');
    const text = await card.innerText();
    assert.match(text, /DEVELOPERPACK_E5[\s\S]*trial/);
    assert.match(text, /Trials, free plans and suspended subscriptions do not count/);
    assert.equal(await s.openRequest(TENANTS.northwind), undefined, 'nothing recorded');
  });

  it('refuses a Contoso user who is not an admin, naming the tenant\'s admins', async () => {
    s = await session('test/e2e/fixtures/contoso-adele.m365agentsplayground.yml');
    chat = await openChat(s.playground.url);
    await chat.waitForCard('Welcome to FastTrack onboarding');
    await chat.clickButton('Request help');
    const card = await chat.waitForCard('Only admins can request FastTrack help');
    const text = await card.innerText();
    assert.match(text, /Megan Bowen/);
    assert.match(text, /李伟/);
    assert.equal(await s.openRequest(TENANTS.contoso), undefined, 'nothing recorded');
  });

  it('continues at the same step after the bot is killed mid-journey and restarted', async () => {
    s = await session();
    chat = await openChat(s.playground.url);
    await chat.waitForCard('Welcome to FastTrack onboarding');
    await chat.clickButton('Request help');
    await chat.waitForCard('Core onboarding: identity and DNS');
    await chat.selectChoice('identityPlan', 'Synchronise from on-premises Active Directory');
    await chat.selectChoice('dnsReady', 'No, someone else manages DNS');
    await chat.clickButton('Next', { card: 'Core onboarding: identity and DNS' });
    await chat.waitForCard('Service onboarding and migration');
    // The turn has answered (its state is saved); a crash inside a turn resumes at the step before.
    await chat.settle();
    // Local Azurite writes its metadata to disk every 5 s, and the crash kills it too; Azure
    // Storage in production is durable per write. Let one autosave pass.
    await new Promise((resolve) => setTimeout(resolve, 5500));

    await s.crashAndRestart();
    await chat.close();
    // A new page load is what a returning Teams user does: the bot offers the exact step.
    chat = await openChat(s.playground.url);
    await chat.waitForText('Welcome back! Here is where you left off:');
    await answerServicesToForm(chat);

    const stored = await s.openRequest(TENANTS.contoso);
    assert.deepEqual(stored?.core, { identityPlan: 'synchronized', dnsReady: 'no' }, 'answers given before the crash kept');
    assert.equal(stored?.phases.form, 'done');
  });
});
