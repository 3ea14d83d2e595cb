import { TeamsActivityHandler, type BotState, type InvokeResponse, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogContext, type DialogState } from 'botbuilder-dialogs';
import { z } from 'zod';
import type { Strings } from './cards/cardRenderer';
import { requireAdmin } from './dialogs/adminGate';
import { errorFields } from './dialogs/errors';
import type { JourneyDeps } from './dialogs/journeyDeps';
import { MainDialog, type MainOptions } from './dialogs/mainDialog';
import type { PhaseOptions } from './dialogs/phase';
import { existingRequestCard, statusCard } from './dialogs/requestCards';
import { assessTenant, graphFailureText, tenantCheckCard } from './dialogs/tenantCheck';
import { UserAdoptionDialog } from './dialogs/userAdoptionDialog';
import { CancelMeetingDialog } from './dialogs/cancelMeetingDialog';
import { SchedulingDialog, type SchedulingOptions } from './dialogs/schedulingDialog';
import { answerSearchInvoke, SEARCH_INVOKE } from './dialogs/timeZoneSearch';
import { withEvent, type Meeting, type OnboardingRequest } from './domain/journey';
import { activeMeetings } from './domain/meetings';
import { describeSlot } from './domain/slots';
import { isRequestId } from './domain/request';
import type { ConversationReferenceStore } from './notifications/conversationReferences';
import { ids, tenantOf } from './turnIdentity';
import { isConflict } from './storage/blobStateStorage';
import { KeyedSerializer } from './keyedSerializer';

/** What the bot needs, injected by the composition root (or a test). */
export interface FastTrackBotDeps extends JourneyDeps {
  conversationState: BotState;
  references: ConversationReferenceStore;
}

type Command = keyof Strings['commands'];
const TYPED: readonly Command[] = ['request', 'eligibility', 'help', 'cancel', 'status', 'startOver', 'adoption', 'continue', 'book', 'reschedule'];
// Card verbs that work at any time, whatever dialog is active.
const GLOBAL_VERBS: Record<string, Command> = {
  'request.start': 'request',
  'eligibility.check': 'eligibility',
  'help.show': 'help',
  'status.show': 'status',
  'adoption.start': 'adoption',
  'journey.continue': 'continue',
  'journey.cancel': 'cancel',
  'journey.startOver': 'startOver',
  'meeting.book': 'book',
};
const MEETING_VERBS = ['meeting.reschedule', 'meeting.cancel', 'checkpoints.add'] as const;
const cardValue = z.looseObject({
  verb: z.string().max(64),
  requestId: z.string().max(32).optional(),
  token: z.string().max(32).optional(),
  answer: z.string().max(8).optional(),
  eventId: z.string().max(256).optional(),
});

/** A pending yes/no question (cancel, start over), tied to the card that asked it. */
interface PendingConfirm {
  purpose: 'cancel' | 'startOver';
  token: string;
}

/**
 * Routes Teams activities. Installs get the welcome card (or "welcome back" and the current step);
 * interruptions — help, status, cancel (confirmed), start over (confirmed), user adoption — work at
 * every step in every language; everything else continues the active dialog.
 */
export class FastTrackBot extends TeamsActivityHandler {
  private readonly dialogs: DialogSet;
  private readonly pendingConfirm: StatePropertyAccessor<PendingConfirm | undefined>;
  private readonly turns = new KeyedSerializer();

