import type { DialogContext } from 'botbuilder-dialogs';
import { CancelMeetingDialog } from '../dialogs/cancelMeetingDialog';
import { authorizeCustomer } from '../dialogs/partnerDialog';
import { SchedulingDialog, type SchedulingOptions } from '../dialogs/schedulingDialog';
import { activeMeetings } from '../domain/meetings';
import type { MeetingVerb } from './commands';
import { myOpenRequestOrStopped, type FastTrackBotDeps } from './handlerDeps';

/** Book, move or cancel a meeting, or add checkpoints: on top of whatever runs, like adoption. */
export class MeetingHandler {
  constructor(private readonly deps: FastTrackBotDeps) {}

  async handle(dc: DialogContext, verb: MeetingVerb, eventId: string | undefined): Promise<void> {
    const { renderer } = this.deps;
    const locale = dc.context.activity.locale;
    let { request, stoppedFor } = await myOpenRequestOrStopped(this.deps, dc.context);
    if (!request && stoppedFor) {
      // A partner's request whose delegated-admin relationship ended or expired: says so (and logs it), not "no request yet".
      if (!(await authorizeCustomer(this.deps, dc.context, stoppedFor.partnerTenantId, stoppedFor.userId, stoppedFor.customerTenantId, stoppedFor.customerName))) return;
      ({ request, stoppedFor } = await myOpenRequestOrStopped(this.deps, dc.context)); // in force again meanwhile
    }
    if (!request?.form) {
      await dc.context.sendActivity(renderer.text(locale, (s) => s.scheduling.notYet));
      return;
    }
    const booked = activeMeetings(request);
    const kickoff = booked.find((m) => m.kind === 'kickoff');
    const base = { tenantId: request.tenantId, requestId: request.id, requester: request.requester };
    const meeting = verb === 'meeting.book' || verb === 'checkpoints.add' ? undefined : eventId ? booked.find((m) => m.eventId === eventId) : kickoff;
    const wanted: SchedulingOptions | undefined =
      verb === 'meeting.book' ? { ...base, mode: 'book' } : verb === 'checkpoints.add' ? { ...base, mode: 'checkpoints' } : verb === 'meeting.reschedule' && meeting ? { ...base, mode: 'reschedule', eventId: meeting.eventId } : undefined;
    // A slots card already open for the same thing is shown again, never a second one beside it;
    // asked for something else, the open one gives way.
    const open = openScheduling(dc);
    if (open && wanted && open.mode === wanted.mode && open.eventId === wanted.eventId) {
      await dc.repromptDialog();
      return;
    }
    if ((verb === 'checkpoints.add' && !kickoff) || (verb !== 'meeting.book' && verb !== 'checkpoints.add' && !meeting)) {
      await dc.context.sendActivity(renderer.text(locale, (s) => s.scheduling.noMeeting));
      return;
    }
    if (open) await dc.cancelAllDialogs();
    // The scheduling dialog itself refuses a second kickoff or series and shows the one booked.
    if (wanted) await dc.beginDialog(SchedulingDialog.id, wanted);
    else await dc.beginDialog(CancelMeetingDialog.id, { ...base, mode: 'reschedule', eventId: meeting!.eventId } satisfies SchedulingOptions);
  }
}

/** The options of the scheduling dialog open at the top of the stack (nested in the journey or not). */
function openScheduling(dc: DialogContext): SchedulingOptions | undefined {
  for (let d: DialogContext | undefined = dc; d?.activeDialog; d = d.child) {
    if (d.activeDialog.id === SchedulingDialog.id) return (d.child?.stack[0]?.state as { options?: SchedulingOptions } | undefined)?.options;
  }
  return undefined;
}
