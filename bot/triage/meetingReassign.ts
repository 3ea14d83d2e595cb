import type { BookingService, ReassignOutcome } from '../booking/bookingService';
import { errorFields } from '../dialogs/errors';
import type { Logger } from '../logger';
import type { TriageChange, TriageObserver } from './observer';

/**
 * A reassignment in the triage channel moves the request's meetings: on every accepted
 * `triage.reassign` the booking service hands the kickoff and the checkpoint series to the new person
 * (attendee, ledger holds). The triage handler already moved them before it accepted the reassignment
 * (a busy new person refuses it there), so this usually finds nothing left to move; it stays as the
 * safety net. A busy result or a failure is logged and never undoes the reassignment. `reassign` is
 * idempotent, so a retried change does no harm.
 */
export class MeetingReassign implements TriageObserver {
  constructor(private readonly deps: { booking: Pick<BookingService, 'reassign'>; logger: Logger }) {}

  async triageChanged(change: TriageChange): Promise<void> {
    await this.moveMeetings(change);
  }

  /** Moves the meetings for a reassignment (undefined for any other change, or when it failed). */
  async moveMeetings(change: TriageChange): Promise<ReassignOutcome | undefined> {
    const { after, entry } = change;
    if (entry.event !== 'triage.reassign' || !entry.to) return undefined;
    const log = { tenantId: after.tenantId, requestId: after.id, personId: entry.to };
    try {
      const outcome = await this.deps.booking.reassign(after, { id: entry.to });
      if (outcome.outcome === 'busy') this.deps.logger.warn({ ...log, kind: outcome.meeting.kind }, 'reassigned person busy at a meeting time: meetings kept with the previous person');
      else this.deps.logger.info({ ...log, meetings: outcome.meetings.length }, 'meetings reassigned');
      return outcome;
    } catch (error) {
      this.deps.logger.warn({ ...log, err: errorFields(error) }, 'meetings not reassigned');
      return undefined;
    }
  }
}