  constructor(private readonly deps: FastTrackBotDeps) {
    super();
    this.dialogs = new DialogSet(deps.conversationState.createProperty<DialogState>('dialogState'));
    this.dialogs.add(new MainDialog(deps));
    this.dialogs.add(new UserAdoptionDialog(deps));
    this.dialogs.add(new SchedulingDialog(deps));
    this.dialogs.add(new CancelMeetingDialog(deps));
    this.pendingConfirm = deps.conversationState.createProperty<PendingConfirm | undefined>('pendingConfirm');

    this.onInstallationUpdateAdd(async (context, next) => {
      const dc = await this.dialogs.createContext(context);
      if (dc.activeDialog) {
        // Back after days, a restart or a reload: offer the exact step they left.
        await context.sendActivity(deps.renderer.text(context.activity.locale, (s) => s.messages.welcomeBack));
        await dc.repromptDialog();
      } else {
        await this.sendWelcome(context);
      }
      await next();
    });
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    // Turns of one conversation run one after another in this instance: a double click's second
    // turn sees the state the first one left, instead of racing it.
    await this.turns.run(context.activity.conversation?.id ?? '', async () => {
      await this.keepReference(context);
      await super.run(context);
      try {
        await this.deps.conversationState.saveChanges(context, false);
      } catch (error) {
        // The same conversation's turn on another instance wrote first (412): its state wins. Every
        // record this turn changed was written with its own ETag, so nothing it did is lost.
        if (!isConflict(error)) throw error;
        this.deps.logger.warn({ ...ids(context) }, 'dialog state changed by a concurrent turn on another instance; this turn\'s dialog state dropped');
      }
    });
  }

  /** The form's time zone typeahead asks through an `application/search` invoke. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === SEARCH_INVOKE) return answerSearchInvoke(context, this.deps);
    return super.onInvokeActivity(context);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const { renderer } = this.deps;
    const locale = context.activity.locale;
    const parsed = cardValue.safeParse(context.activity.value);
    const value = parsed.success ? parsed.data : undefined;
    const command = (value && GLOBAL_VERBS[value.verb]) || this.commandOf(context);
    const dc = await this.dialogs.createContext(context);

    if (value?.verb === 'confirm.answer') return this.answerConfirm(dc, value.token, value.answer === 'yes');
    const meetingVerb = MEETING_VERBS.find((v) => v === value?.verb);
    if (meetingVerb) return this.meetingAction(dc, meetingVerb, value?.eventId);

    switch (command) {
      case 'request':
        await dc.cancelAllDialogs();
        await dc.beginDialog(MainDialog.id, {} satisfies MainOptions);
        return;
      case 'continue':
        return this.continueJourney(dc, value?.requestId);
      case 'eligibility':
        return this.showEligibility(context, !dc.activeDialog);
      case 'help':
        await context.sendActivity({ attachments: [renderer.card('help', locale, { inJourney: Boolean(dc.activeDialog) })] });
        return;
      case 'status':
        return this.showStatus(context);
      case 'adoption':
        return this.startAdoption(dc);
      case 'book':
        return this.meetingAction(dc, 'meeting.book', undefined);
      case 'reschedule':
        return this.meetingAction(dc, 'meeting.reschedule', undefined);
      case 'cancel':
      case 'startOver':
        return this.askConfirm(dc, command);
      default:
        break;
    }

    if (dc.activeDialog) {
      const result = await dc.continueDialog();
      if (result.status !== DialogTurnStatus.empty) return;
    }
    const intro = context.activity.value !== undefined ? (s: Strings) => s.messages.expiredCard : (s: Strings) => s.messages.unknown;
    await context.sendActivity(renderer.text(locale, intro));
    await this.sendWelcome(context);
  }

  /** The welcome card; it offers to continue when the user has a request still being filled in. */
  private async sendWelcome(context: TurnContext): Promise<void> {
    const mine = await this.myOpenRequest(context).catch(() => undefined);
    const resumeRequestId = mine?.stage === 'onboarding' ? mine.id : '';
    await context.sendActivity({ attachments: [this.deps.renderer.card('welcome', context.activity.locale, { resumeRequestId })] });
  }

  private async continueJourney(dc: DialogContext, requestId: string | undefined): Promise<void> {
    if (dc.activeDialog && !requestId) {
      await dc.repromptDialog();
      return;
    }
    const mine = isRequestId(requestId) ? requestId : (await this.myOpenRequest(dc.context))?.id;
    await dc.cancelAllDialogs();
    await dc.beginDialog(MainDialog.id, { ...(mine ? { requestId: mine } : {}) } satisfies MainOptions);
  }

