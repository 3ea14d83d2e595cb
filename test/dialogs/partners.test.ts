import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createLogger } from '../../bot/logger';
import { PARTNER_CONSENT_KIND, partnerConsentKind } from '../../bot/notifications/consentWatch';
import { createNoticeKinds, outboxMessageSchema } from '../../bot/notifications/notice';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { PARTNER_TENANTS, generatedCustomerTenantId } from '../../local/tenant/partners';
import { cards, createTestBot, inputs, MEGAN, PATTI, renderer, visibleText } from '../helpers/botHarness';
import { ANSWERS, STEPS, step, type Bot } from '../helpers/journeySteps';
import { fastTrackEvents } from '../helpers/meetings';

type Replies = Partial<Activity>[];

const PARTNER_FORM = { partnerName: 'Fabrikam Conseil', partnerContact: 'patti@fabrikam.fr', partnerId: '1234567' };
const CUSTOMER_CONTACT = { customerName: 'Megan Bowen', customerEmail: 'megan@contoso.com' };

/** Log lines as objects (pino JSON), to assert what an operator would see. */
function captureLogs() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { logger, lines };
}

/** Patti starts a request, says "for a customer" and gets My customers. */
async function toCustomers(bot: Bot): Promise<Replies> {
  const choice = await bot.click(PATTI, { verb: 'request.start' });
  return bot.click(PATTI, { ...step(choice, 'partner.for').data, for: 'customer' });
}

/** …and picks this customer (the card's own action, the id as the ChoiceSet submits it). */
async function pick(bot: Bot, customers: Replies, customerTenantId: string): Promise<Replies> {
  return bot.click(PATTI, { ...step(customers, 'partner.pick').data, customerTenantId });
}

/** Answers the phases for Contoso up to (not including) `until`, Patti asking. */
async function walkForCustomer(bot: Bot, first: Replies, until: (typeof STEPS)[number]['name'] | 'end'): Promise<Replies> {
  let replies = first;
  for (const s of STEPS) {
    if (s.name === until) return replies;
    const answers = s.name === 'request form' ? { ...s.answers, ...CUSTOMER_CONTACT, ...PARTNER_FORM, requesterName: 'Patti Fernandez', requesterEmail: 'patti@fabrikam.fr', timeZone: 'Europe/Paris', region: 'emea', preferredLanguage: 'fr-FR' } : s.answers;
    replies = await bot.click(PATTI, { ...step(replies, s.verb).data, ...answers });
  }
  return replies;
}

function customerNames(replies: Replies): string[] {
  const card = step(replies, 'partner.search').card;
  const list = (card.body as Record<string, unknown>[]).find((e) => e.id === 'customerTenantId') as { choices: { title: string }[] } | undefined;
  return list?.choices.map((c) => c.title) ?? [];
}

