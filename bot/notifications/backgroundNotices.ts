/**
 * Work that did not fit in its turn and is finished from the queue: the `booking` work message, and
 * the `bookingResult` notice that tells the admin how it ended (booked: the meeting card as the chat
 * shows it; or what went wrong and how to try again).
 */
import { z } from 'zod';
import type { CardRenderer } from '../cards/cardRenderer';
import { meetingCardFor } from '../cards/meetingCards';
import { describeSlot } from '../domain/slots';
import type { NoticeKind } from './notice';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSTANT = z.iso.datetime({ offset: true });
const ZONE = z.string().min(1).max(64);
const KIND = z.enum(['kickoff', 'checkpoint']);
const RECURRENCE = z.object({ intervalWeeks: z.union([z.literal(1), z.literal(2)]), occurrences: z.number().int().min(1).max(52) });

/**
 * A booking handed to the queue by its turn (Graph throttled it past the turn budget, was down, or
 * slow): the very slot the admin picked, booked again through the booking service (the same claim,
 * the same transactionId), so it is one meeting however often it is tried.
 */
export const bookingWorkMessageSchema = z.object({
  type: z.literal('booking'),
  tenantId: z.string().regex(GUID),
  requestId: z.string().min(1).max(32),
  /** Who is told of the result, in their personal chat: the admin who picked the slot (tenant and user). */
  notify: z.object({ tenantId: z.string().regex(GUID), userId: z.string().regex(GUID) }),
  kind: KIND,
  slot: z.object({ start: INSTANT, end: INSTANT, personId: z.string().min(1).max(64) }),
  recurrence: RECURRENCE.optional(),
  /** The chat's language when the admin picked the slot. */
  locale: z.string().max(35).optional(),
  /** The job's identity (its result notice's dedupe key): one booking handed over once, however often it is tried. */
  jobId: z.string().min(1).max(160).regex(/^[A-Za-z0-9._:@-]+$/),
});
export type BookingWorkMessage = z.output<typeof bookingWorkMessageSchema>;

/**
 * A tenant check Graph could not answer within its turn (slow, down, throttled): read again from the
 * queue, and its card sent to the admin's chat when Graph answers.
 */
export const tenantCheckWorkMessageSchema = z.object({
  type: z.literal('tenantCheck'),
  tenantId: z.string().regex(GUID),
  notify: z.object({ tenantId: z.string().regex(GUID), userId: z.string().regex(GUID) }),
  locale: z.string().max(35).optional(),
  jobId: z.string().min(1).max(160).regex(/^[A-Za-z0-9._:@-]+$/),
});
export type TenantCheckWorkMessage = z.output<typeof tenantCheckWorkMessageSchema>;

export const BOOKING_RESULT_KIND = 'bookingResult';

const bookingResultParams = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('booked'),
    requestId: z.string().max(32),
    canAddCheckpoints: z.boolean(),
    meeting: z.object({
      kind: KIND,
      eventId: z.string().max(1024),
      start: INSTANT,
      end: INSTANT,
      joinUrl: z.string().max(4096).optional(),
      person: z.object({ name: z.string().max(256), role: z.enum(['specialist', 'center']) }),
      adminTimeZone: ZONE,
      centerTimeZone: ZONE,
      recurrence: RECURRENCE.optional(),
    }),
  }),
  z.object({
    /** `taken`: the time is no longer free; the others: why it could not be booked at all. */
    outcome: z.enum(['taken', 'failedGraph', 'failedStorage', 'failedOther']),
    start: INSTANT,
    end: INSTANT,
    adminTimeZone: ZONE,
    centerTimeZone: ZONE,
  }),
]);
export type BookingResultParams = z.output<typeof bookingResultParams>;

/** The `bookingResult` notice kind. */
export function bookingResultNotice(): NoticeKind<BookingResultParams> {
  return {
    params: bookingResultParams,
    render: (r: CardRenderer, locale, p) => {
      if (p.outcome === 'booked') {
        const what = p.meeting.kind === 'kickoff' ? 'booked' : 'checkpoints';
        return { type: 'message', text: r.strings(locale).background.booked, attachments: [meetingCardFor(r, locale, { requestId: p.requestId, canAddCheckpoints: p.canAddCheckpoints }, p.meeting, what)] };
      }
      const when = describeSlot(p, p.adminTimeZone, p.centerTimeZone, locale).adminTime;
      return { type: 'message', text: r.text(locale, (s) => s.background[p.outcome], { when, book: r.strings(locale).commands.book }) };
    },
  };
}
