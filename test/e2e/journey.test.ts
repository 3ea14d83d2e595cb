import assert from 'node:assert/strict';
import { TENANTS } from '../../local/tenant/ids';
import { openChat, screenshotIfFailed, skipUnlessChromium, type ChatPage } from './harness';
import { answerCoreToForm, answerServicesToForm, nextYear, session } from './journeySession';

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
