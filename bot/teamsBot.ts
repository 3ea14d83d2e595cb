import { TeamsActivityHandler, type InvokeResponse, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from './dialogs/botbuilderDialogs';
import type { Strings } from './cards/cardRenderer';
import { CancelMeetingDialog } from './dialogs/cancelMeetingDialog';
import { errorFields } from './dialogs/errors';
import { MainDialog } from './dialogs/mainDialog';
import { SchedulingDialog } from './dialogs/schedulingDialog';
import { answerSearchInvoke, SEARCH_INVOKE } from './dialogs/timeZoneSearch';
import { UserAdoptionDialog } from './dialogs/userAdoptionDialog';
import { intentOf } from './handlers/commands';
import { ConfirmHandler } from './handlers/confirm';
import type { FastTrackBotDeps } from './handlers/handlerDeps';
import { JourneyHandler } from './handlers/journey';
import { MeetingHandler } from './handlers/meetings';
import { invokeVerb, QUESTION_VERB_PREFIX, QuestionHandler } from './handlers/question';
import { StaffHandler } from './handlers/staff';
import { isTriageInvoke, scopeOf, TriageHandler } from './handlers/triage';
import { KeyedSerializer } from './keyedSerializer';
import { markTurnStart } from './turnBudget';
import { isConflict } from './storage/blobStateStorage';
import { ids } from './turnIdentity';

export type { FastTrackBotDeps } from './handlers/handlerDeps';

/** The turn-state key under which botbuilder-dialogs' DialogStateManager keeps its configuration for a turn. */
const DIALOG_STATE_MANAGER_CONFIGURATION = 'DialogStateManagerConfiguration';

/**
 * Routes Teams activities to one handler per family of commands and card verbs (`handlers/`).
 * Installs get the welcome card (or "welcome back" and the current step); interruptions — help,
 * status, cancel (confirmed), start over (confirmed), user adoption, meeting actions — work at every
 * step in every language; everything else continues the active dialog.
 */
export class FastTrackBot extends TeamsActivityHandler {
  private readonly dialogs: DialogSet;
  private readonly turns = new KeyedSerializer();
  /** The dialog state manager's configuration as the library built it on the first turn (memory scopes, path resolvers). */
  private dialogStateConfiguration: object | undefined;
  private readonly journey: JourneyHandler;
  private readonly confirm: ConfirmHandler;
  private readonly meetings: MeetingHandler;
  private readonly questions: QuestionHandler;
  private readonly staff: StaffHandler | undefined;
  private readonly triage: TriageHandler;

  constructor(private readonly deps: FastTrackBotDeps) {
    super();
    this.dialogs = new DialogSet(deps.conversationState.createProperty<DialogState>('dialogState'));
    this.dialogs.add(new MainDialog(deps));
    this.dialogs.add(new UserAdoptionDialog(deps));
    this.dialogs.add(new SchedulingDialog(deps));
    this.dialogs.add(new CancelMeetingDialog(deps));
    this.journey = new JourneyHandler(deps);
    this.confirm = new ConfirmHandler(deps);
    this.meetings = new MeetingHandler(deps);
    this.questions = new QuestionHandler(deps);
    this.staff = deps.staff && new StaffHandler(deps, deps.staff);
    this.triage = new TriageHandler(deps);

    this.onInstallationUpdateAdd(async (context, next) => {
      // A team or group chat: the triage channel registers; anywhere else the bot is for personal use only.
      if (scopeOf(context.activity, deps.triage) !== 'personal') return this.triage.installed(context);
      // A FastTrack person's own chat (staff tenant): their welcome, not the admin journey's.
      if (this.staff?.owns(context)) return this.staff.sendWelcome(context).then(next);
      const dc = await this.dialogs.createContext(context);
      if (dc.activeDialog) {
        // Back after days, a restart or a reload: offer the exact step they left.
        await context.sendActivity(deps.renderer.text(context.activity.locale, (s) => s.messages.welcomeBack));
        await dc.repromptDialog();
      } else {
        await this.journey.sendWelcome(context);
      }
      await next();
    });
    this.onMessage(async (context, next) => {
      // No journey outside personal chats: the triage channel is worked through its cards' actions.
      if (scopeOf(context.activity, deps.triage) !== 'personal') return next();
      if (this.staff?.owns(context)) await this.staff.handleMessage(context);
      else await this.handleMessage(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    // The turn budget counts from here: a turn waiting for the one before it has less left.
    markTurnStart(context);
    // botbuilder-dialogs builds its memory scopes and path resolvers anew in every turn (a service
    // collection per dialog context's first use); they hold no turn data, so the first turn's are reused.
    if (this.dialogStateConfiguration) context.turnState.set(DIALOG_STATE_MANAGER_CONFIGURATION, this.dialogStateConfiguration);
    // Turns of one conversation run one after another in this instance: a double click's second
    // turn sees the state the first one left, instead of racing it.
    await this.turns.run(context.activity.conversation?.id ?? '', async () => {
      await this.keepReference(context);
      await super.run(context);
      this.dialogStateConfiguration ??= context.turnState.get(DIALOG_STATE_MANAGER_CONFIGURATION) as object | undefined;
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

  /** The form's time zone typeahead asks through an `application/search` invoke; triage cards' Universal Actions go to the triage handler. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === SEARCH_INVOKE) return answerSearchInvoke(context, this.deps);
    if (isTriageInvoke(context.activity)) return this.triage.invoke(context);
    // The requester's answer to FastTrack's question card (Universal Actions).
    if (context.activity.name === 'adaptiveCard/action' && invokeVerb(context.activity.value)?.startsWith(QUESTION_VERB_PREFIX)) return this.questions.answer(context);
    return super.onInvokeActivity(context);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const intent = intentOf(context, this.deps.renderer);
    const dc = await this.dialogs.createContext(context);
    switch (intent.kind) {
      case 'confirm':
        return this.confirm.answer(dc, intent.token, intent.yes);
      case 'meeting':
        return this.meetings.handle(dc, intent.verb, intent.eventId);
      case 'command':
        switch (intent.command) {
          case 'request':
            return this.journey.startRequest(dc);
          case 'continue':
            return this.journey.continueJourney(dc, intent.requestId, intent.customerTenantId);
          case 'eligibility':
            return this.journey.showEligibility(context, !dc.activeDialog);
          case 'help':
            return this.journey.sendHelp(dc);
          case 'status':
            return this.journey.showStatus(context);
          case 'adoption':
            return this.journey.startAdoption(dc);
          case 'cancel':
          case 'startOver':
            return this.confirm.ask(dc, intent.command);
          default:
            break;
        }
        break;
      case 'dialog':
        break;
    }
    if (dc.activeDialog) {
      const result = await dc.continueDialog();
      if (result.status !== DialogTurnStatus.empty) return;
    }
    const intro = context.activity.value !== undefined ? (s: Strings) => s.messages.expiredCard : (s: Strings) => s.messages.unknown;
    await context.sendActivity(this.deps.renderer.text(context.activity.locale, intro));
    await this.journey.sendWelcome(context);
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
        // Read once per TTL per conversation (the store's memo); an install always reaches the store:
        // another instance may have removed the reference.
        await this.deps.references.refresh(activity, { force: activity.type === 'installationUpdate' });
      }
    } catch (error) {
      // Proactive messages are a convenience; failing to store a reference must not fail the turn.
      this.deps.logger.warn({ ...ids(context), err: errorFields(error) }, removed ? 'conversation reference not removed' : 'conversation reference not saved');
    }
  }
}
