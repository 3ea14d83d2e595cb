/** The notices of meetings changed outside the bot (in Outlook): "moved to …" and "cancelled — book again?". */
import { z } from 'zod';
import type { CardRenderer } from '../cards/cardRenderer';
import type { Meeting, OnboardingRequest } from '../domain/journey';
import { describeSlot } from '../domain/slots';
import type { NoticeInput, NoticeKind } from './notice';

const INSTANT = z.iso.datetime({ offset: true });
const ZONE = z.string().min(1).max(64);

const params = z.object({
  change: z.enum(['moved', 'cancelled']),
  requestId: z.string().max(32),
  eventId: z.string().max(1024),
  start: INSTANT,
  end: INSTANT,
  adminTimeZone: ZONE,
  centerTimeZone: ZONE,
  personName: z.string().max(256),
  personRole: z.enum(['specialist', 'center']),
  joinUrl: z.string().max(2048).default(''),
});
export type CalendarChangeParams = z.output<typeof params>;

/** The `calendarChange` notice kind: a card with both zones; moved → keep it / pick another time, cancelled → book again. */
export function calendarChangeNotice(): NoticeKind<CalendarChangeParams> {
  return {
    params,
    render: (r: CardRenderer, locale, p) => {
      const s = r.strings(locale);
      const d = describeSlot(p, p.adminTimeZone, p.centerTimeZone, locale);
      const moved = p.change === 'moved';
      return {
        type: 'message',
        attachments: [
          r.card('calendarChange', locale, {
            moved,
            title: moved ? s.calendarChanges.movedTitle : s.calendarChanges.cancelledTitle,
            body: moved ? s.calendarChanges.movedBody : r.text(locale, (t) => t.calendarChanges.cancelledBody, { when: d.adminTime }),
            adminTime: d.adminTime,
            centerTime: d.centerTime,
            sameZone: d.sameZone,
            person: `${p.personName} (${s.scheduling.roles[p.personRole]})`,
            requestId: p.requestId,
            joinUrl: p.joinUrl,
            eventId: p.eventId,
          }),
        ],
      };
    },
  };
}

/**
 * The notice for the request's admin. Its id is the dedupe key: one per event and change (a move
 * per new start), so a redelivered notification never shows the admin the same notice twice.
 */
export function calendarChangeNoticeFor(request: OnboardingRequest, meeting: Meeting, change: 'moved' | 'cancelled'): NoticeInput {
  const admin = request.admin!;
  const at = change === 'moved' ? String(Date.parse(meeting.start)) : 'x';
  const digest = Buffer.from(meeting.eventId).toString('base64url').slice(-40);
  return {
    id: `calendar:${request.id}:${digest}:${change}:${at}`.slice(0, 200),
    tenantId: request.tenantId,
    userId: admin.userId,
    kind: 'calendarChange',
    ...(request.form?.preferredLanguage ? { locale: request.form.preferredLanguage } : {}),
    params: {
      change,
      requestId: request.id,
      eventId: meeting.eventId,
      start: meeting.start,
      end: meeting.end,
      adminTimeZone: meeting.adminTimeZone,
      centerTimeZone: meeting.centerTimeZone,
      personName: meeting.person.name,
      personRole: meeting.person.role,
      joinUrl: meeting.joinUrl ?? '',
    } satisfies z.input<typeof params>,
  };
}
