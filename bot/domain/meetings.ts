/**
 * Meetings as a model: what a request may have booked, and the times a meeting occupies.
 *
 * - A request has at most one active kickoff and at most one active checkpoint series; a second is
 *   refused whatever asks for it (a typed command, an old card, another bot instance): the booking
 *   claims the kind on the request record first, with the record's ETag.
 * - Checkpoints follow the kickoff: none starts before the kickoff ends.
 * - A series occupies every one of its occurrences (weekly or biweekly, the same local time of the
 *   admin's zone, across daylight saving, as Graph expands it).
 * - A slot card is good for a bounded time, and only while its slots lie in the future.
 * - The Graph transactionId of a create names the request, the kind and the slot's start: a retried
 *   click is the same event, a different slot a different one.
 */
import { DateTime } from 'luxon';
import type { Meeting, OnboardingRequest, PendingBooking } from './journey';

export type MeetingKind = Meeting['kind'];

/** How long a kickoff lasts, and each checkpoint. */
export const MEETING_MINUTES: Record<MeetingKind, number> = { kickoff: 60, checkpoint: 30 };
/** How many checkpoints a series has. */
export const CHECKPOINT_OCCURRENCES = 6;
/** A slot card older than this offers fresh slots instead of booking. */
export const SLOT_CARD_MINUTES = 30;
/**
 * A booking claim younger than this may still have its create in flight (the gateway's timeout
 * and retries fit well inside it); an older one's outcome is unknown and is settled before another
 * slot of the kind is booked.
 */
export const CLAIM_IN_FLIGHT_MS = 90_000;

/** The request's active (booked) meeting of a kind, if any. */
export function activeMeeting(request: Pick<OnboardingRequest, 'meetings'>, kind: MeetingKind): Meeting | undefined {
  return request.meetings?.find((m) => m.kind === kind && m.status === 'booked');
}

export function activeMeetings(request: Pick<OnboardingRequest, 'meetings'>): Meeting[] {
  return (request.meetings ?? []).filter((m) => m.status === 'booked');
}

/** The booking of a kind that was claimed and whose outcome is not recorded yet. */
export function pendingBooking(request: Pick<OnboardingRequest, 'pendingBookings'>, kind: MeetingKind): PendingBooking | undefined {
  return request.pendingBookings?.find((p) => p.kind === kind);
}

/** The Graph transactionId of a create: request, kind and the slot's start (UTC, compact). */
export function transactionIdFor(requestId: string, kind: MeetingKind, start: string): string {
  const instant = new Date(start).toISOString().replace(/[-:]|\.\d{3}/g, '');
  return `${requestId}-${kind}-${instant}`;
}

export interface Occurrence {
  start: string;
  end: string;
}

/**
 * Every occurrence of a meeting: one for a kickoff, `occurrences` for a series, each
 * `intervalWeeks` after the last at the same wall-clock time in `timeZone` (the zone the event is
 * kept in), so a series crossing a daylight-saving change keeps its local time.
 */
export function occurrencesOf(meeting: { start: string; end: string; recurrence?: Meeting['recurrence'] | undefined }, timeZone: string): Occurrence[] {
  const recurrence = meeting.recurrence;
  if (!recurrence) return [{ start: meeting.start, end: meeting.end }];
  const first = DateTime.fromISO(meeting.start, { zone: timeZone });
  const minutes = (Date.parse(meeting.end) - Date.parse(meeting.start)) / 60_000;
  return Array.from({ length: recurrence.occurrences }, (_, i) => {
    const start = first.plus({ weeks: i * recurrence.intervalWeeks });
    return { start: start.toUTC().toISO()!, end: start.plus({ minutes }).toUTC().toISO()! };
  }).map((o) => ({ start: new Date(o.start).toISOString(), end: new Date(o.end).toISOString() }));
}

/** The earliest a meeting of the kind may start: checkpoints after the kickoff ends. */
export function earliestStart(request: Pick<OnboardingRequest, 'meetings'>, kind: MeetingKind): Date | undefined {
  if (kind !== 'checkpoint') return undefined;
  const kickoff = activeMeeting(request, 'kickoff');
  return kickoff ? new Date(kickoff.end) : undefined;
}

/** Why a slot card's slot may not be booked as it is: too old, or in the past. */
export function staleSlot(slot: { start: string }, offeredAt: string | undefined, now: Date): 'expired' | 'past' | undefined {
  if (Date.parse(slot.start) <= now.getTime()) return 'past';
  if (!offeredAt || now.getTime() - Date.parse(offeredAt) > SLOT_CARD_MINUTES * 60_000) return 'expired';
  return undefined;
}

/**
 * Whether a booking of `kind` at `start` may be claimed on the request:
 * - `exists`: an active meeting of the kind is booked (offer Reschedule);
 * - `inProgress`: another slot of the kind is being booked right now (another click, another instance);
 * - `settle`: an earlier claim of another slot has an unknown outcome (its create timed out, or it
 *   is older than any create in flight): settle it first;
 * - `claim`: go ahead (also when the claim is this very slot's: a retry).
 */
export function claimDecision(request: Pick<OnboardingRequest, 'meetings' | 'pendingBookings'>, kind: MeetingKind, start: string, now: Date): 'exists' | 'inProgress' | 'settle' | 'claim' {
  if (activeMeeting(request, kind)) return 'exists';
  const pending = pendingBooking(request, kind);
  if (!pending || pending.start === start) return 'claim';
  return !pending.unknownSince && now.getTime() - Date.parse(pending.at) < CLAIM_IN_FLIGHT_MS ? 'inProgress' : 'settle';
}
