import { ComponentDialog, Dialog, DialogTurnStatus, WaterfallDialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from './botbuilderDialogs';
import type { PhaseId } from '../domain/journey';
import type { PartnerContext } from '../domain/partners';
import { ids, userOf } from '../turnIdentity';
import { requireAdmin } from './adminGate';
import { errorFields } from './errors';
import { authorizeCustomer, PartnerDialog, type PartnerChoice } from './partnerDialog';
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
  /** A partner continuing for this customer (consent granted, a request continued): checked again first. */
  customerTenantId?: string;
}

interface MainValues {
  /** The tenant onboarded: the requester's, or the customer's when a partner asks. */
  tenantId: string;
  requester: PhaseOptions['requester'];
  requestId?: string;
  restart: boolean;
  partner?: PartnerContext;
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
        this.forWhom.bind(this),
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
    this.addDialog(new PartnerDialog(deps));
    this.initialDialogId = 'main.steps';
  }

  /**
   * A partner's journey is authorized on the server at every turn, not only when the customer was
   * picked: the turn must be the partner requester's own, and the delegated-admin relationship with
   * the customer still in force. Otherwise the journey stops with the reason (and a log line).
   */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const values = (innerDc.stack[0]?.state as { values?: MainValues } | undefined)?.values; // the waterfall is at the bottom of the stack
    const partner = values?.partner;
    const sender = userOf(innerDc.context);
    if (values?.requester && sender && sender !== values.requester.aadObjectId && innerDc.context.activity.type === 'message') {
      // Someone else in the conversation (a partner on a customer admin's card, or the other way round): refused, the journey kept.
      this.deps.logger.warn({ ...ids(innerDc.context), requestId: values.requestId }, 'journey action refused: the sender is not the requester');
      await innerDc.context.sendActivity(this.deps.renderer.text(innerDc.context.activity.locale, (s) => s.requesterSide.cardNotYours));
      return Dialog.EndOfTurn;
    }
    if (partner && innerDc.context.activity.type === 'message') {
      const allowed = await authorizeCustomer(this.deps, innerDc.context, partner.tenantId, partner.userId, partner.customerTenantId, partner.customerName);
      if (!allowed) {
        await innerDc.cancelAllDialogs();
        return { status: DialogTurnStatus.complete };
      }
    }
    return super.onContinueDialog(innerDc);
  }

  private async checkAdmin(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const gate = await requireAdmin(step.context, this.deps);
    if (!gate) return step.endDialog();
    const options = (step.options ?? {}) as MainOptions;
    const values = step.values as MainValues;
    values.tenantId = gate.tenantId;
    values.requester = { aadObjectId: gate.userId, name: step.context.activity.from?.name ?? '', tenantId: gate.tenantId };
    values.restart = options.restart === true;
    (values as { asked?: string }).asked = options.requestId;
    if (!this.deps.partners) return step.next();
    if (options.customerTenantId) {
      // Continuing for a customer (consent granted, a card's "continue"): the id came from a card, so it is checked now.
      const partner = await authorizeCustomer(this.deps, step.context, gate.tenantId, gate.userId, options.customerTenantId);
      if (!partner) return step.endDialog();
      return step.next({ kind: 'customer', partner } satisfies PartnerChoice);
    }
    if (options.requestId || !(await this.hasCustomers(step, gate.tenantId))) return step.next();
    return step.beginDialog(PartnerDialog.id, { partnerTenantId: gate.tenantId, userId: gate.userId });
  }

  /** True when the requester's tenant is a partner with delegated-admin customers (a failure reads as no). */
  private async hasCustomers(step: WaterfallStepContext, tenantId: string): Promise<boolean> {
    try {
      return (await this.deps.directory.listCustomers(tenantId)).total > 0;
    } catch (error) {
      this.deps.logger.info({ ...ids(step.context), err: errorFields(error) }, 'delegated-admin customers not readable; asking for the own organization');
      return false;
    }
  }

  /** For whom: the requester's own organization, or (a partner) the customer picked and checked. */
  private async forWhom(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const values = step.values as MainValues;
    const choice = step.result as PartnerChoice | undefined;
    if (choice?.kind === 'customer') {
      values.partner = choice.partner;
      values.tenantId = choice.partner.customerTenantId;
      await step.context.sendActivity(this.deps.renderer.text(step.context.activity.locale, (s) => s.partners.forCustomerIntro, { customer: choice.partner.customerName }));
    }
    return step.next((values as { asked?: string }).asked);
  }

  private async checkExisting(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const values = step.values as MainValues;
    const locale = step.context.activity.locale;
    const asked = step.result as string | undefined;
    if (asked) {
      const request = await this.deps.requests.get(values.tenantId, asked);
      if (!request || request.state === 'Cancelled' || request.requester.aadObjectId !== values.requester.aadObjectId) {
        if (request && request.requester.aadObjectId !== values.requester.aadObjectId) {
          this.deps.logger.warn({ ...ids(step.context), requestId: request.id }, 'continue refused: the request is not the user\'s');
        }
        await step.context.sendActivity(this.deps.renderer.text(locale, (s) => s.messages.requestNotFound));
        return step.endDialog();
      }
      values.requestId = request.id;
      return step.next();
    }
    const open = await this.deps.requests.findOpen(values.tenantId);
    if (open) {
      // One request per tenant: FastTrack cancels duplicates, so the existing one is offered.
      await step.context.sendActivity({ attachments: [existingRequestCard(this.deps.renderer, locale, open, values.requester.aadObjectId, values.requester.tenantId)] });
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
      return step.beginDialog(dialogId, { tenantId: values.tenantId, requestId: values.requestId, requester: values.requester, ...(values.partner ? { partner: values.partner } : {}) } satisfies PhaseOptions);
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
