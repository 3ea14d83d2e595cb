import type { CenterModel, FastTrackCenter, FastTrackPerson } from '../domain/centers';
import { calendarTenantOf, withEvent, type Meeting, type OnboardingRequest, type PendingBooking } from '../domain/journey';
import { activeMeeting, activeMeetings, claimDecision, earliestStart, MEETING_MINUTES, occurrencesOf, pendingBooking, transactionIdFor, type MeetingKind, type Occurrence } from '../domain/meetings';
import { routeRequest } from '../domain/routing';
import { findSlots, type Slot } from '../domain/slots';
import type { CalendarEvent, Interval, NewEvent } from '../domain/tenant';
import { GraphError, type TenantDirectory } from '../graph/tenantDirectory';
import type { RequestChange, RequestRepository } from '../storage/requestRepository';
import { HoldLostError, type BookingLedger, type ReservationOwner } from './ledger';

/** What the admin may pick from: slots with the person and center each belongs to. */
export type Proposal =
  | {
      ok: true;
      slots: Slot[];
      center: FastTrackCenter;
      people: FastTrackPerson[];
      role: FastTrackPerson['role'];
      /** The meeting's own person had no time: these slots are with others who speak the language. */
      personChanged: boolean;
    }
  | { ok: false; reason: 'noLanguageCoverage' | 'noRegionCoverage'; language: string; region: string | undefined };

/** The texts of a meeting, in the request's language (rendered by the caller). */
export interface MeetingText {
  subject: string;
  bodyHtml: string;
}

export type BookingOutcome =
  | { outcome: 'booked'; meeting: Meeting; request: OnboardingRequest }
  /** The slot's person was taken meanwhile (another request, or the hold expired): offer fresh slots. */
  | { outcome: 'taken' }
  /** The request already has an active meeting of the kind (whatever asked for a second one). */
  | { outcome: 'exists'; meeting: Meeting; request: OnboardingRequest }
  /** Another slot of the kind is being booked this moment (another click, another instance). */
  | { outcome: 'inProgress' };

/**
 * A reassignment's outcome: the meetings moved to the new person (none when the request has no active
 * meeting, or they have it already), or `busy`: the new person is taken at a time of `meeting`, and
 * nothing changed.
 */
export type ReassignOutcome =
  | { outcome: 'reassigned'; request: OnboardingRequest; meetings: Meeting[] }
  | { outcome: 'busy'; meeting: Meeting; personId: string };

export type MoveOutcome = { outcome: 'moved'; meeting: Meeting; request: OnboardingRequest } | { outcome: 'taken' } | { outcome: 'gone' };

/** What a meeting went through, told to each observer after the request records it. */
export type MeetingChange =
  | { type: 'booked'; request: OnboardingRequest; meeting: Meeting }
  | { type: 'moved'; request: OnboardingRequest; meeting: Meeting; previous: Meeting }
  | { type: 'cancelled'; request: OnboardingRequest; meeting: Meeting };

/**
 * Follows meetings booked, moved or cancelled through the booking service (reminders, calendar
 * subscriptions). Called after the change is recorded; a failing observer is logged by the caller's
 * turn but never undoes the change.
 */
export interface MeetingObserver {
  meetingChanged(change: MeetingChange): Promise<void>;
}

export interface BookingServiceDeps {
  directory: TenantDirectory;
  ledger: BookingLedger;
  centers: CenterModel;
  requests: RequestRepository;
  clock: () => Date;
  /** Told of every recorded booking, move and cancellation, in order. */
  observers?: MeetingObserver[];
}

/** The cancellation reason of a meeting the admin deleted in Outlook. */
export const CANCELLED_IN_OUTLOOK = 'cancelledInOutlook';

const HORIZON_DAYS = 21;
/** How long a hold is kept when a create's outcome is not known (a timeout): until it is settled. */
const UNKNOWN_OUTCOME_HOLD_MS = 24 * 3_600_000;

