import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { MeetingChange, MeetingObserver } from '../booking/bookingService';
import type { CardRenderer } from '../cards/cardRenderer';
import type { Meeting, OnboardingRequest } from '../domain/journey';
import type { SupportedLocale } from '../domain/locale';
import { occurrencesOf } from '../domain/meetings';
import { describeSlot } from '../domain/slots';
import { errorFields } from '../dialogs/errors';
import type { Logger } from '../logger';
import type { RequestRepository } from '../storage/requestRepository';
import type { NoticeInput, NoticeKind } from './notice';
import type { Outbox } from './outbox';

export const REMINDER_KIND = 'reminder';
const OFFSET = /^([1-9]\d{0,3})([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const UNIT_NAME = { m: 'minute', h: 'hour', d: 'day' } as const;

/** How long before a meeting an offset such as `24h`, `30m` or `2d` is (ms). */
export function offsetMs(offset: string): number {
  const match = OFFSET.exec(offset);
  if (!match) throw new Error(`Not a reminder offset: ${offset} (for example 24h, 1h, 30m, 2d)`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** What a reminder notice carries: enough to render it, and to tell at send time whether it still stands. */
const reminderParams = z.object({
  requestTenantId: z.string().min(1).max(64),
  requestId: z.string().min(1).max(64),
  eventId: z.string().min(1).max(1024),
  kind: z.enum(['kickoff', 'checkpoint']),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  offset: z.string().regex(OFFSET),
  /** 1-based number of the occurrence in its series, and how many the series has (1 of 1 for a kickoff). */
  index: z.number().int().min(1),
  count: z.number().int().min(1),
  adminTimeZone: z.string().min(1).max(64),
  centerTimeZone: z.string().min(1).max(64),
  person: z.string().max(256),
  role: z.enum(['specialist', 'center']),
  joinUrl: z.string().max(4096).default(''),
});
export type ReminderParams = z.output<typeof reminderParams>;

/** One reminder of a meeting: its notice id (the dedupe key), when it is due, and what it shows. */
export interface PlannedReminder {
  id: string;
  due: Date;
  params: ReminderParams;
}

/**
 * Every reminder of a meeting, past ones included: each occurrence (one for a kickoff, each
 * checkpoint of a series) × each offset. The id names the request, the meeting's event and its
 * version (the last time it was booked or moved: a meeting moved away and back gets new ids, since
 * cancelled ids are never sent again), the occurrence's start and the offset, so queuing the same
 * plan again is idempotent.
 */
export function remindersOf(request: OnboardingRequest, meeting: Meeting, offsets: readonly string[]): PlannedReminder[] {
  const times = occurrencesOf(meeting, meeting.adminTimeZone);
  const version = [...meeting.history].reverse().find((h) => h.start !== undefined)?.at ?? '';
  const meetingKey = createHash('sha256').update(`${meeting.eventId}\n${version}`).digest('hex').slice(0, 16);
  return times.flatMap((occurrence, i) =>
    offsets.map((offset) => ({
      id: `reminder:${request.id}:${meetingKey}:${compact(occurrence.start)}:${offset}`,
      due: new Date(Date.parse(occurrence.start) - offsetMs(offset)),
      params: {
        requestTenantId: request.tenantId,
        requestId: request.id,
        eventId: meeting.eventId,
        kind: meeting.kind,
        start: occurrence.start,
        end: occurrence.end,
        offset,
        index: i + 1,
        count: times.length,
        adminTimeZone: meeting.adminTimeZone,
        centerTimeZone: meeting.centerTimeZone,
        person: meeting.person.name,
        role: meeting.person.role,
        joinUrl: meeting.joinUrl ?? '',
      },
    })),
  );
}

/** `2026-12-02T10:00:00.000Z` → `20261202T100000Z`. */
function compact(instant: string): string {
  return new Date(instant).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/**
 * Queues the reminders of every meeting booked through the booking service, and follows it: a
 * moved meeting's reminders are cancelled and queued anew for its new time, a cancelled one's are
 * cancelled. Only reminders still ahead (by the injected clock) are queued; a due time more than 7
 * days away waits in the queue in 7-day steps (the dispatcher queues it again).
 */
export class ReminderScheduler implements MeetingObserver {
  constructor(
    private readonly deps: { outbox: Pick<Outbox, 'enqueue' | 'cancel'>; offsets: readonly string[]; clock: () => Date; logger: Logger },
  ) {
    deps.offsets.forEach(offsetMs);
  }

  async meetingChanged(change: MeetingChange): Promise<void> {
    const log = { tenantId: change.request.tenantId, requestId: change.request.id, kind: change.meeting.kind, change: change.type };
    try {
      if (change.type === 'moved') await this.cancel(change.request, change.previous);
      if (change.type === 'cancelled') await this.cancel(change.request, change.meeting);
      else await this.schedule(change.request, change.meeting);
    } catch (error) {
      // The change itself is recorded; a reminder that could not be queued (or cancelled) is logged,
      // and one left queued for a changed meeting is skipped at send time (the record is checked).
      this.deps.logger.warn({ ...log, err: errorFields(error) }, 'meeting reminders not updated');
    }
  }

  /** Queues the meeting's reminders that are still ahead; resolves to how many. */
  async schedule(request: OnboardingRequest, meeting: Meeting): Promise<number> {
    const now = this.deps.clock().getTime();
    const ahead = remindersOf(request, meeting, this.deps.offsets).filter((r) => r.due.getTime() > now);
    for (const reminder of ahead) await this.deps.outbox.enqueue(reminderNotice(request, reminder), { notBefore: reminder.due });
    this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id, kind: meeting.kind, reminders: ahead.length }, 'meeting reminders queued');
    return ahead.length;
  }

  /** Cancels every reminder of the meeting (as it was). */
  async cancel(request: OnboardingRequest, meeting: Meeting): Promise<void> {
    await Promise.all(remindersOf(request, meeting, this.deps.offsets).map((reminder) => this.deps.outbox.cancel(reminder.id)));
  }
}

/** The notice of a reminder: to the requester's personal chat, in the request's language. */
function reminderNotice(request: OnboardingRequest, reminder: PlannedReminder): NoticeInput {
  const locale = request.form?.preferredLanguage;
  return {
    id: reminder.id,
    tenantId: request.requester.tenantId,
    userId: request.requester.aadObjectId,
    kind: REMINDER_KIND,
    params: reminder.params,
    ...(locale ? { locale } : {}),
  };
}

/**
 * The `reminder` notice kind: a card with the meeting's time in the admin's zone and the FastTrack
 * Center's (each named), the person, and the join link. Just before sending, the stored request is
 * read: a reminder whose meeting is gone, cancelled or moved (its id is no longer one of the
 * meeting's) is not sent, nor one whose occurrence has begun, nor one overtaken by a shorter
 * reminder of `offsets` that is due too (the bot was down: the admin gets one reminder, not two).
 */
export function reminderKind(deps: { requests: Pick<RequestRepository, 'get'>; offsets: readonly string[]; clock: () => Date }): NoticeKind<ReminderParams> {
  const offsets = deps.offsets.map(offsetMs);
  return {
    params: reminderParams,
    async stillWanted(params, notice) {
      const left = Date.parse(params.start) - deps.clock().getTime();
      if (left <= 0 || offsets.some((ms) => ms < offsetMs(params.offset) && ms >= left)) return false;
      const request = await deps.requests.get(params.requestTenantId, params.requestId);
      const meeting = request?.meetings?.find((m) => m.eventId === params.eventId && m.status === 'booked');
      if (!request || !meeting) return false;
      return remindersOf(request, meeting, [params.offset]).some((r) => r.id === notice.id);
    },
    render: (renderer, locale, params) => ({ type: 'message', attachments: [reminderCard(renderer, locale, params, deps.clock())] }),
  };
}

/**
 * How far ahead the meeting is, as Intl words it ("in 24 hours", "dans 1 heure"): the offset when
 * the reminder is on time (within 10 %), else the time really left (a reminder delivered late).
 */
function startsIn(locale: SupportedLocale, params: ReminderParams, now: Date): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  const left = Date.parse(params.start) - now.getTime();
  const [, amount, unit] = OFFSET.exec(params.offset)!;
  if (left >= 0.9 * offsetMs(params.offset)) return format.format(Number(amount), UNIT_NAME[unit as keyof typeof UNIT_NAME]);
  const minutes = Math.max(1, Math.round(left / 60_000));
  if (minutes >= 2 * 24 * 60) return format.format(Math.round(minutes / (24 * 60)), 'day');
  if (minutes >= 60) return format.format(Math.round(minutes / 60), 'hour');
  return format.format(minutes, 'minute');
}

/** The reminder card in a locale, as of `now`. */
export function reminderCard(renderer: CardRenderer, locale: SupportedLocale, params: ReminderParams, now: Date) {
  const s = renderer.strings(locale);
  const d = describeSlot(params, params.adminTimeZone, params.centerTimeZone, locale);
  const when = startsIn(locale, params, now);
  const title = renderer.text(locale, (t) => (params.kind === 'kickoff' ? t.reminders.kickoffTitle : t.reminders.checkpointTitle), { when });
  return renderer.card('reminder', locale, {
    title,
    occurrence: params.count > 1 ? renderer.text(locale, (t) => t.reminders.occurrence, { index: params.index, count: params.count }) : '',
    adminTitle: renderer.text(locale, (t) => t.reminders.adminTime, { zone: d.adminZoneName }),
    adminTime: d.adminTime,
    centerTitle: renderer.text(locale, (t) => t.reminders.centerTime, { zone: d.centerZoneName }),
    centerTime: d.centerTime,
    sameZone: d.sameZone,
    person: `${params.person} (${s.scheduling.roles[params.role]})`,
    requestId: params.requestId,
    joinUrl: params.joinUrl,
  });
}
