import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { DateTime } from 'luxon';
import type { Reservation } from '../../bot/booking/ledger';
import type { Meeting, OnboardingRequest } from '../../bot/domain/journey';
import type { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { MemoryDocumentStore } from '../../bot/storage/documentStore';
import { renderer, visibleText, type TestUser } from './botHarness';
import { ANSWERS, step, walkTo, type Bot } from './journeySteps';

/** A FastTrack event of an admin's calendar, as Graph lists it (times in UTC). */
export interface GraphEvent {
  id: string;
  subject: string;
  transactionId: string | null;
  start: { dateTime: string };
  end: { dateTime: string };
  type: string;
  recurrence: { pattern: { type: string; interval: number }; range: { type: string; numberOfOccurrences: number } } | null;
  attendees: { emailAddress: { address: string; name: string } }[];
}

/** The admin's FastTrack events in the local tenant, read through its Graph endpoint. */
export async function fastTrackEvents(tenant: LocalTenantServer, tenantId: string, userId: string): Promise<GraphEvent[]> {
  const response = await fetch(`${tenant.baseUrlTemplate().replace('{tenantId}', tenantId)}/v1.0/users/${userId}/events?$top=1000`);
  assert.equal(response.status, 200, `listing the events of ${userId}`);
  return ((await response.json()) as { value: GraphEvent[] }).value.filter((e) => e.subject.startsWith('FastTrack'));
}

/** A Graph `dateTime` listed without a Prefer zone (UTC, seven digits) as an ISO instant. */
export function utc(dateTime: { dateTime: string }): string {
  return new Date(`${dateTime.dateTime.slice(0, 23)}Z`).toISOString();
}

/** Every reservation the ledger holds, with the person it belongs to (the harness's in-memory documents). */
export async function allReservations(documents: unknown): Promise<(Reservation & { personId: string })[]> {
  assert.ok(documents instanceof MemoryDocumentStore, 'the bot keeps its documents in memory');
  const out: (Reservation & { personId: string })[] = [];
  for (const key of documents.keys().filter((k) => k.startsWith('bookings/'))) {
    const personId = decodeURIComponent(key.split('/')[1]!);
    const doc = await documents.get<{ reservations: Reservation[] }>(key);
    for (const r of doc?.value.reservations ?? []) out.push({ ...r, personId });
  }
  return out;
}

/** The times a meeting occupies: its start, or every occurrence of its series (in the admin's zone, as the event repeats). */
export function occurrences(meeting: Pick<Meeting, 'start' | 'end' | 'recurrence' | 'adminTimeZone'>): { start: string; end: string }[] {
  const length = Date.parse(meeting.end) - Date.parse(meeting.start);
  const count = meeting.recurrence?.occurrences ?? 1;
  const weeks = meeting.recurrence?.intervalWeeks ?? 1;
  const first = DateTime.fromISO(meeting.start, { zone: meeting.adminTimeZone });
  return Array.from({ length: count }, (_, k) => {
    const start = first.plus({ weeks: k * weeks }).toUTC().toJSDate().getTime();
    return { start: new Date(start).toISOString(), end: new Date(start + length).toISOString() };
  });
}

/** The request's booked (active) meetings. */
export function activeMeetings(request: OnboardingRequest | undefined): Meeting[] {
  return (request?.meetings ?? []).filter((m) => m.status === 'booked');
}

/** The slot choices of a slots card, as shown to the admin. */
export function slotChoices(replies: Partial<Activity>[]): string[] {
  const card = step(replies, 'slot.pick').card;
  const choice = (card.body as Record<string, unknown>[]).find((e) => e.id === 'slot') as { choices: { title: string }[] };
  return choice.choices.map((c) => c.title);
}

/** Walks the journey to the slots card for a user and language. */
export async function toSlots(bot: Bot, user: TestUser, locale = 'en-US', form: Record<string, string> = {}): Promise<Partial<Activity>[]> {
  const formCard = await walkTo(bot, 'request form', user, locale);
  const replies = await bot.click(user, { ...step(formCard, 'request.submit').data, ...ANSWERS.form, ...form }, locale);
  step(replies, 'slot.pick');
  return replies;
}

/** A locale string by its dotted key; undefined when the locale file has no such key (yet). */
export function localeString(key: string, locale = 'en-US'): string | undefined {
  let node: unknown = renderer.strings(locale);
  for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}

/** Asserts that the replies show the locale line `key`: every literal part of it (placeholders may be anything). */
export function assertShowsLine(replies: Partial<Activity>[], key: string, locale = 'en-US'): void {
  const template = localeString(key, locale);
  assert.ok(template, `the locale ${locale} has the line ${key}`);
  const text = visibleText(replies);
  for (const part of template.split(/\{\w+\}/).map((p) => p.trim()).filter((p) => p.length >= 3)) {
    assert.ok(text.includes(part), `the replies show "${template}" (${key}); they show: ${text.slice(0, 800)}`);
  }
}

/** Types `cancel` and confirms with Yes: the request is cancelled. Returns the answer to Yes. */
export async function cancelRequest(bot: Bot, user: TestUser, locale = 'en-US'): Promise<Partial<Activity>[]> {
  const question = await bot.say(user, renderer.strings('en-US').commands.cancel, locale);
  return bot.click(user, { ...step(question, 'confirm.answer').data, answer: 'yes' }, locale);
}

/** A clock the test moves: the bot's `now`. */
export function testClock(start = new Date()): { now: () => Date; advance(ms: number): void; set(at: Date): void } {
  let at = start.getTime();
  return { now: () => new Date(at), advance: (ms) => void (at += ms), set: (d) => void (at = d.getTime()) };
}
