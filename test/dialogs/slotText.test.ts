import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { createTestBot, MEGAN, renderer, visibleText } from '../helpers/botHarness';
import { ANSWERS, step, walkTo, type Bot } from '../helpers/journeySteps';

type Node = Record<string, unknown>;
const english = renderer.strings('en-US');

/** Walks Megan (Contoso, FastTrack Center in Redmond) to the slot card with the admin time zone given. */
async function toSlots(bot: Bot, timeZone: string): Promise<Partial<Activity>[]> {
  const form = await walkTo(bot, 'request form');
  return bot.click(MEGAN, { ...step(form, 'request.submit').data, ...ANSWERS.form, timeZone, region: 'americas' });
}

function slotTitles(replies: Partial<Activity>[]): string[] {
  const card = step(replies, 'slot.pick').card;
  const choice = (card.body as Node[]).find((e) => e.id === 'slot') as { choices: { title: string }[] };
  return choice.choices.map((c) => c.title);
}

/** The facts of every FactSet of the card submitting `verb`, as title → value. */
function facts(replies: Partial<Activity>[], verb: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Node;
      if (n.type === 'FactSet') for (const f of n.facts as { title: string; value: string }[]) out.set(f.title, f.value);
      Object.values(n).forEach(walk);
    }
  };
  walk(step(replies, verb).card);
  return out;
}

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;
// One time range with the zone after it, as Intl writes it in en-US ("Tue, Dec 1, 9:00 – 10:00 AM PST").
const RANGE = String.raw`\w{3}, \w{3} \d{1,2}, \d{1,2}:\d{2}\s–\s\d{1,2}:\d{2}\s[AP]M`;
const PACIFIC_SHORT = /\bP[SD]T\b/;
const PACIFIC_LONG = /Pacific (Standard|Daylight) Time/;

describe('the times of a FastTrack meeting, as the admin reads them', function () {
  this.timeout(30000);
  const tenant = new LocalTenantServer();
  before(() => tenant.start(0));
  after(() => tenant.stop());
  beforeEach(() => tenant.reset());

  it('shows an admin in the FastTrack Center\'s own zone each time once, its zone named once, on the slot card, the meeting card and the status', async () => {
    const bot = createTestBot({ graph: tenant });
    const slots = await toSlots(bot, 'America/Los_Angeles');
    for (const title of slotTitles(slots)) {
      assert.match(title, new RegExp(`^${RANGE} P[SD]T$`), `one time, one zone: ${title}`);
      assert.equal(count(title, PACIFIC_SHORT), 1, title);
      assert.doesNotMatch(title, PACIFIC_LONG);
      assert.ok(!title.includes('FastTrack Center'), title);
    }
    const slotFacts = facts(slots, 'slot.pick');
    assert.match(slotFacts.get(english.scheduling.yourZone) ?? '', PACIFIC_LONG);
    assert.equal(slotFacts.has(english.scheduling.centerZone), false, 'no second fact naming the same zone');
    const slotText = visibleText(slots);
    assert.equal(count(slotText, PACIFIC_LONG), 1, 'the long zone name once on the whole card');
    assert.ok(slotText.includes(english.scheduling.noteSameZone));
    assert.ok(!slotText.includes(english.scheduling.note));

    const booked = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
    const meetingFacts = facts(booked, 'meeting.reschedule');
    const when = meetingFacts.get(english.meeting.when) ?? '';
    assert.match(when, new RegExp(`^${RANGE} P[SD]T$`), when);
    assert.equal(meetingFacts.has(english.meeting.centerTime), false, 'the same time is not shown twice');
    const meetingText = visibleText(booked);
    assert.equal(count(meetingText, PACIFIC_SHORT), 1, meetingText);
    assert.doesNotMatch(meetingText, PACIFIC_LONG);

    const status = visibleText(await bot.say(MEGAN, 'status'));
    const line = status.split('\n').find((l) => l.startsWith(`${english.meeting.kinds.kickoff}:`)) ?? '';
    assert.match(line, new RegExp(`^${english.meeting.kinds.kickoff}: ${RANGE} P[SD]T with `), line);
    assert.equal(count(line, PACIFIC_SHORT), 1);

    const cancel = visibleText(await bot.click(MEGAN, step(booked, 'meeting.cancel').data));
    assert.equal(count(cancel, PACIFIC_SHORT), 1, cancel);
    assert.doesNotMatch(cancel, PACIFIC_LONG);
  });

  it('shows an admin in another zone her time and the FastTrack Center\'s, each zone named once', async () => {
    const bot = createTestBot({ graph: tenant });
    const slots = await toSlots(bot, 'America/New_York');
    for (const title of slotTitles(slots)) {
      assert.match(title, new RegExp(`^${RANGE} E[SD]T \\(${RANGE} P[SD]T at the FastTrack Center\\)$`), title);
      assert.equal(count(title, /\bE[SD]T\b/), 1, title);
      assert.equal(count(title, PACIFIC_SHORT), 1, title);
      assert.doesNotMatch(title, /(Eastern|Pacific) (Standard|Daylight) Time/);
    }
    const slotFacts = facts(slots, 'slot.pick');
    assert.match(slotFacts.get(english.scheduling.yourZone) ?? '', /Eastern (Standard|Daylight) Time/);
    assert.match(slotFacts.get(english.scheduling.centerZone) ?? '', PACIFIC_LONG);
    assert.ok(visibleText(slots).includes(english.scheduling.note));

    const booked = await bot.click(MEGAN, { ...step(slots, 'slot.pick').data, slot: '0' });
    const meetingFacts = facts(booked, 'meeting.reschedule');
    assert.match(meetingFacts.get(english.meeting.when) ?? '', new RegExp(`^${RANGE} E[SD]T$`));
    assert.match(meetingFacts.get(english.meeting.centerTime) ?? '', new RegExp(`^${RANGE} P[SD]T$`));
  });
});
