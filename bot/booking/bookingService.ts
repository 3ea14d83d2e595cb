import type { CenterModel, FastTrackCenter, FastTrackPerson } from '../domain/centers';
import type { Meeting, OnboardingRequest } from '../domain/journey';
import { routeRequest } from '../domain/routing';
import { findSlots, type Slot } from '../domain/slots';
import type { CalendarEvent, Interval } from '../domain/tenant';
import type { TenantDirectory } from '../graph/tenantDirectory';
import type { BookingLedger, ReservationOwner } from './ledger';

/** What the admin may pick from: slots with the person and center each belongs to. */
export type Proposal =
  | { ok: true; slots: Slot[]; center: FastTrackCenter; people: FastTrackPerson[]; role: FastTrackPerson['role'] }
  | { ok: false; reason: 'noLanguageCoverage' | 'noRegionCoverage'; language: string; region: string | undefined };

/** The texts of a meeting, in the request's language (rendered by the caller). */
export interface MeetingText {
  subject: string;
  bodyHtml: string;
}

export type BookingOutcome = { outcome: 'booked'; meeting: Meeting; event: CalendarEvent } | { outcome: 'taken' };

export interface BookingServiceDeps {
  directory: TenantDirectory;
  ledger: BookingLedger;
  centers: CenterModel;
  clock: () => Date;
}

const HORIZON_DAYS = 21;

/**
 * Books FastTrack meetings: routes the request to people who speak its language, finds slots
 * (center hours ∩ admin's working hours ∩ admin's free time ∩ a person's free time in the ledger),
 * reserves the person in the ledger first, then creates the Teams meeting with a transactionId
 * derived from the request, so a retried create makes one event; a failed create releases.
 */
export class BookingService {
  constructor(private readonly deps: BookingServiceDeps) {}

  /**
   * Slots for a meeting of the request: one getSchedule for the admin, ledger reads for the people.
   * `personId` keeps one person (a moved meeting stays with the person it was booked with).
   */
  async propose(request: OnboardingRequest, options: { durationMinutes?: number; personId?: string } = {}): Promise<Proposal> {
    const durationMinutes = options.durationMinutes ?? 60;
    const form = request.form;
    const admin = request.admin;
    if (!form || !admin) throw new Error('A request is scheduled only after its form is submitted');
    const route = routeRequest(
      { dataMigration: form.dataMigration, language: form.preferredLanguage, region: form.region, countryLetterCode: undefined },
      this.deps.centers,
    );
    if (!route.ok) return { ok: false, reason: route.reason, language: route.language, region: route.region };
    const people = options.personId ? route.people.filter((p) => p.id === options.personId) : route.people;
    const kept = people.length > 0 ? people : route.people;
    const now = this.deps.clock();
    const from = now.toISOString();
    const to = new Date(now.getTime() + HORIZON_DAYS * 86_400_000).toISOString();
    const [schedule, ...peopleBusy] = await Promise.all([
      this.deps.directory.getSchedule(request.tenantId, admin.userId, [admin.email], from, to),
      ...kept.map((p) => this.deps.ledger.busy({ id: p.id, timeZone: route.center.timeZone }, from, to)),
    ]);
    const adminBusy: Interval[] = schedule.flatMap((s) => s.busy);
    const slots = findSlots({
      now,
      center: route.center,
      admin: { timeZone: admin.timeZone, ...(admin.workingHours ? { workingHours: admin.workingHours } : {}), busy: adminBusy },
      people: kept.map((p, i) => ({ id: p.id, busy: peopleBusy[i] ?? [] })),
      durationMinutes,
    });
    return { ok: true, slots, center: route.center, people: kept, role: route.role };
  }