/**
 * Books FastTrack meetings, keeping the request, the admin's calendar and the people's ledger in
 * agreement (see `domain/meetings.ts` for the rules): claim the kind on the request (ETag) → hold
 * the person for every occurrence → create the Teams meeting (transactionId: request, kind, slot
 * start) → confirm → record the meeting with Graph's own start and end. A definite failure frees
 * everything; a create whose outcome is unknown (timeout, outage) keeps the claim and the holds, and
 * is settled by trying it again with the same transactionId.
 */
export class BookingService {
  constructor(private readonly deps: BookingServiceDeps) {}

  /**
   * Slots for a meeting of the request: one getSchedule for the admin, ledger reads for the people.
   * A meeting's length follows its kind; checkpoints start after the kickoff ends. `personId` keeps
   * one person (a moved meeting stays with its person); when they have no time, the slots are with
   * the others who speak the language, and `personChanged` says so.
   */
  async propose(request: OnboardingRequest, options: { kind?: MeetingKind; durationMinutes?: number; personId?: string } = {}): Promise<Proposal> {
    const kind = options.kind ?? 'kickoff';
    const durationMinutes = options.durationMinutes ?? MEETING_MINUTES[kind];
    const form = request.form;
    const admin = request.admin;
    if (!form || !admin) throw new Error('A request is scheduled only after its form is submitted');
    const route = routeRequest(
      { dataMigration: form.dataMigration, language: form.preferredLanguage, region: form.region, countryLetterCode: undefined },
      this.deps.centers,
    );
    if (!route.ok) return { ok: false, reason: route.reason, language: route.language, region: route.region };
    if (options.personId && !route.people.some((p) => p.id === options.personId)) {
      // A person from another center (the triage channel reassigned the request to them): kept, in their own center's hours.
      const kept = this.deps.centers.people.find((p) => p.id === options.personId);
      const center = kept && this.deps.centers.centers.find((c) => c.id === kept.centerId);
      if (kept && center) {
        const slots = await this.slotsWith(request, center, kept, kind, durationMinutes);
        if (slots.length > 0) return { ok: true, slots, center, people: [kept], role: route.role, personChanged: false };
        const others = await this.propose(request, { kind, durationMinutes });
        return others.ok ? { ...others, personChanged: others.slots.length > 0 } : others;
      }
    }
    const own = options.personId ? route.people.filter((p) => p.id === options.personId) : [];
    const candidates = own.length > 0 ? own : route.people;
    const now = this.deps.clock();
    const from = now.toISOString();
    const to = new Date(now.getTime() + HORIZON_DAYS * 86_400_000).toISOString();
    const [schedule, ...peopleBusy] = await Promise.all([
      this.deps.directory.getSchedule(calendarTenantOf(request), admin.userId, [admin.email], from, to),
      ...route.people.map((p) => this.deps.ledger.busy({ id: p.id, timeZone: route.center.timeZone }, from, to)),
    ]);
    const busyOf = new Map(route.people.map((p, i) => [p.id, peopleBusy[i] ?? []]));
    const adminBusy: Interval[] = schedule.flatMap((s) => s.busy);
    const notBefore = earliestStart(request, kind);
    const search = (people: FastTrackPerson[]) =>
      findSlots({
        now,
        center: route.center,
        admin: { timeZone: admin.timeZone, ...(admin.workingHours ? { workingHours: admin.workingHours } : {}), busy: adminBusy },
        people: people.map((p) => ({ id: p.id, busy: busyOf.get(p.id) ?? [] })),
        durationMinutes,
        ...(notBefore ? { notBefore } : {}),
      });
    let slots = search(candidates);
    let personChanged = false;
    if (slots.length === 0 && own.length > 0) {
      const others = route.people.filter((p) => p.id !== options.personId);
      slots = search(others);
      personChanged = slots.length > 0;
    }
    return { ok: true, slots, center: route.center, people: personChanged ? route.people.filter((p) => p.id !== options.personId) : candidates, role: route.role, personChanged };
  }

