import type { BookingService } from '../booking/bookingService';
import { errorFields } from '../dialogs/errors';
import type { Logger } from '../logger';
import type { TriageChange, TriageObserver } from './observer';

/**
 * FastTrack cancels a request in the triage channel (a duplicate, not eligible…): its meetings go
 * with it, as when the admin cancels it themselves. Every active meeting is cancelled (the event
 * deleted from the admin's calendar, so the attendees get Outlook's cancellation; the person's holds
 * freed; the reminders dropped). A failure is logged and never undoes the cancellation; `cancelAll`
 * finds nothing left on a retried change.
 */
export class MeetingCancel implements TriageObserver {
  constructor(private readonly deps: { booking: Pick<BookingService, 'cancelAll'>; logger: Logger }) {}

  async triageChanged(change: TriageChange): Promise<void> {
    const { after, entry } = change;
    if (entry.event !== 'triage.cancel') return;
    const log = { tenantId: after.tenantId, requestId: after.id };
    try {
      const { cancelled } = await this.deps.booking.cancelAll(after, 'requestCancelled');
      this.deps.logger.info({ ...log, meetingsCancelled: cancelled.length }, 'meetings of a request cancelled by FastTrack cancelled');
    } catch (error) {
      this.deps.logger.warn({ ...log, err: errorFields(error) }, 'meetings of a request cancelled by FastTrack not cancelled');
    }
  }
}
