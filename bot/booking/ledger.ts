import { dateIn } from '../domain/timeZones';
import { updateDocument, type DocumentStore } from '../storage/documentStore';

/** Who holds a reservation: one request's kickoff, or one of its checkpoints. */
export interface ReservationOwner {
  tenantId: string;
  requestId: string;
  kind: 'kickoff' | 'checkpoint';
}

/** A time a FastTrack person is held or booked for. `held` expires unless confirmed. */
export interface Reservation extends ReservationOwner {
  start: string;
  end: string;
  status: 'held' | 'booked';
  heldAt: string;
  /** When a hold stops counting (absent: `heldAt` + 10 minutes); extended while a create's outcome is unknown. */
  expiresAt?: string;
  eventId?: string;
}

interface LedgerDay {
  reservations: Reservation[];
}

export type ReserveOutcome = 'reserved' | 'alreadyYours' | 'taken';

/** How long a reservation is held without a confirmed event before others may take the time. */
export const HOLD_MINUTES = 10;

/** A FastTrack person as the ledger knows them: id, and their center's time zone. */
export interface LedgerPerson {
  id: string;
  timeZone: string;
}

/** One held or booked time. */
export interface LedgerTime {
  start: string;
  end: string;
}

/** A confirm found no live hold of its owner: the hold expired, or someone else took the time since. */
export class HoldLostError extends Error {
  constructor() {
    super('The hold expired or was taken before the booking was confirmed');
    this.name = 'HoldLostError';
  }
}

/**
 * The FastTrack people's bookings, one document per person and day of their center
 * (`bookings/{personId}/{YYYY-MM-DD}`), written with ETags: two clicks, two turns or two bot
 * instances can never hold the same person at the same time. Reserve first, create the meeting,
 * then confirm; a failed create releases. Days are the center's local days because business hours
 * never cross local midnight, while they may cross UTC midnight: every meeting then lives in one
 * document, and one ETag guards every overlap. A series holds each of its occurrences (`*All`).
 */
