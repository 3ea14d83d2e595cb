import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from './botbuilderDialogs';
import type { PhaseId } from '../domain/journey';
import { requireAdmin } from './adminGate';
import { CoreOnboardingDialog } from './coreOnboardingDialog';
import type { JourneyDeps } from './journeyDeps';
import type { PhaseOptions, PhaseResult } from './phase';
import { confirmationCard, existingRequestCard } from '../cards/requestCards';
import { RequestFormDialog } from './requestFormDialog';
import { SchedulingDialog, type SchedulingOptions } from './schedulingDialog';
import { ServiceOnboardingDialog } from './serviceOnboardingDialog';

/** How the journey is started: fresh, continuing a request, or starting it over. */
export interface MainOptions {
  requestId?: string;
  /** Start over: walk every phase again, with the earlier answers prefilled. */
  restart?: boolean;
}

interface MainValues {
  tenantId: string;
  requester: PhaseOptions['requester'];
  requestId?: string;
  restart: boolean;
}

/**
 * The request journey, one phase dialog after another: admin check → one request per tenant →
 * core onboarding → service onboarding and migration → the request form → booking the kickoff.
 * Done phases are skipped when a request is continued; user adoption runs beside it (bot-level).
 */
export class MainDialog extends ComponentDialog {
  static readonly id = 'main';

  constructor(private readonly deps: JourneyDeps) {
    super(MainDialog.id);
    this.addDialog(
      new WaterfallDialog('main.steps', [
        this.checkAdmin.bind(this),
        this.checkExisting.bind(this),
        this.phase('core', CoreOnboardingDialog.id),
        this.phase('services', ServiceOnboardingDialog.id),
        this.phase('form', RequestFormDialog.id),
        this.handOff.bind(this),
        this.schedule.bind(this),
      ]),
    );
    this.addDialog(new CoreOnboardingDialog(deps));
    this.addDialog(new ServiceOnboardingDialog(deps));
    this.addDialog(new RequestFormDialog(deps));
    this.addDialog(new SchedulingDialog(deps));
    this.initialDialogId = 'main.steps';
  }

  private async checkAdmin(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const gate = await requireAdmin(step.context, this.deps);
    if (!gate) return step.endDialog();
    const options = (step.options ?? {}) as MainOptions;
    const values = step.values as MainValues;
    values.tenantId = gate.tenantId;
    values.requester = { aadObjectId: gate.userId, name: step.context.activity.from?.name ?? '', tenantId: gate.tenantId };
    values.restart = options.restart === true;
    return step.next(options.requestId);
  }

  private async checkExisting(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const values = step.values as MainValues;
    const locale = step.context.activity.locale;
    const asked = step.result as string | undefined;
    if (asked) {
      const request = await this.deps.requests.get(values.tenantId, asked);
      if (!request || request.state === 'Cancelled' || request.requester.aadObjectId !== values.requester.aadObjectId) {
        await step.context.sendActivity(this.deps.renderer.text(locale, (s) => s.messages.requestNotFound));
        return step.endDialog();
      }
      values.requestId = request.id;
      return step.next();
    }
    const open = await this.deps.requests.findOpen(values.tenantId);
    if (open) {
      // One request per tenant: FastTrack cancels duplicates, so the existing one is offered.
      await step.context.sendActivity({ attachments: [existingRequestCard(this.deps.renderer, locale, open, values.requester.aadObjectId)] });
      return step.endDialog();
    }
    return step.next();
  }

  /** A waterfall step that runs one phase dialog, or skips it when it is done and not restarting. */
  private phase(phase: Exclude<PhaseId, 'adoption'>, dialogId: string) {
    return async (step: WaterfallStepContext): Promise<DialogTurnResult> => {
      const values = step.values as MainValues;
      if (phase !== 'core') {
        const previous = step.result as PhaseResult | undefined;
        if (!previous?.requestId) return step.endDialog();
        values.requestId = previous.requestId;
      }
      if (values.requestId && !values.restart) {
        const request = await this.deps.requests.get(values.tenantId, values.requestId);
        if (request?.phases[phase] === 'done') return step.next({ requestId: values.requestId } satisfies PhaseResult);
      }
      return step.beginDialog(dialogId, { tenantId: values.tenantId, requestId: values.requestId, requester: values.requester } satisfies PhaseOptions);
    };
  }

  private async handOff(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const values = step.values as MainValues;
    const result = step.result as PhaseResult | undefined;
    if (!result?.requestId) return step.endDialog();
    const request = await this.deps.requests.get(values.tenantId, result.requestId);
    if (!request) return step.endDialog();
    await step.context.sendActivity({ attachments: [confirmationCard(this.deps.renderer, step.context.activity.locale, request)] });
    if (request.meetings?.some((m) => m.kind === 'kickoff' && m.status === 'booked')) return step.endDialog(request.id);
    return step.next(request.id);
  }

  /** The request's last step: book the remote onboarding meeting. */
  private async schedule(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const values = step.values as MainValues;
    return step.beginDialog(SchedulingDialog.id, { tenantId: values.tenantId, requestId: step.result as string, requester: values.requester, mode: 'book' } satisfies SchedulingOptions);
  }
}