  /** Reserves the slot's person, then creates the meeting on the admin's calendar. */
  async book(request: OnboardingRequest, slot: Slot, kind: Meeting['kind'], text: MeetingText, recurrence?: Meeting['recurrence']): Promise<BookingOutcome> {
    const { person, center } = this.personOf(slot.personId);
    const admin = request.admin!;
    const owner: ReservationOwner = { tenantId: request.tenantId, requestId: request.id, kind };
    const ledgerPerson = { id: person.id, timeZone: center.timeZone };
    const held = await this.deps.ledger.reserve(ledgerPerson, slot.start, slot.end, owner);
    if (held === 'taken') return { outcome: 'taken' };
    // 'alreadyYours' is a retry of this very booking (a double click, or a crash before the create):
    // the same transactionId makes Graph return the event it may already have created.
    const transactionId = `${request.id}-${kind}-${(request.bookingCount ?? 0) + 1}`;
    let event: CalendarEvent;
    try {
      event = await this.deps.directory.createEvent(request.tenantId, admin.userId, {
        subject: text.subject,
        bodyHtml: text.bodyHtml,
        start: slot.start,
        end: slot.end,
        attendees: [{ email: person.email, name: person.name }],
        transactionId,
        // A series' weekday and time of day follow the admin's zone across daylight saving.
        timeZone: admin.timeZone,
        ...(recurrence ? { recurrence: { pattern: 'weekly', interval: recurrence.intervalWeeks, daysOfWeek: [isoWeekday(slot.start, admin.timeZone)], occurrences: recurrence.occurrences } } : {}),
      });
    } catch (error) {
      await this.deps.ledger.release(ledgerPerson, slot.start, slot.end, owner);
      throw error;
    }
    await this.deps.ledger.confirm(ledgerPerson, slot.start, slot.end, owner, event.id);
    const at = this.deps.clock().toISOString();
    return {
      outcome: 'booked',
      event,
      meeting: {
        kind,
        status: 'booked',
        eventId: event.id,
        transactionId,
        start: slot.start,
        end: slot.end,
        joinUrl: event.joinUrl,
        person: { id: person.id, name: person.name, email: person.email, role: person.role },
        centerId: center.id,
        centerTimeZone: center.timeZone,
        adminTimeZone: admin.timeZone,
        ...(recurrence ? { recurrence } : {}),
        history: [{ at, event: 'booked', start: slot.start, end: slot.end }],
      },
    };
  }

  /** Moves a booked meeting to a new slot of the same person: reserve, PATCH the event, release the old time. */
  async move(request: OnboardingRequest, meeting: Meeting, slot: Slot): Promise<{ outcome: 'moved'; meeting: Meeting } | { outcome: 'taken' }> {
    const { center } = this.personOf(meeting.person.id);
    const owner: ReservationOwner = { tenantId: request.tenantId, requestId: request.id, kind: meeting.kind };
    const ledgerPerson = { id: meeting.person.id, timeZone: center.timeZone };
    if ((await this.deps.ledger.reserve(ledgerPerson, slot.start, slot.end, owner)) === 'taken') return { outcome: 'taken' };
    try {
      await this.deps.directory.updateEvent(request.tenantId, request.admin!.userId, meeting.eventId, { start: slot.start, end: slot.end, timeZone: request.admin!.timeZone });
    } catch (error) {
      await this.deps.ledger.release(ledgerPerson, slot.start, slot.end, owner);
      throw error;
    }
    await this.deps.ledger.confirm(ledgerPerson, slot.start, slot.end, owner, meeting.eventId);
    await this.deps.ledger.release(ledgerPerson, meeting.start, meeting.end, owner);
    const at = this.deps.clock().toISOString();
    return { outcome: 'moved', meeting: { ...meeting, start: slot.start, end: slot.end, history: [...meeting.history, { at, event: 'moved', start: slot.start, end: slot.end }] } };
  }

  /** Cancels a meeting: deletes the event, frees the ledger, records why. */
  async cancel(request: OnboardingRequest, meeting: Meeting, reason: string): Promise<Meeting> {
    const { center } = this.personOf(meeting.person.id);
    await this.deps.directory.deleteEvent(request.tenantId, request.admin!.userId, meeting.eventId);
    await this.deps.ledger.release({ id: meeting.person.id, timeZone: center.timeZone }, meeting.start, meeting.end, { tenantId: request.tenantId, requestId: request.id, kind: meeting.kind });
    const at = this.deps.clock().toISOString();
    return { ...meeting, status: 'cancelled', cancelledReason: reason, history: [...meeting.history, { at, event: 'cancelled' }] };
  }

  /** Only the slot's own person, with the center they work from. */
  personOf(personId: string): { person: FastTrackPerson; center: FastTrackCenter } {
    const person = this.deps.centers.people.find((p) => p.id === personId);
    const center = person && this.deps.centers.centers.find((c) => c.id === person.centerId);
    if (!person || !center) throw new Error(`No FastTrack person ${personId} in the center model`);
    return { person, center };
  }
}

/** ISO weekday (1 = Monday) of an instant in a time zone. */
function isoWeekday(instant: string, timeZone: string): number {
  const day = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(new Date(instant));
  return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(day) + 1;
}