  private async askConfirm(dc: DialogContext, purpose: PendingConfirm['purpose']): Promise<void> {
    const { renderer } = this.deps;
    const locale = dc.context.activity.locale;
    const mine = await this.myOpenRequest(dc.context);
    if (!dc.activeDialog && !mine) {
      if (purpose === 'startOver') {
        await dc.beginDialog(MainDialog.id, {} satisfies MainOptions);
      } else {
        await dc.context.sendActivity(renderer.text(locale, (s) => s.messages.nothingToCancel));
      }
      return;
    }
    const token = Buffer.from(this.deps.random(6)).toString('hex');
    await this.pendingConfirm.set(dc.context, { purpose, token });
    const s = renderer.strings(locale);
    const question = purpose === 'cancel' && mine ? renderer.text(locale, (t) => t.confirm.cancelRequest, { requestId: mine.id }) : s.confirm[purpose];
    await dc.context.sendActivity({ attachments: [renderer.card('confirm', locale, { question, token })] });
  }

  private async answerConfirm(dc: DialogContext, token: string | undefined, yes: boolean): Promise<void> {
    const { renderer, requests } = this.deps;
    const locale = dc.context.activity.locale;
    const pending = await this.pendingConfirm.get(dc.context);
    if (!pending || pending.token !== token) {
      await dc.context.sendActivity(renderer.text(locale, (s) => s.messages.staleCard));
      if (dc.activeDialog) await dc.repromptDialog();
      return;
    }
    await this.pendingConfirm.delete(dc.context);
    if (!yes) {
      await dc.context.sendActivity(renderer.text(locale, (s) => s.messages.continuing));
      if (dc.activeDialog) await dc.repromptDialog();
      return;
    }
    const mine = await this.myOpenRequest(dc.context);
    await dc.cancelAllDialogs();
    if (pending.purpose === 'startOver') {
      await dc.beginDialog(MainDialog.id, (mine?.stage === 'onboarding' ? { requestId: mine.id, restart: true } : {}) satisfies MainOptions);
      return;
    }
    if (mine) {
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
      await requests.update(mine.tenantId, mine.id, (r) => withEvent({ ...r, stage: 'closed' }, 'cancelledByRequester', now, 'Cancelled'));
      this.deps.logger.info({ ...ids(dc.context), requestId: mine.id, meetingsCancelled: cancelled.length }, 'request cancelled by its requester');
      await dc.context.sendActivity(renderer.text(locale, (s) => s.messages.requestCancelled, { requestId: mine.id }));
      if (cancelled.length > 0) {
        const kinds = renderer.strings(locale).meeting.kinds;
        const list = cancelled.map((m) => `${kinds[m.kind]}: ${describeSlot(m, m.adminTimeZone, m.centerTimeZone, renderer.resolve(locale)).adminTime}`).join('; ');
        await dc.context.sendActivity(renderer.text(locale, (s) => s.meeting.requestMeetingsCancelled, { meetings: list }));
      }
    } else {
      await dc.context.sendActivity(renderer.text(locale, (s) => s.messages.cancelled));
    }
  }

  private async startAdoption(dc: DialogContext): Promise<void> {
    const locale = dc.context.activity.locale;
    const request = await this.myOpenRequest(dc.context);
    if (!request) {
      await dc.context.sendActivity(this.deps.renderer.text(locale, (s) => s.messages.adoptionNeedsRequest));
      return;
    }
    if (dc.activeDialog?.id === UserAdoptionDialog.id) {
      await dc.repromptDialog();
      return;
    }
    // Pushed on top of whatever runs: when adoption ends, the dialog below resumes at its step.
    await dc.beginDialog(UserAdoptionDialog.id, { tenantId: request.tenantId, requestId: request.id, requester: request.requester } satisfies PhaseOptions);
  }

  /** Book, move or cancel a meeting, or add checkpoints: on top of whatever runs, like adoption. */
  private async meetingAction(dc: DialogContext, verb: 'meeting.book' | (typeof MEETING_VERBS)[number], eventId: string | undefined): Promise<void> {
    const { renderer } = this.deps;
    const locale = dc.context.activity.locale;
    const request = await this.myOpenRequest(dc.context);
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
    if (verb === 'checkpoints.add' && !kickoff) {
      await dc.context.sendActivity(renderer.text(locale, (s) => s.scheduling.noMeeting));
      return;
    }
    if (verb !== 'meeting.book' && verb !== 'checkpoints.add' && !meeting) {
      await dc.context.sendActivity(renderer.text(locale, (s) => s.scheduling.noMeeting));
      return;
    }
    if (open) await dc.cancelAllDialogs();
    // The scheduling dialog itself refuses a second kickoff or series and shows the one booked.
    if (wanted) await dc.beginDialog(SchedulingDialog.id, wanted);
    else await dc.beginDialog(CancelMeetingDialog.id, { ...base, mode: 'reschedule', eventId: meeting!.eventId } satisfies SchedulingOptions);
  }