  /** Slots with one person in their center's hours (the admin's calendar and working hours, the person's ledger). */
  private async slotsWith(request: OnboardingRequest, center: FastTrackCenter, person: FastTrackPerson, kind: MeetingKind, durationMinutes: number): Promise<Slot[]> {
    const admin = request.admin!;
    const now = this.deps.clock();
    const from = now.toISOString();
    const to = new Date(now.getTime() + HORIZON_DAYS * 86_400_000).toISOString();
    const [schedule, busy] = await Promise.all([
      this.deps.directory.getSchedule(calendarTenantOf(request), admin.userId, [admin.email], from, to),
      this.deps.ledger.busy({ id: person.id, timeZone: center.timeZone }, from, to),
    ]);
    const notBefore = earliestStart(request, kind);
    return findSlots({
      now,
      center,
      admin: { timeZone: admin.timeZone, ...(admin.workingHours ? { workingHours: admin.workingHours } : {}), busy: schedule.flatMap((x) => x.busy) },
      people: [{ id: person.id, busy }],
      durationMinutes,
      ...(notBefore ? { notBefore } : {}),
    });
  }

  /** Books a meeting of the request at the slot (see the class comment); never a second active one of a kind. */
  async book(request: OnboardingRequest, slot: Slot, kind: MeetingKind, text: MeetingText, recurrence?: Meeting['recurrence']): Promise<BookingOutcome> {
    const claim: PendingBooking = { kind, start: slot.start, end: slot.end, personId: slot.personId, transactionId: transactionIdFor(request.id, kind, slot.start), at: '', ...(recurrence ? { recurrence } : {}) };
    for (let attempt = 0; ; attempt++) {
      let decision = 'claim' as ReturnType<typeof claimDecision>;
      const now = this.deps.clock();
      const stored = await this.changeRequest(request, (r) => {
        decision = claimDecision(r, kind, slot.start, now);
        if (decision !== 'claim') return undefined;
        return { ...r, pendingBookings: [...(r.pendingBookings ?? []).filter((p) => p.kind !== kind), { ...claim, at: now.toISOString() }] };
      });
      if (decision === 'exists') return { outcome: 'exists', meeting: activeMeeting(stored, kind)!, request: stored };
      if (decision === 'inProgress') return { outcome: 'inProgress' };
      if (decision === 'claim') return this.complete(stored, claim, text);
      // An earlier click's create has an unknown outcome: settle it (it may well exist) before anything else.
      if (attempt > 0) return { outcome: 'inProgress' };
      const settled = await this.complete(stored, pendingBooking(stored, kind)!, text);
      if (settled.outcome === 'booked') return { outcome: 'exists', meeting: settled.meeting, request: settled.request };
    }
  }

