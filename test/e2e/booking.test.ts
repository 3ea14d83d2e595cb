import assert from 'node:assert/strict';
import { TENANTS, USERS } from '../../local/tenant/ids';
import { cardsOf, openChat, PlaygroundApi, screenshotIfFailed, skipUnlessChromium, type ChatPage, type PlaygroundMessage } from './harness';
import { answerCoreToForm, nextYear, session } from './journeySession';

interface GraphEvent {
  id: string;
  subject: string;
  start: { dateTime: string };
  onlineMeeting?: { joinUrl?: string };
}

/** The FastTrack meetings on a mailbox of the local tenant the bot talks to. */
async function fastTrackEvents(graphRoot: string, userId: string): Promise<GraphEvent[]> {
  const response = await fetch(`${graphRoot}/users/${userId}/events?$top=1000`);
  const body = (await response.json()) as { value: GraphEvent[] };
  return body.value.filter((e) => /FastTrack/.test(e.subject));
}

const utc = (dateTime: string) => new Date(/Z$/.test(dateTime) ? dateTime : `${dateTime}Z`).toISOString();

describe('e2e: booking the onboarding meeting in the Agents Playground', function () {
  this.timeout(150_000);
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

  it('books an en-US admin in the Americas, puts a Teams meeting on her calendar, and moves it on reschedule', async () => {
    s = await session();
    chat = await openChat(s.playground.url);
    await chat.waitForCard('Welcome to FastTrack onboarding');
    await chat.clickButton('Request help');
    await answerCoreToForm(chat);

    const slots = await chat.waitForCard('Book your onboarding kickoff');
    assert.match(await slots.innerText(), /(PST|PDT)/, 'times in her zone (the Redmond center\'s zone too, so shown once)');
    await chat.selectChoice('slot', '0');
    await chat.clickButton('Book this time');
    const booked = await chat.waitForCard('Kickoff booked');
    assert.match(await booked.innerText(), /FastTrack Specialist/);

    const request = await s.openRequest(TENANTS.contoso);
    const meeting = request?.meetings?.[0];
    assert.ok(meeting, 'the meeting is stored with the request');
    const events = await fastTrackEvents(s.graph(TENANTS.contoso), USERS.megan);
    assert.equal(events.length, 1);
    assert.equal(utc(events[0]!.start.dateTime), meeting.start, 'at the chosen time');
    assert.match(events[0]!.onlineMeeting?.joinUrl ?? '', /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);

    await chat.clickButton('Reschedule', { card: 'Kickoff booked' });
    await chat.waitForCard('Move your meeting');
    await chat.selectChoice('slot', '1');
    await chat.clickButton('Book this time', { card: 'Move your meeting' });
    await chat.waitForCard('Meeting moved');
    const moved = await fastTrackEvents(s.graph(TENANTS.contoso), USERS.megan);
    assert.equal(moved.length, 1, 'the same event, moved');
    assert.equal(moved[0]!.id, events[0]!.id);
    assert.notEqual(utc(moved[0]!.start.dateTime), meeting.start);
    assert.equal(utc(moved[0]!.start.dateTime), (await s.openRequest(TENANTS.contoso))?.meetings?.[0]?.start);
  });

  it('tells the admin in the chat when the booked meeting is moved in Outlook, and when it is deleted there, offering to book again', async function () {
    // The Playground's UI once left the services card unanswered under load (a browser timing flake
    // in the shared journey steps, not this feature): one retry, on a fresh session.
    this.retries(1);
    s = await session();
    chat = await openChat(s.playground.url);
    await chat.waitForCard('Welcome to FastTrack onboarding');
    await chat.clickButton('Request help');
    await answerCoreToForm(chat);
    await chat.waitForCard('Book your onboarding kickoff');
    await chat.selectChoice('slot', '0');
    await chat.clickButton('Book this time');
    await chat.waitForCard('Kickoff booked');
    const [event] = await fastTrackEvents(s.graph(TENANTS.contoso), USERS.megan);
    assert.ok(event, 'the kickoff is on her calendar');
    const eventUrl = `${s.graph(TENANTS.contoso)}/users/${USERS.megan}/events/${event.id}`;

    // "Outlook": the admin drags the meeting one day later, through the local tenant's Graph API.
    const start = new Date(Date.parse(utc(event.start.dateTime)) + 24 * 3_600_000);
    const end = new Date(start.getTime() + 3_600_000);
    const at = (d: Date) => ({ dateTime: d.toISOString().slice(0, 19), timeZone: 'UTC' });
    const patched = await fetch(eventUrl, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: at(start), end: at(end) }) });
    assert.equal(patched.status, 200);
    const moved = await chat.waitForCard('Your onboarding meeting moved', { timeout: 60_000 });
    assert.match(await moved.innerText(), /(PST|PDT)/, 'the new time, in her zone');
    assert.equal((await s.openRequest(TENANTS.contoso))?.meetings?.[0]?.start, start.toISOString(), 'the request follows the calendar');

    const deleted = await fetch(eventUrl, { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    const cancelled = await chat.waitForCard('Your meeting was cancelled in Outlook', { timeout: 60_000 });
    assert.match(await cancelled.innerText(), /Book again/);
    assert.equal((await s.openRequest(TENANTS.contoso))?.meetings?.[0]?.status, 'cancelled');
  });

  it('books a Chinese-speaking admin in Asia, in Chinese, with a FastTrack person who speaks Chinese', async () => {
    s = await session();
    api = await PlaygroundApi.connect(s.playground.url);
    const as = { locale: 'zh-CN', as: 'liwei@contoso.com' };
    let last: PlaygroundMessage | undefined;
    /** Submits a card action as 李伟 in zh-CN and waits for the card submitting `nextVerb`. */
    const act = async (value: Record<string, unknown>, nextVerb: string): Promise<Record<string, unknown>> => {
      await api!.submit(last?.messageId ?? '', value, as);
      for (;;) {
        const message = await api!.nextBotMessage(undefined, 20_000);
        const card = cardsOf(message).find((c) => JSON.stringify(c).includes(`"verb":"${nextVerb}"`));
        if (card) {
          // Like a person, act only once the bot has answered this turn (its dialog state is saved).
          await api!.inbound((a) => (a.value as { verb?: string } | undefined)?.verb === value.verb, 20_000);
          last = message;
          const token = /"token":"([0-9a-f]+)"/.exec(JSON.stringify(card));
          return { verb: nextVerb, ...(token ? { token: token[1] } : {}) };
        }
      }
    };
    let next = await act({ verb: 'request.start' }, 'core.identity');
    next = await act({ ...next, identityPlan: 'federated', dnsReady: 'yes' }, 'services.submit');
    next = await act({ ...next, services: 'exchange,teams', migration: 'false' }, 'request.submit');
    next = await act(
      {
        ...next, products: 'exchange,teams', launchDate: nextYear, mailSystem: 'exchangeOnPremises', businessReason: '迁移到云', successOwnerName: '李伟', successOwnerRole: 'CIO',
        dataMigration: 'false', requesterName: '李伟', requesterEmail: 'liwei@contoso.com', requesterPhone: '+86 10 5555 0100', customerName: '李伟',
        customerEmail: 'liwei@contoso.com', preferredLanguage: 'zh-CN', region: 'apac', timeZone: 'Asia/Shanghai',
      },
      'slot.pick',
    );
    assert.match(JSON.stringify(cardsOf(last!)), /预约/, 'the slots card is in Chinese');
    await api.submit(last!.messageId, { ...next, slot: '0' }, as);
    const booked = await api.nextBotMessage((m) => JSON.stringify(cardsOf(m)).includes('meetup-join'), 20_000);
    await api.inbound((a) => (a.value as { verb?: string } | undefined)?.verb === 'slot.pick', 20_000);
    assert.ok(cardsOf(booked).length > 0);

    const request = await s.openRequest(TENANTS.contoso);
    const meeting = request?.meetings?.[0];
    assert.ok(meeting);
    assert.equal(meeting.adminTimeZone, 'Asia/Shanghai');
    assert.equal(meeting.person.role, 'center');
    assert.match(meeting.centerId, /^apac-/, 'an Asia Pacific center');
    const events = await fastTrackEvents(s.graph(TENANTS.contoso), USERS.liwei);
    assert.equal(events.length, 1);
    assert.equal(utc(events[0]!.start.dateTime), meeting.start);
    assert.match(events[0]!.subject, /Contoso/);
    assert.match(events[0]!.onlineMeeting?.joinUrl ?? '', /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
  });
});
