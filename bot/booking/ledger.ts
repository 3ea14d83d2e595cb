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
  eventId?: string;
}

interface LedgerDay {
  reservations: Reservation[];
}

export type ReserveOutcome = 'reserved' | 'alreadyYours' | 'taken';

/** How long a reservation is held without a confirmed event before others may take the time. */
const HOLD_MINUTES = 10;

/** A FastTrack person as the ledger knows them: id, and their center's time zone. */
export interface LedgerPerson {
  id: string;
  timeZone: string;
}

/**
 * The FastTrack people's bookings, one document per person and day of their center
 * (`bookings/{personId}/{YYYY-MM-DD}`), written with ETags: two clicks, two turns or two bot
 * instances can never hold the same person at the same time. Reserve first, create the meeting,
 * then confirm; a failed create releases. Days are the center's local days because business hours
 * never cross local midnight, while they may cross UTC midnight: every meeting then lives in one
 * document, and one ETag guards every overlap.
 */
export class BookingLedger {
  constructor(
    private readonly store: DocumentStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Holds the person for [start, end) unless someone else holds or booked an overlapping time. */
  async reserve(person: LedgerPerson, start: string, end: string, owner: ReservationOwner): Promise<ReserveOutcome> {
    return this.update(person, start, (day) => {
      const mine = day.reservations.find((r) => sameOwner(r, owner) && r.start === start && r.end === end);
      if (mine) return { outcome: 'alreadyYours', day: undefined };
      const clash = day.reservations.some((r) => !sameOwner(r, owner) && this.active(r) && overlaps(r, start, end));
      if (clash) return { outcome: 'taken', day: undefined };
      const reservation: Reservation = { ...owner, start, end, status: 'held', heldAt: this.clock().toISOString() };
      // Expired holds are dropped while the document is rewritten anyway.
      return { outcome: 'reserved', day: { reservations: [...day.reservations.filter((r) => this.active(r)), reservation] } };
    });
  }

  /** Marks the owner's reservation booked, with the calendar event it belongs to. */
  async confirm(person: LedgerPerson, start: string, end: string, owner: ReservationOwner, eventId: string): Promise<void> {
    await this.update(person, start, (day) => ({
      outcome: 'reserved',
      day: { reservations: day.reservations.map((r) => (sameOwner(r, owner) && r.start === start && r.end === end ? { ...r, status: 'booked' as const, eventId } : r)) },
    }));
  }

  /** Frees the owner's reservation of [start, end) (a failed create, a reschedule, a cancellation). */
  async release(person: LedgerPerson, start: string, end: string, owner: ReservationOwner): Promise<void> {
    await this.update(person, start, (day) => ({
      outcome: 'reserved',
      day: { reservations: day.reservations.filter((r) => !(sameOwner(r, owner) && r.start === start && r.end === end)) },
    }));
  }

  /** The person's held and booked times between two instants (for slot finding). */
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

  /** Every reservation of a person on the UTC day of `at` (for operators and tests). */
  async day(person: LedgerPerson, at: string): Promise<Reservation[]> {
    return (await this.store.get<LedgerDay>(key(person.id, localDay(at, person.timeZone))))?.value.reservations ?? [];
  }

  private active(r: Reservation): boolean {
    return r.status === 'booked' || Date.parse(r.heldAt) > this.clock().getTime() - HOLD_MINUTES * 60_000;
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