  /** Holds, creates, confirms and records a claimed booking. */
  private async complete(request: OnboardingRequest, claim: PendingBooking, text: MeetingText): Promise<BookingOutcome> {
    const { person, center } = this.personOf(claim.personId);
    const admin = request.admin!;
    const owner: ReservationOwner = { tenantId: request.tenantId, requestId: request.id, kind: claim.kind };
    const ledgerPerson = { id: person.id, timeZone: center.timeZone };
    const times = occurrencesOf(claim, admin.timeZone);
    if ((await this.deps.ledger.reserveAll(ledgerPerson, times, owner)) === 'taken') {
      await this.dropClaim(request, claim);
      return { outcome: 'taken' };
    }
    // A retry (a double click, a crash, a timeout) has the same transactionId: Graph returns the event it may already have created.
    let event: CalendarEvent;
    try {
      event = await this.deps.directory.createEvent(calendarTenantOf(request), admin.userId, {
        subject: text.subject,
        bodyHtml: text.bodyHtml,
        start: claim.start,
        end: claim.end,
        attendees: attendeesOf(request, person),
        transactionId: claim.transactionId,
        // A series' weekday and time of day follow the admin's zone across daylight saving.
        timeZone: admin.timeZone,
        ...(claim.recurrence ? { recurrence: weekly(claim.recurrence, claim.start, admin.timeZone) } : {}),
      });
    } catch (error) {
      if (outcomeUnknown(error)) {
        // The event may exist: keep the person held and the claim, until a retry with the same transactionId tells.
        await this.deps.ledger.extendAll(ledgerPerson, times, owner, new Date(this.deps.clock().getTime() + UNKNOWN_OUTCOME_HOLD_MS).toISOString());
        const since = this.deps.clock().toISOString();
        await this.changeRequest(request, (r) => {
          const pending = r.pendingBookings?.find((p) => p.transactionId === claim.transactionId);
          return pending ? { ...r, pendingBookings: r.pendingBookings!.map((p) => (p === pending ? { ...p, unknownSince: since } : p)) } : undefined;
        });
      } else {
        await this.deps.ledger.releaseAll(ledgerPerson, times, owner);
        await this.dropClaim(request, claim);
      }
      throw error;
    }
    try {
      await this.deps.ledger.confirmAll(ledgerPerson, times, owner, event.id);
    } catch (error) {
      if (!(error instanceof HoldLostError)) throw error;
      // Someone else has the time now: the meeting cannot stand.
      await this.deps.directory.deleteEvent(calendarTenantOf(request), admin.userId, event.id);
      await this.deps.ledger.releaseAll(ledgerPerson, times, owner);
      await this.dropClaim(request, claim);
      return { outcome: 'taken' };
    }
    const at = this.deps.clock();
    const meeting: Meeting = {
      kind: claim.kind,
      status: 'booked',
      eventId: event.id,
      transactionId: claim.transactionId,
      // Graph's own times: what the calendar shows is what the record says.
      start: event.start,
      end: event.end,
      joinUrl: event.joinUrl,
      person: { id: person.id, name: person.name, email: person.email, role: person.role },
      centerId: center.id,
      centerTimeZone: center.timeZone,
      adminTimeZone: admin.timeZone,
      ...(claim.recurrence ? { recurrence: claim.recurrence } : {}),
      history: [{ at: at.toISOString(), event: 'booked', start: event.start, end: event.end }],
    };
    let recorded = meeting;
    const stored = await this.changeRequest(request, (r) => {
      const pendingBookings = (r.pendingBookings ?? []).filter((p) => p.transactionId !== claim.transactionId);
      const existing = r.meetings?.find((m) => m.eventId === event.id);
      // A double click (or another instance) recorded the very same event a moment ago.
      if (existing) {
        recorded = existing;
        return pendingBookings.length === (r.pendingBookings ?? []).length ? undefined : { ...r, pendingBookings };
      }
      recorded = meeting;
      return withEvent(
        { ...r, meetings: [...(r.meetings ?? []), meeting], pendingBookings, bookingCount: (r.bookingCount ?? 0) + 1, stage: claim.kind === 'kickoff' && r.stage !== 'closed' ? 'scheduled' : r.stage },
        claim.kind === 'kickoff' ? 'kickoffBooked' : 'checkpointsBooked',
        at,
      );
    });
    if (recorded === meeting) await this.notify({ type: 'booked', request: stored, meeting });
    return { outcome: 'booked', meeting: recorded, request: stored };
  }

