import type { StatePropertyAccessor } from 'botbuilder';
import type { DialogContext } from 'botbuilder-dialogs';
import { errorFields } from '../dialogs/errors';
import { MainDialog, type MainOptions } from '../dialogs/mainDialog';
import { authorizeCustomer } from '../dialogs/partnerDialog';
import { graphFailureText } from '../dialogs/tenantCheck';
import { withEvent, type Meeting } from '../domain/journey';
import { describeSlot } from '../domain/slots';
import { ids, userOf } from '../turnIdentity';
import { continueOptions, myOpenRequest, myOpenRequestOrStopped, type FastTrackBotDeps } from './handlerDeps';

/** A pending yes/no question (cancel, start over), tied to the card that asked it. */
export interface PendingConfirm {
  purpose: 'cancel' | 'startOver';
  token: string;
  /** Who was asked: only they may answer (another member of a group chat is refused). */
  userId?: string;
}

/**
 * Cancel and start over, each confirmed first. The question's token is kept in conversation state,
 * so an old "yes" card can never cancel a later journey.
 */
export class ConfirmHandler {
  private readonly pending: StatePropertyAccessor<PendingConfirm | undefined>;

  constructor(private readonly deps: FastTrackBotDeps) {
    this.pending = deps.conversationState.createProperty<PendingConfirm | undefined>('pendingConfirm');
  }

  async ask(dc: DialogContext, purpose: PendingConfirm['purpose']): Promise<void> {
    const { renderer } = this.deps;
    const locale = dc.context.activity.locale;
    const { request: mine, stoppedFor } = await myOpenRequestOrStopped(this.deps, dc.context);
    if (!dc.activeDialog && !mine) {
      // A partner's request whose delegated-admin relationship ended or expired: says so (and logs it), not "nothing to cancel".
      if (purpose === 'cancel' && stoppedFor && !(await authorizeCustomer(this.deps, dc.context, stoppedFor.partnerTenantId, stoppedFor.userId, stoppedFor.customerTenantId, stoppedFor.customerName))) return;
      if (purpose === 'startOver') {
        await dc.beginDialog(MainDialog.id, {} satisfies MainOptions);
      } else {
        await dc.context.sendActivity(renderer.text(locale, (s) => s.messages.nothingToCancel));
      }
      return;
    }
    const token = Buffer.from(this.deps.random(6)).toString('hex');
    const userId = userOf(dc.context);
    await this.pending.set(dc.context, { purpose, token, ...(userId ? { userId } : {}) });
    const s = renderer.strings(locale);
    const question = purpose === 'cancel' && mine ? renderer.text(locale, (t) => t.confirm.cancelRequest, { requestId: mine.id }) : s.confirm[purpose];
    await dc.context.sendActivity({ attachments: [renderer.card('confirm', locale, { question, token })] });
  }

  async answer(dc: DialogContext, token: string | undefined, yes: boolean): Promise<void> {
    const { renderer } = this.deps;
    const locale = dc.context.activity.locale;
    const pending = await this.pending.get(dc.context);
    if (!pending || pending.token !== token) {
      await dc.context.sendActivity(renderer.text(locale, (s) => s.messages.staleCard));
      if (dc.activeDialog) await dc.repromptDialog();
      return;
    }
    if (pending.userId && userOf(dc.context) !== pending.userId) {
      this.deps.logger.warn({ ...ids(dc.context), purpose: pending.purpose }, 'confirmation answered by another user: refused');
      await dc.context.sendActivity(renderer.text(locale, (s) => s.requesterSide.cardNotYours));
      return;
    }
    await this.pending.delete(dc.context);
    if (!yes) {
      await dc.context.sendActivity(renderer.text(locale, (s) => s.messages.continuing));
      if (dc.activeDialog) await dc.repromptDialog();
      return;
    }
    const mine = await myOpenRequest(this.deps, dc.context);
    await dc.cancelAllDialogs();
    if (pending.purpose === 'startOver') {
      await dc.beginDialog(MainDialog.id, (mine?.stage === 'onboarding' ? { ...continueOptions(mine), restart: true } : {}) satisfies MainOptions);
      return;
    }
    if (!mine) {
      await dc.context.sendActivity(renderer.text(locale, (s) => s.messages.cancelled));
      return;
    }
    // Its meetings go with it: deleted from the calendar (attendees get Outlook's cancellation), the people freed.
    let cancelled: Meeting[];
    try {
      ({ cancelled } = await this.deps.booking.cancelAll(mine, 'requestCancelled'));
    } catch (error) {
      this.deps.logger.warn({ ...ids(dc.context), requestId: mine.id, err: errorFields(error) }, 'meetings of a cancelled request not cancelled');
      await dc.context.sendActivity(renderer.text(locale, graphFailureText(error)));
      return;
    }
    const now = this.deps.clock();
    await this.deps.requests.update(mine.tenantId, mine.id, (r) => withEvent({ ...r, stage: 'closed' }, 'cancelledByRequester', now, 'Cancelled'));
    this.deps.logger.info({ ...ids(dc.context), requestId: mine.id, meetingsCancelled: cancelled.length }, 'request cancelled by its requester');
    await dc.context.sendActivity(renderer.text(locale, (s) => s.messages.requestCancelled, { requestId: mine.id }));
    if (cancelled.length > 0) {
      const kinds = renderer.strings(locale).meeting.kinds;
      const list = cancelled.map((m) => `${kinds[m.kind]}: ${describeSlot(m, m.adminTimeZone, m.centerTimeZone, renderer.resolve(locale)).adminTime}`).join('; ');
      await dc.context.sendActivity(renderer.text(locale, (s) => s.meeting.requestMeetingsCancelled, { meetings: list }));
    }
  }
}
