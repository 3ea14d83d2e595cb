import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { cards, centers, createTestBot, LIWEI, MEGAN, renderer, visibleText, type TestUser } from '../helpers/botHarness';
import { ANSWERS, step, walkTo, type Bot } from '../helpers/journeySteps';

/** The slot choices of a slots card, as shown to the admin. */
function slotChoices(replies: Partial<Activity>[]): string[] {
  const card = step(replies, 'slot.pick').card;
  const choice = (card.body as Record<string, unknown>[]).find((e) => e.id === 'slot') as { choices: { title: string }[] };
  return choice.choices.map((c) => c.title);
}

/** Walks the journey to the slots card for a user and language. */
async function toSlots(bot: Bot, user: TestUser, locale: string, form: Record<string, string>): Promise<Partial<Activity>[]> {
  const formCard = await walkTo(bot, 'request form', user, locale);
  const replies = await bot.click(user, { ...step(formCard, 'request.submit').data, ...ANSWERS.form, ...form }, locale);
  step(replies, 'slot.pick');
  return replies;
}

describe('scheduling the onboarding meeting from chat', function () {
  this.timeout(30000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  async function eventsOf(userId: string): Promise<{ id: string; subject: string; start: { dateTime: string }; onlineMeeting?: { joinUrl?: string } }[]> {
    const response = await fetch(`${tenant.baseUrlTemplate().replace('{tenantId}', TENANTS.contoso)}/v1.0/users/${userId}/events?$top=1000`);
    return ((await response.json()) as { value: { id: string; subject: string; start: { dateTime: string }; onlineMeeting?: { joinUrl?: string } }[] }).value.filter((e) => e.subject.startsWith('FastTrack'));
  }

  it('offers 3 to 5 times in the admin\'s zone (the Redmond center\'s too, so shown once), and books the one picked', async () => {
    const bot = createTestBot({ graph: tenant });
    const slots = await toSlots(bot, MEGAN, 'en-US', { timeZone: 'America/Los_Angeles', region: 'americas', dataMigration: 'true' });
    const choices = slotChoices(slots);
    assert.ok(choices.length >= 3 && choices.length <= 5, `${choices.length} slots`);
    for (const c of choices) assert.match(c, /(PST|PDT)$/);
    const booked = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '1' });
    const text = visibleText(booked);
    assert.match(text, /Kickoff booked/);
    assert.match(text, /FastTrack Specialist/, 'a request with migration goes to a Specialist');
    assert.ok(cards(booked).some((c) => JSON.stringify(c).includes('https://teams.microsoft.com/l/meetup-join/')), 'the join link');
    const events = await eventsOf(USERS.megan);
    assert.equal(events.length, 1);
    assert.match(events[0]!.subject, /FastTrack onboarding kickoff: Contoso/);
    const request = await bot.requests.findOpen(TENANTS.contoso);
    assert.equal(request?.stage, 'scheduled');
    assert.equal(request?.meetings?.[0]?.eventId, events[0]!.id);
    assert.match(visibleText(await bot.say(MEGAN, 'status')), /Kickoff: [\s\S]*(PST|PDT|Pacific)/);
  });

  it('books a Chinese-speaking admin in Asia with a FastTrack person who speaks Chinese, in Chinese', async () => {
    const bot = createTestBot({ graph: tenant });
    const slots = await toSlots(bot, LIWEI, 'zh-CN', {
      requesterName: '李伟', requesterEmail: 'liwei@contoso.com', customerEmail: 'liwei@contoso.com', preferredLanguage: 'zh-CN', region: 'apac', timeZone: 'Asia/Shanghai', dataMigration: 'false',
    });
    const zh = renderer.strings('zh-CN');
    assert.ok(visibleText(slots).includes(zh.scheduling.title));
    const booked = await bot.click(LIWEI, { ...step(slots, 'slot.pick').data, slot: '0' }, 'zh-CN');
    assert.ok(visibleText(booked).includes(zh.meeting.bookedTitle));
    const events = await eventsOf(USERS.liwei);
    assert.equal(events.length, 1);
    const request = await bot.requests.findOpen(TENANTS.contoso);
    const person = request?.meetings?.[0]?.person;
    assert.ok(person);
    assert.equal(person.role, 'center', 'no migration: the FastTrack Center');
    assert.ok(centers.people.find((p) => p.id === person.id)?.languages.includes('zh-CN'), 'the person speaks Chinese');
    // The invitation is in the request's language.
    assert.ok(events[0]!.subject.includes(renderer.text('zh-CN', (t) => t.meeting.subject, { organization: 'Contoso' }).slice(0, 6)));
  });

  it('moves the meeting to another time on reschedule', async () => {
    const bot = createTestBot({ graph: tenant });
    const slots = await toSlots(bot, MEGAN, 'en-US', {});
    const booked = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
    const before = (await eventsOf(USERS.megan))[0]!;
    const again = await bot.click(MEGAN, step(booked, 'meeting.reschedule').data);
    const moved = await bot.click(MEGAN, { ...step(again, 'slot.pick').data, slot: String(slotChoices(again).length - 1) });
    assert.match(visibleText(moved), /Meeting moved/);
    const after = await eventsOf(USERS.megan);
    assert.equal(after.length, 1, 'the same event, moved');
    assert.equal(after[0]!.id, before.id);
    assert.notEqual(after[0]!.start.dateTime, before.start.dateTime);
  });

  it('cancels the meeting with a reason: the event is gone and the request remembers why', async () => {
    const bot = createTestBot({ graph: tenant });
    const slots = await toSlots(bot, MEGAN, 'en-US', {});
    const booked = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
    const ask = await bot.click(MEGAN, step(booked, 'meeting.cancel').data);
    const done = await bot.click(MEGAN, { ...step(ask, 'meetingCancel.submit').data, reason: 'notReady', details: 'Budget review first' });
    assert.match(visibleText(done), /is cancelled and removed from your calendar/);
    assert.equal((await eventsOf(USERS.megan)).length, 0);
    const request = await bot.requests.findOpen(TENANTS.contoso);
    assert.equal(request?.meetings?.[0]?.status, 'cancelled');
    assert.equal(request?.meetings?.[0]?.cancelledReason, 'notReady: Budget review first');
    assert.equal(request?.stage, 'awaitingScheduling', 'the kickoff can be booked again');
    step(await bot.say(MEGAN, 'book'), 'slot.pick');
  });

  it('adds biweekly 30-minute checkpoints after the kickoff as one recurring event', async () => {
    const bot = createTestBot({ graph: tenant });
    const slots = await toSlots(bot, MEGAN, 'en-US', {});
    const booked = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
    const offer = await bot.click(MEGAN, step(booked, 'checkpoints.add').data);
    assert.match(visibleText(offer), /Add checkpoint meetings[\s\S]*Every week[\s\S]*Every two weeks/);
    const done = await bot.click(MEGAN, { ...step(offer, 'slot.pick').data, slot: '0', interval: '2' });
    assert.match(visibleText(done), /Checkpoints booked[\s\S]*Every two weeks, 6 times/);
    const request = await bot.requests.findOpen(TENANTS.contoso);
    const checkpoint = request?.meetings?.find((m) => m.kind === 'checkpoint');
    assert.deepEqual(checkpoint?.recurrence, { intervalWeeks: 2, occurrences: 6 });
    assert.equal(Date.parse(checkpoint!.end) - Date.parse(checkpoint!.start), 30 * 60_000);
    assert.equal((await eventsOf(USERS.megan)).length, 2);
  });

  it('asks again when the admin picks no time, keeping the choices', async () => {
    const bot = createTestBot({ graph: tenant });
    const slots = await toSlots(bot, MEGAN, 'en-US', {});
    const again = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '9' });
    assert.match(visibleText(again), /Enter a number in a sensible range|Choose from the list/);
    assert.deepEqual(slotChoices(again), slotChoices(slots));
  });
});