  /**
   * Moves a booked meeting to a new slot, keeping its kind, length and recurrence: hold the new
   * times (the slot's person: the same one unless they had no time), PATCH the event (its attendee
   * too when the person changes, its recurrence for a series), then free the old times.
   */
  async move(request: OnboardingRequest, meeting: Meeting, slot: Slot): Promise<MoveOutcome> {
    const old = this.personOf(meeting.person.id);
    const { person, center } = this.personOf(slot.personId);
    const admin = request.admin!;
    const owner: ReservationOwner = { tenantId: request.tenantId, requestId: request.id, kind: meeting.kind };
    const ledgerPerson = { id: person.id, timeZone: center.timeZone };
    const oldPerson = { id: old.person.id, timeZone: old.center.timeZone };
    const end = new Date(Date.parse(slot.start) + (Date.parse(meeting.end) - Date.parse(meeting.start))).toISOString();
    const times = occurrencesOf({ start: slot.start, end, recurrence: meeting.recurrence }, admin.timeZone);
    if ((await this.deps.ledger.reserveAll(ledgerPerson, times, owner)) === 'taken') return { outcome: 'taken' };
    let event: CalendarEvent;
    try {
      event = await this.deps.directory.updateEvent(calendarTenantOf(request), admin.userId, meeting.eventId, {
        start: slot.start,
        end,
        timeZone: admin.timeZone,
        ...(person.id !== meeting.person.id ? { attendees: attendeesOf(request, person) } : {}),
        ...(meeting.recurrence ? { recurrence: weekly(meeting.recurrence, slot.start, admin.timeZone) } : {}),
      });
    } catch (error) {
      await this.deps.ledger.releaseAll(ledgerPerson, times, owner);
      if (error instanceof GraphError && error.status === 404) return { outcome: 'gone' };
      throw error;
    }
    await this.deps.ledger.confirmAll(ledgerPerson, times, owner, meeting.eventId);
    await this.deps.ledger.releaseAll(oldPerson, occurrencesOf(meeting, meeting.adminTimeZone), owner);
    const at = this.deps.clock();
    const moved: Meeting = {
      ...meeting,
      start: event.start,
      end: event.end,
      adminTimeZone: admin.timeZone,
      person: { id: person.id, name: person.name, email: person.email, role: person.role },
      centerId: center.id,
      centerTimeZone: center.timeZone,
      history: [...meeting.history, { at: at.toISOString(), event: 'moved' as const, start: event.start, end: event.end }].slice(-20),
    };
    const stored = await this.changeRequest(request, (r) => withEvent({ ...r, meetings: (r.meetings ?? []).map((m) => (m.eventId === meeting.eventId ? moved : m)) }, 'meetingMoved', at));
    await this.notify({ type: 'moved', request: stored, meeting: moved, previous: meeting });
    return { outcome: 'moved', meeting: moved, request: stored };
  }

  /**
   * Cancels a meeting: deletes the event (attendees get Outlook's cancellation), frees every
   * occurrence in the ledger, records why. Without a kickoff the request waits for scheduling again.
   */
  async cancel(request: OnboardingRequest, meeting: Meeting, reason: string): Promise<{ meeting: Meeting; request: OnboardingRequest }> {
    const { center } = this.personOf(meeting.person.id);
    await this.deps.directory.deleteEvent(calendarTenantOf(request), request.admin!.userId, meeting.eventId);
    const owner: ReservationOwner = { tenantId: request.tenantId, requestId: request.id, kind: meeting.kind };
    await this.deps.ledger.releaseAll({ id: meeting.person.id, timeZone: center.timeZone }, occurrencesOf(meeting, meeting.adminTimeZone), owner);
    const at = this.deps.clock();
    const cancelled: Meeting = { ...meeting, status: 'cancelled', cancelledReason: reason, history: [...meeting.history, { at: at.toISOString(), event: 'cancelled' as const }].slice(-20) };
    const stored = await this.changeRequest(request, (r) => {
      const meetings = (r.meetings ?? []).map((m) => (m.eventId === meeting.eventId ? cancelled : m));
      const kickoffLeft = meetings.some((m) => m.kind === 'kickoff' && m.status === 'booked');
      return withEvent({ ...r, meetings, stage: r.stage === 'scheduled' && !kickoffLeft ? 'awaitingScheduling' : r.stage }, 'meetingCancelled', at);
    });
    await this.notify({ type: 'cancelled', request: stored, meeting: cancelled });
    return { meeting: cancelled, request: stored };
  }