  private async showStatus(context: TurnContext): Promise<void> {
    const locale = context.activity.locale;
    const tenantId = tenantOf(context);
    const open = tenantId ? await this.deps.requests.findOpen(tenantId) : undefined;
    if (!open) {
      await context.sendActivity(this.deps.renderer.text(locale, (s) => s.messages.noRequest));
      return;
    }
    const userId = context.activity.from?.aadObjectId ?? '';
    const attachment = open.requester.aadObjectId === userId ? statusCard(this.deps.renderer, locale, open) : existingRequestCard(this.deps.renderer, locale, open, userId);
    await context.sendActivity({ attachments: [attachment] });
  }

  private async showEligibility(context: TurnContext, offerRequest: boolean): Promise<void> {
    const gate = await requireAdmin(context, this.deps);
    if (!gate) return;
    try {
      const assessment = await assessTenant(this.deps, gate.tenantId);
      await context.sendActivity({ attachments: [tenantCheckCard(this.deps.renderer, context.activity.locale, assessment, offerRequest && assessment.check.eligible)] });
    } catch (error) {
      this.deps.logger.warn({ ...ids(context), err: errorFields(error) }, 'tenant check failed');
      await context.sendActivity(this.deps.renderer.text(context.activity.locale, graphFailureText(error)));
    }
  }

  /** The tenant's open request when this user is its requester. */
  private async myOpenRequest(context: TurnContext): Promise<OnboardingRequest | undefined> {
    const tenantId = tenantOf(context);
    const userId = context.activity.from?.aadObjectId;
    if (!tenantId || !userId) return undefined;
    const open = await this.deps.requests.findOpen(tenantId);
    return open?.requester.aadObjectId === userId ? open : undefined;
  }

  /** A typed command in English or in the user's language ("help", "帮助"), mentions removed. */
  private commandOf(context: TurnContext): Command | undefined {
    const text = (context.activity.text ?? '')
      .replace(/<at>.*?<\/at>/g, '')
      .trim()
      .toLowerCase();
    if (!text || text.length > 40) return undefined;
    const localized = this.deps.renderer.strings(context.activity.locale).commands;
    const english = this.deps.renderer.strings('en-US').commands;
    return TYPED.find((c) => text === english[c] || text === localized[c].toLowerCase());
  }

  /**
   * Every activity refreshes the conversation reference (the service URL can change; a write only
   * when something changed); an uninstall removes it, so nothing is sent there afterwards.
   */
  private async keepReference(context: TurnContext): Promise<void> {
    const { activity } = context;
    const removed = activity.type === 'installationUpdate' && typeof activity.action === 'string' && activity.action.startsWith('remove');
    try {
      if (removed) {
        const forgotten = await this.deps.references.forget(activity);
        this.deps.logger.info({ ...ids(context), forgotten }, 'app uninstalled: conversation reference removed');
      } else {
        await this.deps.references.refresh(activity);
      }
    } catch (error) {
      // Proactive messages are a convenience; failing to store a reference must not fail the turn.
      this.deps.logger.warn({ ...ids(context), err: errorFields(error) }, removed ? 'conversation reference not removed' : 'conversation reference not saved');
    }
  }
}

/** The options of the scheduling dialog open at the top of the stack (nested in the journey or not). */
function openScheduling(dc: DialogContext): SchedulingOptions | undefined {
  for (let d: DialogContext | undefined = dc; d?.activeDialog; d = d.child) {
    if (d.activeDialog.id === SchedulingDialog.id) return (d.child?.stack[0]?.state as { options?: SchedulingOptions } | undefined)?.options;
  }
  return undefined;
}

export { ids } from './turnIdentity';
