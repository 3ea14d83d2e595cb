import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from './botbuilderDialogs';
import { Checker, readValues } from '../domain/forms';
import { describeSlot } from '../domain/slots';
import { CardStep } from './cardStep';
import type { JourneyDeps } from './journeyDeps';
import { loadRequest } from './phase';
import type { SchedulingOptions } from './schedulingDialog';

const REASONS = ['scheduleConflict', 'notReady', 'wrongPeople', 'other'] as const;

/** Cancels a booked meeting from chat: asks why, deletes the event, frees the ledger, records the reason. */
export class CancelMeetingDialog extends ComponentDialog {
  static readonly id = 'cancelMeeting';

  constructor(private readonly deps: JourneyDeps) {
    super(CancelMeetingDialog.id);
    this.addDialog(new WaterfallDialog('cancelMeeting.steps', [this.ask.bind(this), this.cancel.bind(this)]));
    this.addDialog(
      new CardStep<{ reason: string; details: string }>('cancelMeeting.card', deps, {
        card: 'meetingCancel',
        verb: 'meetingCancel.submit',
        data: (s, options) => ({ meeting: options.context?.meeting ?? '', reasonChoices: REASONS.map((id) => ({ title: s.meetingCancel.reasons[id], value: id })) }),
        validate: (value) => {
          const c = new Checker(readValues(value, ['reason', 'details']));
          const reason = c.oneOf('reason', REASONS);
          if ((c.values.details ?? '').length > 500) c.refuse('details', 'tooLong');
          return c.done(() => ({ reason: reason!, details: c.values.details ?? '' }));
        },
      }),
    );
    this.initialDialogId = 'cancelMeeting.steps';
  }

  private async ask(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as SchedulingOptions;
    const request = await loadRequest(this.deps, options);
    const meeting = request.meetings?.find((m) => m.eventId === options.eventId && m.status === 'booked');
    const locale = step.context.activity.locale;
    if (!meeting) {
      await step.context.sendActivity(this.deps.renderer.text(locale, (t) => t.scheduling.noMeeting));
      return step.endDialog();
    }
    const d = describeSlot(meeting, meeting.adminTimeZone, meeting.centerTimeZone, this.deps.renderer.resolve(locale));
    return step.beginDialog('cancelMeeting.card', { values: { reason: '', details: '' }, context: { meeting: `${d.adminTime} · ${meeting.person.name}` } });
  }

  private async cancel(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as SchedulingOptions;
    const answer = step.result as { reason: string; details: string };
    let request = await loadRequest(this.deps, options);
    const meeting = request.meetings?.find((m) => m.eventId === options.eventId && m.status === 'booked');
    const locale = step.context.activity.locale;
    if (!meeting) {
      await step.context.sendActivity(this.deps.renderer.text(locale, (t) => t.scheduling.noMeeting));
      return step.endDialog();
    }
    const reason = answer.details ? `${answer.reason}: ${answer.details}` : answer.reason;
    request = (await this.deps.booking.cancel(request, meeting, reason)).request;
    this.deps.logger.info({ tenantId: request.tenantId, requestId: request.id, eventId: meeting.eventId, reason: answer.reason }, 'meeting cancelled by the admin');
    const d = describeSlot(meeting, meeting.adminTimeZone, meeting.centerTimeZone, this.deps.renderer.resolve(locale));
    await step.context.sendActivity(this.deps.renderer.text(locale, (t) => t.meeting.cancelled, { when: d.adminTime }));
    return step.endDialog();
  }
}