  /**
   * The admin moved the meeting in Outlook (a change notification, the event read again): records
   * the event's times, moves the person's holds with it (kept on the old times when the new ones are
   * taken: the calendar is what the admin sees, the clash is for FastTrack to sort out), and tells the
   * observers. Undefined when the request does not hold the meeting as booked at other times any more.
   */
  async movedOutside(request: OnboardingRequest, meeting: Meeting, event: Pick<CalendarEvent, 'start' | 'end'>): Promise<{ meeting: Meeting; request: OnboardingRequest; held: boolean } | undefined> {
    const { center } = this.personOf(meeting.person.id);
    const owner: ReservationOwner = { tenantId: request.tenantId, requestId: request.id, kind: meeting.kind };
    const ledgerPerson = { id: meeting.person.id, timeZone: center.timeZone };
    const times = occurrencesOf({ start: event.start, end: event.end, recurrence: meeting.recurrence }, meeting.adminTimeZone);
    const held = (await this.deps.ledger.reserveAll(ledgerPerson, times, owner)) !== 'taken';
    if (held) {
      await this.deps.ledger.confirmAll(ledgerPerson, times, owner, meeting.eventId);
      await this.deps.ledger.releaseAll(ledgerPerson, occurrencesOf(meeting, meeting.adminTimeZone), owner);
    }
    const at = this.deps.clock();
    let moved: Meeting | undefined;
    const stored = await this.changeRequest(request, (r) => {
      const current = r.meetings?.find((m) => m.eventId === meeting.eventId && m.status === 'booked');
      if (!current || (current.start === event.start && current.end === event.end)) return (moved = undefined);
      moved = { ...current, start: event.start, end: event.end, history: [...current.history, { at: at.toISOString(), event: 'movedByAdmin' as const, start: event.start, end: event.end }].slice(-20) };
      const next = moved;
      return withEvent({ ...r, meetings: (r.meetings ?? []).map((m) => (m.eventId === meeting.eventId ? next : m)) }, 'meetingMoved', at);
    });
    if (!moved) return undefined;
    await this.notify({ type: 'moved', request: stored, meeting: moved, previous: meeting });
    return { meeting: moved, request: stored, held };
  }

  /**
   * The admin deleted the meeting in Outlook: frees every occurrence in the ledger and records the
   * cancellation (the event is gone already). Undefined when the request holds no such booked meeting.
   */
  async cancelledOutside(request: OnboardingRequest, meeting: Meeting): Promise<{ meeting: Meeting; request: OnboardingRequest } | undefined> {
    const { center } = this.personOf(meeting.person.id);
    const owner: ReservationOwner = { tenantId: request.tenantId, requestId: request.id, kind: meeting.kind };
    await this.deps.ledger.releaseAll({ id: meeting.person.id, timeZone: center.timeZone }, occurrencesOf(meeting, meeting.adminTimeZone), owner);
    const at = this.deps.clock();
    let cancelled: Meeting | undefined;
    const stored = await this.changeRequest(request, (r) => {
      const current = r.meetings?.find((m) => m.eventId === meeting.eventId && m.status === 'booked');
      if (!current) return (cancelled = undefined);
      const done: Meeting = { ...current, status: 'cancelled', cancelledReason: CANCELLED_IN_OUTLOOK, history: [...current.history, { at: at.toISOString(), event: 'cancelledByAdmin' as const }].slice(-20) };
      cancelled = done;
      const meetings = (r.meetings ?? []).map((m) => (m.eventId === meeting.eventId ? done : m));
      const kickoffLeft = meetings.some((m) => m.kind === 'kickoff' && m.status === 'booked');
      return withEvent({ ...r, meetings, stage: r.stage === 'scheduled' && !kickoffLeft ? 'awaitingScheduling' : r.stage }, 'meetingCancelled', at);
    });
    if (!cancelled) return undefined;
    await this.notify({ type: 'cancelled', request: stored, meeting: cancelled });
    return { meeting: cancelled, request: stored };
  }