export class BookingLedger {
  constructor(
    private readonly store: DocumentStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Holds the person for [start, end) unless someone else holds or booked an overlapping time.
   * A retry that finds its own live hold refreshes it ('alreadyYours'); an own hold that expired
   * counts for nothing: the time is held again only if it is still free.
   */
  async reserve(person: LedgerPerson, start: string, end: string, owner: ReservationOwner): Promise<ReserveOutcome> {
    return this.update(person, start, (day) => {
      const now = this.clock().toISOString();
      const mine = day.reservations.find((r) => sameOwner(r, owner) && r.start === start && r.end === end && this.active(r));
      if (mine?.status === 'booked') return { outcome: 'alreadyYours', day: undefined };
      // Every live reservation but this very one (its own expired copy, if any, is dropped too).
      const others = day.reservations.filter((r) => this.active(r) && !(sameOwner(r, owner) && r.start === start && r.end === end));
      if (!mine && others.some((r) => !sameOwner(r, owner) && overlaps(r, start, end))) return { outcome: 'taken', day: undefined };
      const reservation: Reservation = { ...owner, start, end, status: 'held', heldAt: now };
      // Expired holds are dropped while the document is rewritten anyway.
      return { outcome: mine ? 'alreadyYours' : 'reserved', day: { reservations: [...others, reservation] } };
    });
  }

  /** Marks the owner's reservation booked, with the calendar event it belongs to; HoldLostError when it is no longer held. */
  async confirm(person: LedgerPerson, start: string, end: string, owner: ReservationOwner, eventId: string): Promise<void> {
    let lost = false;
    await this.update(person, start, (day) => {
      const mine = day.reservations.find((r) => sameOwner(r, owner) && r.start === start && r.end === end && this.active(r));
      lost = !mine;
      if (!mine) return { outcome: 'taken', day: undefined };
      if (mine.status === 'booked' && mine.eventId === eventId) return { outcome: 'reserved', day: undefined };
      return { outcome: 'reserved', day: { reservations: day.reservations.map((r) => (r === mine ? { ...r, status: 'booked' as const, eventId } : r)) } };
    });
    if (lost) throw new HoldLostError();
  }

  /** Keeps the owner's hold of [start, end) until `until` (a create whose outcome is not known yet). */
  async extend(person: LedgerPerson, start: string, end: string, owner: ReservationOwner, until: string): Promise<void> {
    await this.update(person, start, (day) => {
      const mine = day.reservations.find((r) => sameOwner(r, owner) && r.start === start && r.end === end && r.status === 'held' && this.active(r));
      if (!mine) return { outcome: 'reserved', day: undefined };
      return { outcome: 'reserved', day: { reservations: day.reservations.map((r) => (r === mine ? { ...r, expiresAt: until } : r)) } };
    });
  }

  /** Frees the owner's reservation of [start, end) (a failed create, a reschedule, a cancellation). */
  async release(person: LedgerPerson, start: string, end: string, owner: ReservationOwner): Promise<void> {
    await this.update(person, start, (day) => {
      const kept = day.reservations.filter((r) => !(sameOwner(r, owner) && r.start === start && r.end === end));
      return { outcome: 'reserved', day: kept.length === day.reservations.length ? undefined : { reservations: kept } };
    });
  }

  /** Holds every time (a series' occurrences) or none: when one is taken, the others just held are freed. */
  async reserveAll(person: LedgerPerson, times: readonly LedgerTime[], owner: ReservationOwner): Promise<ReserveOutcome> {
    const outcomes = await Promise.all(times.map((t) => this.reserve(person, t.start, t.end, owner)));
    if (outcomes.includes('taken')) {
      await this.releaseAll(
        person,
        times.filter((_, i) => outcomes[i] === 'reserved'),
        owner,
      );
      return 'taken';
    }
    return outcomes.every((o) => o === 'alreadyYours') ? 'alreadyYours' : 'reserved';
  }

  /** Confirms every time; HoldLostError when one of them is no longer held. */
  async confirmAll(person: LedgerPerson, times: readonly LedgerTime[], owner: ReservationOwner, eventId: string): Promise<void> {
    const results = await Promise.allSettled(times.map((t) => this.confirm(person, t.start, t.end, owner, eventId)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async extendAll(person: LedgerPerson, times: readonly LedgerTime[], owner: ReservationOwner, until: string): Promise<void> {
    await Promise.all(times.map((t) => this.extend(person, t.start, t.end, owner, until)));
  }

  async releaseAll(person: LedgerPerson, times: readonly LedgerTime[], owner: ReservationOwner): Promise<void> {
    await Promise.all(times.map((t) => this.release(person, t.start, t.end, owner)));
  }

  /** The person's live held and booked times between two instants (for slot finding); expired holds never count. */
  async busy(person: LedgerPerson, from: string, to: string): Promise<{ start: string; end: string }[]> {
    const days = new Set<string>();
    // Every local day the range touches: step in hours so DST days (23 or 25 hours) are not skipped.
    for (let t = Date.parse(from); t < Date.parse(to) + 3_600_000; t += 3_600_000) days.add(localDay(new Date(t).toISOString(), person.timeZone));
    const docs = await Promise.all([...days].map((d) => this.store.get<LedgerDay>(key(person.id, d))));
    return docs
      .flatMap((doc) => doc?.value.reservations ?? [])
      .filter((r) => this.active(r) && r.end > from && r.start < to)
      .map((r) => ({ start: r.start, end: r.end }));
  }

  /** Every reservation of a person on the center-local day of `at`, expired holds included (for operators and tests). */
  async day(person: LedgerPerson, at: string): Promise<Reservation[]> {
    return (await this.store.get<LedgerDay>(key(person.id, localDay(at, person.timeZone))))?.value.reservations ?? [];
  }

  /** True while a reservation counts: booked, or held and not expired. */
  active(r: Reservation): boolean {
    if (r.status === 'booked') return true;
    const expires = r.expiresAt ? Date.parse(r.expiresAt) : Date.parse(r.heldAt) + HOLD_MINUTES * 60_000;
    return expires > this.clock().getTime();
  }

  /** Read-modify-write of one day's document with its ETag, re-applied when another writer got there first. */
  private async update(person: LedgerPerson, start: string, change: (day: LedgerDay) => { outcome: ReserveOutcome; day: LedgerDay | undefined }): Promise<ReserveOutcome> {
    let outcome: ReserveOutcome = 'reserved';
    // The outcome of the attempt that was written (or that decided to write nothing) is the answer.
    await updateDocument<LedgerDay>(this.store, key(person.id, localDay(start, person.timeZone)), (current) => {
      const decided = change(current ?? { reservations: [] });
      outcome = decided.outcome;
      return decided.day;
    });
    return outcome;
  }
}

/** The center-local date of an instant (centers' zones are validated at start-up). */
function localDay(instant: string, timeZone: string): string {
  return dateIn(timeZone, new Date(instant));
}

function key(personId: string, day: string): string {
  return `bookings/${encodeURIComponent(personId)}/${day}`;
}

function sameOwner(a: ReservationOwner, b: ReservationOwner): boolean {
  return a.tenantId === b.tenantId && a.requestId === b.requestId && a.kind === b.kind;
}

function overlaps(r: { start: string; end: string }, start: string, end: string): boolean {
  return r.start < end && start < r.end;
}
