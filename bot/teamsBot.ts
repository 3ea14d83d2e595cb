import { TeamsActivityHandler, type BotState, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type Dialog, type DialogState } from 'botbuilder-dialogs';
import { z } from 'zod';
import type { CardRenderer, Strings } from './cards/cardRenderer';
import { confirmationCard, errorFields } from './dialogs/requestDialog';
import { graphFailureText, tenantSummaryCard } from './dialogs/tenantSummary';
import { isRequestId } from './domain/request';
import type { TenantDirectory } from './graph/tenantDirectory';
import type { Logger } from './logger';
import { tenantOf, type ConversationReferenceStore } from './notifications/conversationReferences';
import type { RequestRepository } from './storage/requestRepository';

/** What the bot needs, injected by the composition root (or a test). */
export interface FastTrackBotDeps {
  conversationState: BotState;
  requestDialog: Dialog;
  directory: TenantDirectory;
  requests: RequestRepository;
  references: ConversationReferenceStore;
  renderer: CardRenderer;
  logger: Logger;
}

type Command = keyof Strings['commands'];
const COMMANDS: readonly Command[] = ['request', 'eligibility', 'help', 'cancel'];
// Card verbs that work at any time, whatever dialog is active.
const GLOBAL_VERBS: Record<string, Command> = { 'request.start': 'request', 'eligibility.check': 'eligibility', 'help.show': 'help' };
const cardValue = z.looseObject({ verb: z.string().max(64), requestId: z.string().max(32).optional() });

/** Routes Teams activities: installs to the welcome card, card actions and commands to dialogs and handlers. */
export class FastTrackBot extends TeamsActivityHandler {
  private readonly dialogs: DialogSet;

  constructor(private readonly deps: FastTrackBotDeps) {
    super();
    this.dialogs = new DialogSet(deps.conversationState.createProperty<DialogState>('dialogState'));
    this.dialogs.add(deps.requestDialog);

    this.onInstallationUpdateAdd(async (context, next) => {
      await this.remember(context);
      await context.sendActivity({ attachments: [deps.renderer.card('welcome', context.activity.locale)] });
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      // Welcomed on installationUpdate; here only keep the reference for proactive messages.
      if (context.activity.membersAdded?.some((m) => m.id === context.activity.recipient.id)) await this.remember(context);
      await next();
    });
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    try {
      await this.deps.conversationState.saveChanges(context, false);
    } catch (error) {
      // Two turns of one conversation at once (a double click): the first one's state wins.
      if (error instanceof Error && /eTag conflict/i.test(error.message)) {
        this.deps.logger.warn({ ...ids(context) }, 'dialog state changed by a concurrent turn; this turn\'s state change dropped');
      } else {
        throw error;
      }
    }
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const { renderer } = this.deps;
    const locale = context.activity.locale;
    const value = cardValue.safeParse(context.activity.value);
    const verb = value.success ? value.data.verb : undefined;
    const command = (verb && GLOBAL_VERBS[verb]) || this.commandOf(context);
    const dc = await this.dialogs.createContext(context);

    switch (command) {
      case 'request':
        await this.remember(context);
        await dc.cancelAllDialogs();
        await dc.beginDialog(this.deps.requestDialog.id);
        return;
      case 'eligibility':
        await this.showTenant(context);
        return;
      case 'help':
        await context.sendActivity({ attachments: [renderer.card('help', locale)] });
        return;
      case 'cancel':
        if (dc.activeDialog) {
          await dc.cancelAllDialogs();
          await context.sendActivity(renderer.text(locale, (s) => s.messages.cancelled));
        } else {
          await context.sendActivity({ attachments: [renderer.card('help', locale)] });
        }
        return;
      default:
        break;
    }

    if (dc.activeDialog) {
      const result = await dc.continueDialog();
      if (result.status !== DialogTurnStatus.empty) return;
    }
    if (verb === 'request.submit') {
      await this.staleSubmit(context, value.success ? value.data.requestId : undefined);
      return;
    }
    const intro = context.activity.value !== undefined ? (s: Strings) => s.messages.expiredCard : (s: Strings) => s.messages.unknown;
    await context.sendActivity(renderer.text(locale, intro));
    await context.sendActivity({ attachments: [renderer.card('welcome', locale)] });
  }

  /** A submit of a form that is no longer waiting: a double click shows the stored request again. */
  private async staleSubmit(context: TurnContext, requestId: string | undefined): Promise<void> {
    const { renderer, requests } = this.deps;
    const locale = context.activity.locale;
    const tenantId = tenantOf(context);
    const stored = tenantId && isRequestId(requestId) ? await requests.get(tenantId, requestId) : undefined;
    if (stored) {
      await context.sendActivity(renderer.text(locale, (s) => s.confirmation.alreadySubmitted));
      await context.sendActivity({ attachments: [confirmationCard(renderer, locale, stored)] });
    } else {
      await context.sendActivity(renderer.text(locale, (s) => s.messages.formNotActive));
    }
  }

  private async showTenant(context: TurnContext): Promise<void> {
    const { renderer, directory } = this.deps;
    const locale = context.activity.locale;
    const tenantId = tenantOf(context);
    if (!tenantId) {
      await context.sendActivity(renderer.text(locale, (s) => s.messages.noTenant));
      return;
    }
    await context.sendActivity({ type: 'typing' });
    try {
      const tenant = await directory.getTenantProfile(tenantId);
      await context.sendActivity({ attachments: [tenantSummaryCard(renderer, locale, tenant)] });
    } catch (error) {
      this.deps.logger.warn({ ...ids(context), err: errorFields(error) }, 'tenant profile unavailable');
      await context.sendActivity(renderer.text(locale, graphFailureText(error)));
    }
  }

  /** A typed command in English or in the user's language ("help", "帮助"), mentions removed. */
  private commandOf(context: TurnContext): Command | undefined {
    const text = (context.activity.text ?? '')
      .replace(/<at>.*?<\/at>/g, '')
      .trim()
      .toLowerCase();
    if (!text) return undefined;
    const localized = this.deps.renderer.strings(context.activity.locale).commands;
    const english = this.deps.renderer.strings('en-US').commands;
    return COMMANDS.find((c) => text === english[c] || text === localized[c].toLowerCase());
  }

  private async remember(context: TurnContext): Promise<void> {
    try {
      await this.deps.references.save(context);
    } catch (error) {
      // Proactive messages are a convenience; failing to store a reference must not fail the turn.
      this.deps.logger.warn({ ...ids(context), err: errorFields(error) }, 'conversation reference not saved');
    }
  }
}

/** The ids a log line of a turn carries. */
export function ids(context: TurnContext): { tenantId: string | undefined; conversationId: string | undefined; activityId: string | undefined } {
  return { tenantId: tenantOf(context), conversationId: context.activity.conversation?.id, activityId: context.activity.id };
}