  /** Cancels every active meeting of the request (the request itself is being cancelled); the ones cancelled. */
  async cancelAll(request: OnboardingRequest, reason: string): Promise<{ cancelled: Meeting[]; request: OnboardingRequest }> {
    let current = request;
    const cancelled: Meeting[] = [];
    // The checkpoints first: they follow the kickoff.
    for (const meeting of activeMeetings(request).sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'checkpoint' ? -1 : 1))) {
      const done = await this.cancel(current, meeting, reason);
      cancelled.push(done.meeting);
      current = done.request;
    }
    return { cancelled, request: current };
  }

  /**
   * Another FastTrack person takes the request's meetings (a reassignment in the triage channel):
   * for every active meeting (the kickoff, the checkpoint series) the new person is held at the same
   * times, every occurrence of every meeting or none; the event's attendee is replaced (PATCH, the
   * times unchanged), the holds confirmed, the old person's freed, and the meeting records its person
   * and a `reassigned` history entry. The new person busy at one of the times → `busy`, nothing
   * changed. A retry (a crash, a redelivered change) finds what is already done and finishes the rest.
   */
  async reassign(request: OnboardingRequest, to: Pick<FastTrackPerson, 'id'>): Promise<ReassignOutcome> {
    const { person, center } = this.personOf(to.id);
    const current = (await this.deps.requests.get(request.tenantId, request.id)) ?? request;
    const admin = current.admin;
    const moving = activeMeetings(current).filter((m) => m.person.id !== person.id);
    if (moving.length === 0 || !admin) return { outcome: 'reassigned', request: current, meetings: [] };
    const newPerson = { id: person.id, timeZone: center.timeZone };
    const ownerOf = (meeting: Meeting): ReservationOwner => ({ tenantId: current.tenantId, requestId: current.id, kind: meeting.kind });
    // Every time of every meeting is held for the new person first: all of them, or none.
    const held: { meeting: Meeting; times: Occurrence[]; fresh: boolean }[] = [];
    for (const meeting of moving) {
      const times = occurrencesOf(meeting, meeting.adminTimeZone);
      const outcome = await this.deps.ledger.reserveAll(newPerson, times, ownerOf(meeting));
      if (outcome === 'taken') {
        // Only what this call held is freed (a retry's own confirmed times stay as they are).
        for (const h of held) if (h.fresh) await this.deps.ledger.releaseAll(newPerson, h.times, ownerOf(h.meeting));
        return { outcome: 'busy', meeting, personId: person.id };
      }
      held.push({ meeting, times, fresh: outcome === 'reserved' });
    }
    const reassigned: Meeting[] = [];
    for (const [i, { meeting, times }] of held.entries()) {
      try {
        await this.deps.directory.updateEvent(calendarTenantOf(current), admin.userId, meeting.eventId, {
          start: meeting.start,
          end: meeting.end,
          timeZone: meeting.adminTimeZone,
          attendees: attendeesOf(current, person),
        });
      } catch (error) {
        // Not moved: the new person's holds of this meeting and of those not reached yet are freed.
        for (const h of held.slice(i)) await this.deps.ledger.releaseAll(newPerson, h.times, ownerOf(h.meeting));
        throw error;
      }
      await this.deps.ledger.confirmAll(newPerson, times, ownerOf(meeting), meeting.eventId);
      const old = this.personOf(meeting.person.id);
      await this.deps.ledger.releaseAll({ id: old.person.id, timeZone: old.center.timeZone }, times, ownerOf(meeting));
      const at = this.deps.clock();
      let recorded: Meeting | undefined;
      const stored = await this.changeRequest(current, (r) => {
        const mine = r.meetings?.find((m) => m.eventId === meeting.eventId && m.status === 'booked');
        if (!mine || mine.person.id === person.id) return (recorded = undefined);
        const next: Meeting = {
          ...mine,
          person: { id: person.id, name: person.name, email: person.email, role: person.role },
          centerId: center.id,
          centerTimeZone: center.timeZone,
          // The times ride along, so the meeting's reminders are planned anew with the new person's name.
          history: [...mine.history, { at: at.toISOString(), event: 'reassigned' as const, start: mine.start, end: mine.end, personId: person.id, fromPersonId: mine.person.id }].slice(-20),
        };
        recorded = next;
        return withEvent({ ...r, meetings: (r.meetings ?? []).map((m) => (m.eventId === meeting.eventId ? next : m)) }, 'meetingReassigned', at);
      });
      if (recorded) {
        reassigned.push(recorded);
        await this.notify({ type: 'moved', request: stored, meeting: recorded, previous: meeting });
      }
    }
    const stored = (await this.deps.requests.get(current.tenantId, current.id)) ?? current;
    return { outcome: 'reassigned', request: stored, meetings: reassigned };
  }

  /** Only the slot's own person, with the center they work from. */
  personOf(personId: string): { person: FastTrackPerson; center: FastTrackCenter } {
    const person = this.deps.centers.people.find((p) => p.id === personId);
    const center = person && this.deps.centers.centers.find((c) => c.id === person.centerId);
    if (!person || !center) throw new Error(`No FastTrack person ${personId} in the center model`);
    return { person, center };
  }

  /** Tells every observer, in order; the change is already recorded, so a failure is reported, not undone. */
  private async notify(change: MeetingChange): Promise<void> {
    for (const observer of this.deps.observers ?? []) await observer.meetingChanged(change);
  }

  private async dropClaim(request: OnboardingRequest, claim: PendingBooking): Promise<void> {
    await this.changeRequest(request, (r) => {
      const kept = (r.pendingBookings ?? []).filter((p) => p.transactionId !== claim.transactionId);
      return kept.length === (r.pendingBookings ?? []).length ? undefined : { ...r, pendingBookings: kept };
    });
  }

  private async changeRequest(request: OnboardingRequest, change: RequestChange): Promise<OnboardingRequest> {
    const stored = await this.deps.requests.update(request.tenantId, request.id, change);
    if (!stored) throw new Error('The request being booked is not stored');
    return stored;
  }
}