describe('partners asking on behalf of customers (GDAP), turn by turn', function () {
  this.timeout(60000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  it('asks a partner admin first whether the request is for the own organization or a customer; "for my organization" checks Fabrikam itself', async () => {
    const bot = createTestBot({ graph: tenant });
    const choice = await bot.click(PATTI, { verb: 'request.start' });
    assert.match(visibleText(choice), /Who is this request for\?/);
    const own = await bot.click(PATTI, { ...step(choice, 'partner.for').data, for: 'self' });
    assert.match(visibleText(own), /Fabrikam Conseil/);
    assert.match(visibleText(own), /Not eligible for FastTrack yet: 12 eligible seats counted, 150 needed/);
  });

  it('never asks an admin whose tenant has no customers', async () => {
    const bot = createTestBot({ graph: tenant });
    const text = visibleText(await bot.click(MEGAN, { verb: 'request.start' }));
    assert.doesNotMatch(text, /Who is this request for/);
    assert.match(text, /Eligible for FastTrack/);
  });

  it('lists My customers a page at a time, searches by name and by domain, and says so when nothing matches', async () => {
    const bot = createTestBot({ graph: tenant });
    const customers = await toCustomers(bot);
    assert.match(visibleText(customers), /Page 1 of 16 · 123 customers/);
    assert.deepEqual(customerNames(customers).slice(0, 3), ['Adatum Corporation', 'Contoso', 'Customer 001']);
    const next = await bot.click(PATTI, step(customers, 'partner.page').data);
    assert.match(visibleText(next), /Page 2 of 16/);
    const byDomain = await bot.click(PATTI, { ...step(next, 'partner.search').data, search: 'northwindtraders.com' });
    assert.deepEqual(customerNames(byDomain), ['Northwind Traders']);
    const none = await bot.click(PATTI, { ...step(byDomain, 'partner.search').data, search: 'Wide World Importers' });
    assert.match(visibleText(none), /No customer matches “Wide World Importers”/);
    assert.deepEqual(customerNames(none), []);
    assert.throws(() => step(none, 'partner.pick'), /no card submitting partner\.pick/, 'nothing to pick');
  });

  it('runs the same phases on the customer\'s tenant, adds the partner fields to the form, books on Patti\'s calendar with the customer\'s contact invited', async () => {
    const bot = createTestBot({ graph: tenant });
    const picked = await pick(bot, await toCustomers(bot), TENANTS.contoso);
    const text = visibleText(picked);
    assert.match(text, /on behalf of Contoso/);
    assert.match(text, /Contoso[\s\S]*Eligible for FastTrack: 2,000 eligible seats counted/);
    const form = await walkForCustomer(bot, picked, 'request form');
    const fields = inputs(step(form, 'request.submit').card);
    assert.equal(fields.requesterEmail, 'patti@fabrikam.fr', 'the requester is Patti, read from Fabrikam');
    assert.equal(fields.customerEmail, '', 'the customer\'s contact is for Patti to give');
    assert.equal(fields.partnerContact, 'patti@fabrikam.fr');
    assert.ok('partnerId' in fields && 'partnerName' in fields);
    const refused = await bot.click(PATTI, { ...step(form, 'request.submit').data, ...ANSWERS.form, ...CUSTOMER_CONTACT, partnerName: 'Fabrikam Conseil', partnerContact: 'patti@fabrikam.fr', partnerId: 'MPN-12' });
    assert.match(visibleText(refused), /Enter a number\./, 'the Partner ID is digits');
    assert.equal(inputs(step(refused, 'request.submit').card).partnerName, 'Fabrikam Conseil', 'values kept');
    const slots = await bot.click(PATTI, { ...step(refused, 'request.submit').data, ...ANSWERS.form, ...CUSTOMER_CONTACT, ...PARTNER_FORM, timeZone: 'Europe/Paris', region: 'emea', preferredLanguage: 'en-US' });
    const booked = await bot.click(PATTI, { ...step(slots, 'slot.pick').data, slot: '1' });
    assert.match(visibleText(booked), /Kickoff booked/);
    const events = await fastTrackEvents(tenant, TENANTS.fabrikam, USERS.patti);
    assert.equal(events.length, 1, 'on Patti\'s calendar, in Fabrikam\'s tenant');
    assert.ok(events[0]!.attendees.some((a) => a.emailAddress.address === 'megan@contoso.com'), 'Contoso\'s contact invited');
    assert.equal((await fastTrackEvents(tenant, TENANTS.contoso, USERS.megan)).length, 0);
    const request = await bot.requests.findOpen(TENANTS.contoso);
    assert.equal(request?.requester.tenantId, TENANTS.fabrikam, 'one request per tenant, keyed by the customer');
    assert.equal(request?.partner?.organization, 'Fabrikam Conseil');
    assert.equal(request?.form?.partner?.partnerId, '1234567');
    // The customer's admin sees the partner-managed request, and who manages it; a second request is not opened.
    const status = visibleText(await bot.say(MEGAN, 'status'));
    assert.match(status, /Managed by the partner Fabrikam Conseil \(Patti Fernandez\)/);
    assert.match(visibleText(await bot.click(MEGAN, { verb: 'request.start' })), /Your tenant already has a request[\s\S]*Managed by the partner Fabrikam Conseil/);
    // Patti's own status shows the requests she manages.
    const mine = visibleText(await bot.say(PATTI, 'status'));
    assert.ok(mine.includes(request!.id), mine);
    assert.match(mine, /Managed by the partner Fabrikam Conseil/);
    // The meeting commands find Patti's request for Contoso too, while the relationship stands.
    step(await bot.say(PATTI, 'reschedule'), 'slot.pick');
    tenant.endRelationship(TENANTS.fabrikam, TENANTS.contoso, 'expired');
    const after = await bot.say(PATTI, 'reschedule');
    assert.throws(() => step(after, 'slot.pick'), /no card submitting slot\.pick/, 'no times offered once the relationship expired');
    // …and says why, not that meetings come once the form is submitted.
    assert.match(visibleText(after), /relationship with Contoso has expired/);
    assert.ok(!visibleText(after).includes(renderer.strings('en-US').scheduling.notYet), visibleText(after));
    // The same for "cancel" and "adoption": why, not that there is nothing to cancel or no request.
    // (The times card of the first "reschedule" is still open: "cancel" first stops it, as anywhere.)
    const stop = await bot.say(PATTI, 'cancel');
    const yes = ((cards(stop)[0]!.actions as Record<string, unknown>[]).find((a) => (a.data as Record<string, unknown>).answer === 'yes')!.data) as Record<string, unknown>;
    await bot.click(PATTI, yes);
    const cancel = visibleText(await bot.say(PATTI, 'cancel'));
    assert.match(cancel, /relationship with Contoso has expired/);
    assert.ok(!cancel.includes(renderer.strings('en-US').messages.nothingToCancel), cancel);
    assert.match(visibleText(await bot.say(PATTI, 'adoption')), /relationship with Contoso has expired/);
  });

  it('offers a partner the customer\'s own open request instead of a second one', async () => {
    const bot = createTestBot({ graph: tenant });
    await bot.click(MEGAN, { verb: 'request.start' });
    const text = visibleText(await pick(bot, await toCustomers(bot), TENANTS.contoso));
    assert.match(text, /Megan Bowen opened request FT-/);
  });

  it('shows the admin-consent link when the customer never consented, waits through the queue, and resumes when consent comes', async () => {
    const bot = createTestBot({ graph: tenant });
    const consent = await pick(bot, await toCustomers(bot), PARTNER_TENANTS.adatum);
    const text = visibleText(consent);
    assert.match(text, /Adatum Corporation must consent first/);
    const link = JSON.stringify(cards(consent));
    assert.ok(link.includes(`/_local/login/${PARTNER_TENANTS.adatum}/v2.0/adminconsent?client_id=`), 'the admin-consent URL for Adatum');
    assert.equal(await bot.requests.findOpen(PARTNER_TENANTS.adatum), undefined, 'nothing recorded yet');

    // The durable wait: a consentCheck message; consent still missing → checked again later.
    const watch = bot.deps.partners!.consent as unknown as { handle(m: unknown): Promise<void> };
    const [first] = bot.partnerWork.queue.drain().map((m) => outboxMessageSchema.parse(m));
    assert.equal(first?.type, 'consentCheck');
    await watch.handle(first);
    assert.equal(bot.partnerWork.notices.length, 0);
    const [second] = bot.partnerWork.queue.drain().map((m) => outboxMessageSchema.parse(m));
    assert.equal(second?.type === 'consentCheck' && second.attempt, 1);

    // The customer's admin consents; the next check tells Patti through the outbox.
    tenant.setConsent(PARTNER_TENANTS.adatum, true);
    await watch.handle(second);
    assert.equal(bot.partnerWork.notices.length, 1);
    const notice = bot.partnerWork.notices[0]!;
    assert.equal(notice.userId, USERS.patti);
    const rendered = createNoticeKinds(renderer).register(PARTNER_CONSENT_KIND, partnerConsentKind()).render({ kind: notice.kind, params: notice.params ?? {} }, 'en-US');
    assert.match(visibleText([rendered]), /Adatum Corporation has granted consent/);
    const resumed = await bot.click(PATTI, step([rendered], 'journey.continue').data);
    assert.match(visibleText(resumed), /Adatum Corporation[\s\S]*Eligible for FastTrack: 300 eligible seats counted/);
    step(resumed, 'core.identity');
  });

  it('stops the journey with a clear message when the relationship ends mid-journey', async () => {
    const bot = createTestBot({ graph: tenant });
    const picked = await pick(bot, await toCustomers(bot), TENANTS.contoso);
    const services = await bot.click(PATTI, { ...step(picked, 'core.identity').data, ...ANSWERS.identity });
    tenant.endRelationship(TENANTS.fabrikam, TENANTS.contoso, 'terminated');
    const stopped = await bot.click(PATTI, { ...step(services, 'services.submit').data, ...ANSWERS.services });
    assert.match(visibleText(stopped), /relationship with Contoso has ended/);
    assert.throws(() => step(stopped, 'migration.submit'));
    const request = await bot.requests.findOpen(TENANTS.contoso);
    assert.equal(request?.phases.services, 'inProgress', 'the services answer was not saved');
  });

  it('refuses an expired relationship when the customer is picked', async () => {
    const bot = createTestBot({ graph: tenant });
    tenant.endRelationship(TENANTS.fabrikam, TENANTS.northwind, 'expired');
    const text = visibleText(await pick(bot, await toCustomers(bot), TENANTS.northwind));
    assert.match(text, /relationship with Northwind Traders has expired/);
    assert.match(text, /My customers/, 'the list again');
    assert.match(visibleText(await pick(bot, await toCustomers(bot), generatedCustomerTenantId(7))), /has expired/);
  });

  it('refuses and logs a replayed card action for a tenant that is not a current customer', async () => {
    const { logger, lines } = captureLogs();
    const bot = createTestBot({ graph: tenant, logger });
    const customers = await toCustomers(bot);
    const replayed = await pick(bot, customers, TENANTS.tailspin);
    assert.match(visibleText(replayed), /You can act only for customers your organization manages today/);
    assert.ok(lines.some((l) => l.msg === 'partner action refused: not a current delegated-admin customer' && l.customerTenantId === TENANTS.tailspin));
    // The same through "continue" (a consent card's action replayed with another tenant's id).
    const forged = await bot.click(PATTI, { verb: 'journey.continue', customerTenantId: TENANTS.woodgrove });
    assert.match(visibleText(forged), /You can act only for customers/);
    assert.equal(await bot.requests.findOpen(TENANTS.woodgrove), undefined);
    // A customer's admin replaying the partner's "continue for Contoso": Megan is no partner of Contoso.
    const megan = await bot.click(MEGAN, { verb: 'journey.continue', customerTenantId: TENANTS.contoso });
    assert.match(visibleText(megan), /You can act only for customers/);
  });

  it('refuses the partner\'s journey card when another user of the tenant replays it in a shared conversation', async () => {
    const { logger, lines } = captureLogs();
    const bot = createTestBot({ graph: tenant, logger });
    const picked = await pick(bot, await toCustomers(bot), TENANTS.contoso);
    const identity = step(picked, 'core.identity').data;
    // Same conversation (the partner's), another sender: Megan of Contoso.
    await bot.adapter.processActivity({
      type: 'message',
      channelId: 'msteams',
      serviceUrl: 'https://smba.example/teams/',
      locale: 'en-US',
      value: { ...identity, ...ANSWERS.identity },
      from: { id: `29:${USERS.megan}`, name: 'Megan Bowen', aadObjectId: USERS.megan },
      recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
      conversation: { id: `a:${USERS.patti}`, tenantId: TENANTS.contoso, conversationType: 'personal', isGroup: false, name: '' },
      channelData: { tenant: { id: TENANTS.contoso } },
    });
    const replies = bot.adapter.activeQueue.splice(0).filter((a) => a.type !== 'typing');
    assert.equal(visibleText(replies), renderer.text('en-US', (s) => s.requesterSide.cardNotYours));
    assert.ok(lines.some((l) => l.msg === 'journey action refused: the sender is not the requester'));
    assert.equal((await bot.requests.findOpen(TENANTS.contoso))?.phases.core, 'inProgress');
    // Patti's own click still works.
    step(await bot.click(PATTI, { ...identity, ...ANSWERS.identity }), 'services.submit');
  });

  it('refuses the partner on the customer admin\'s card: a replayed "continue" of Megan\'s request, and her card in a shared conversation', async () => {
    const { logger, lines } = captureLogs();
    const bot = createTestBot({ graph: tenant, logger });
    const megan = await bot.click(MEGAN, { verb: 'request.start' });
    const requestId = (await bot.requests.findOpen(TENANTS.contoso))!.id;
    // Patti is Contoso's partner, but the request is Megan's.
    const replayed = await bot.click(PATTI, { verb: 'journey.continue', requestId, customerTenantId: TENANTS.contoso });
    assert.match(visibleText(replayed), /request/i);
    assert.throws(() => step(replayed, 'core.identity'));
    assert.ok(lines.some((l) => l.msg === 'continue refused: the request is not the user\'s'));
    // Patti clicking Megan's identity card in a conversation they share.
    await bot.adapter.processActivity({
      type: 'message',
      channelId: 'msteams',
      serviceUrl: 'https://smba.example/teams/',
      locale: 'en-US',
      value: { ...step(megan, 'core.identity').data, ...ANSWERS.identity },
      from: { id: `29:${USERS.patti}`, name: 'Patti Fernandez', aadObjectId: USERS.patti },
      recipient: { id: '28:bot', name: 'FastTrack Onboarding' },
      conversation: { id: `a:${USERS.megan}`, tenantId: TENANTS.fabrikam, conversationType: 'personal', isGroup: false, name: '' },
      channelData: { tenant: { id: TENANTS.fabrikam } },
    });
    const replies = bot.adapter.activeQueue.splice(0).filter((a) => a.type !== 'typing');
    assert.equal(visibleText(replies), renderer.text('en-US', (s) => s.requesterSide.cardNotYours));
    assert.ok(lines.some((l) => l.msg === 'journey action refused: the sender is not the requester'));
    assert.equal((await bot.requests.findOpen(TENANTS.contoso))?.core, undefined, 'Megan\'s answers untouched');
    // Megan herself goes on where she was.
    step(await bot.click(MEGAN, { ...step(megan, 'core.identity').data, ...ANSWERS.identity }), 'services.submit');
  });
});
