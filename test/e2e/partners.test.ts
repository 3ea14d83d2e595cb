import assert from 'node:assert/strict';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { cardText, cardsOf, openChat, PlaygroundApi, screenshotIfFailed, skipUnlessChromium, type ChatPage } from './harness';
import type { Locator } from 'playwright-core';
import { nextYear, session } from './journeySession';

/** Fills the input of the last label with exactly this text on a card (the harness finds the first). */
async function fillLastLabelled(card: Locator, label: string, value: string): Promise<void> {
  const id = await card.evaluate((root, wanted) => {
    type El = { getAttribute(name: string): string | null; textContent: string | null; querySelectorAll(selector: string): ArrayLike<El> };
    const text = (l: El): string =>
      Array.from(l.querySelectorAll('.ac-textRun'))
        .filter((r) => r.getAttribute('aria-hidden') !== 'true')
        .map((r) => r.textContent ?? '')
        .join('')
        .trim();
    const ids = Array.from((root as unknown as El).querySelectorAll('label.ac-richTextBlock'))
      .filter((l) => text(l) === wanted)
      .map((l) => l.getAttribute('for'));
    return ids.at(-1) ?? null;
  }, label);
  assert.ok(id, `no input labelled ${label}`);
  await card.locator(`[id="${id}"]`).fill(value);
}

interface GraphEvent {
  subject: string;
  attendees: { emailAddress: { address: string } }[];
}

describe('e2e: a partner asks on behalf of a customer in the Agents Playground (headless Chromium)', function () {
  this.timeout(180_000);
  let s: Awaited<ReturnType<typeof session>> | undefined;
  let chat: ChatPage | undefined;
  let api: PlaygroundApi | undefined;

  before(function () {
    skipUnlessChromium(this);
  });
  afterEach(async function () {
    await screenshotIfFailed(this, chat);
    await chat?.close();
    api?.close();
    chat = undefined;
    api = undefined;
    await s?.stop();
    s = undefined;
  });

  it('Patti (Fabrikam) requests for Contoso: tenant check of Contoso, partner fields, booked on her calendar with Contoso\'s contact invited; Contoso\'s admin sees who manages it', async () => {
    s = await session('test/e2e/fixtures/fabrikam-patti.m365agentsplayground.yml');
    chat = await openChat(s.playground.url);
    await chat.waitForCard('Welcome to FastTrack onboarding');
    await chat.clickButton('Request help');
    await chat.waitForCard('Who is this request for?');
    await chat.clickButton('For a customer');
    await chat.waitForCard(/Page 1 of 16 · 123 customers/);
    await chat.fillInput('search', 'contoso.com');
    await chat.clickButton('Search');
    await chat.waitForCard(/Page 1 of 1 · 1 customer(?!s)/);
    await chat.selectChoice('customerTenantId', 'Contoso', { card: /Page 1 of 1/ });
    await chat.clickButton('Services', { card: /Page 1 of 1/ });
    const check = await chat.waitForCard('Eligible for FastTrack: 2,000 eligible seats counted, 150 needed');
    assert.match(await check.innerText(), /Contoso/);

    await chat.waitForCard('Core onboarding: identity and DNS');
    await chat.selectChoice('identityPlan', 'Federate with our identity provider');
    await chat.selectChoice('dnsReady', 'Yes');
    await chat.clickButton('Next', { card: 'Core onboarding: identity and DNS' });
    await chat.waitForCard('Service onboarding and migration');
    await chat.selectChoice('services', ['Exchange Online', 'Microsoft Teams']);
    await chat.clickButton('Next', { card: 'Service onboarding and migration' });
    const form = await chat.waitForCard('Request assistance for Microsoft 365');
    assert.match(await form.innerText(), /Partner ID \(MPN ID/);
    await chat.fillInput('launchDate', nextYear);
    await chat.selectChoice('mailSystem', 'Exchange Server on-premises');
    await chat.fillInput('businessReason', 'Move Contoso to Exchange Online');
    await chat.fillInput('successOwnerName', 'Megan Bowen');
    await chat.fillInput('successOwnerRole', 'IT Director');
    await chat.fillInput('partnerName', 'Fabrikam Conseil');
    await chat.fillInput('partnerId', '1234567');
    // The customer contact's labels ("Name", "Email") repeat the requester's: the last of each is the customer's.
    await fillLastLabelled(form, 'Name', 'Megan Bowen');
    await fillLastLabelled(form, 'Email', 'megan@contoso.com');
    await chat.clickButton('Submit request');
    await chat.waitForCard('Request submitted');
    await chat.waitForCard('Book your onboarding kickoff');
    await chat.selectChoice('slot', '0');
    await chat.clickButton('Book this time');
    await chat.waitForCard('Kickoff booked');
    await chat.settle();

    const request = await s.openRequest(TENANTS.contoso);
    assert.equal(request?.requester.aadObjectId, USERS.patti);
    assert.equal(request?.partner?.tenantId, TENANTS.fabrikam);
    assert.equal(request?.form?.partner?.partnerId, '1234567');
    const events = (await (await fetch(`${s.graph(TENANTS.fabrikam)}/users/${USERS.patti}/events?$top=1000`)).json()) as { value: GraphEvent[] };
    const kickoff = events.value.filter((e) => /FastTrack/.test(e.subject));
    assert.equal(kickoff.length, 1, 'on Patti\'s calendar');
    assert.ok(kickoff[0]!.attendees.some((a) => a.emailAddress.address === 'megan@contoso.com'), 'Contoso\'s contact invited');

    // Contoso's admin asks for her status (a custom activity: Megan of Contoso, through the Playground).
    api = await PlaygroundApi.connect(s.playground.url);
    const base = await api.baseActivity();
    await api.sendActivity({
      ...base,
      type: 'message',
      text: 'status',
      from: { id: '29:contoso-megan', name: 'Megan Bowen', aadObjectId: USERS.megan },
      conversation: { ...(base.conversation as object), tenantId: TENANTS.contoso },
      channelData: { tenant: { id: TENANTS.contoso } },
    });
    const status = await api.nextBotMessage((m) => cardsOf(m).some((c) => /Managed by the partner/.test(cardText(c))), 20_000);
    assert.match(cardsOf(status).map(cardText).join('\n'), /Managed by the partner Fabrikam Conseil \(Patti Fernandez\)/);
  });
});