/** A create or move whose answer never came: the event may or may not exist. */
function outcomeUnknown(error: unknown): boolean {
  return error instanceof GraphError ? error.status === 0 || error.status >= 500 : true;
}

/** The Graph recurrence of a series starting at `start`: weekly on its weekday in the admin's zone. */
function weekly(recurrence: NonNullable<Meeting['recurrence']>, start: string, timeZone: string): NonNullable<NewEvent['recurrence']> {
  return { pattern: 'weekly', interval: recurrence.intervalWeeks, daysOfWeek: [isoWeekday(start, timeZone)], occurrences: recurrence.occurrences };
}

/** ISO weekday (1 = Monday) of an instant in a time zone. */
function isoWeekday(instant: string, timeZone: string): number {
  const day = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(new Date(instant));
  return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(day) + 1;
}

/**
 * Who is invited besides the organizer: the FastTrack person, and for a partner's request the
 * customer's contact from the form (the meeting itself sits on the partner requester's calendar).
 */
function attendeesOf(request: OnboardingRequest, person: { email: string; name: string }): { email: string; name: string }[] {
  const customer = request.partner && request.form?.customerEmail ? [{ email: request.form.customerEmail, name: request.form.customerName }] : [];
  return [{ email: person.email, name: person.name }, ...customer.filter((c) => c.email.toLowerCase() !== person.email.toLowerCase())];
}
