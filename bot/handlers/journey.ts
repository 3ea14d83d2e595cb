import type { TurnContext } from 'botbuilder';
import type { DialogContext } from 'botbuilder-dialogs';
import { requireAdmin } from '../dialogs/adminGate';
import { errorFields } from '../dialogs/errors';
import { MainDialog, type MainOptions } from '../dialogs/mainDialog';
import { authorizeCustomer } from '../dialogs/partnerDialog';
import type { PhaseOptions } from '../dialogs/phase';
import { existingRequestCard, statusCard } from '../cards/requestCards';
import { tenantCheckCard } from '../cards/tenantCheckCard';
import { assessTenant, graphFailureText } from '../dialogs/tenantCheck';
import { UserAdoptionDialog } from '../dialogs/userAdoptionDialog';
import type { OnboardingRequest } from '../domain/journey';
import { activeMeeting, type MeetingKind } from '../domain/meetings';
import { isRequestId } from '../domain/request';
import { ids, tenantOf, userOf } from '../turnIdentity';
import { continueOptions, myOpenRequest, myOpenRequestOrStopped, type FastTrackBotDeps } from './handlerDeps';

/** The journey's commands: start a request, continue it, status, eligibility, help, adoption, welcome. */
export class JourneyHandler {
  constructor(private readonly deps: FastTrackBotDeps) {}

  async startRequest(dc: DialogContext): Promise<void> {
    await dc.cancelAllDialogs();
    await dc.beginDialog(MainDialog.id, {} satisfies MainOptions);
  }

  /** The welcome card; it offers to continue when the user has a request still being filled in. */
  async sendWelcome(context: TurnContext): Promise<void> {
    const mine = await myOpenRequest(this.deps, context).catch(() => undefined);
    const resumeRequestId = mine?.stage === 'onboarding' ? mine.id : '';
    await context.sendActivity({ attachments: [this.deps.renderer.card('welcome', context.activity.locale, { resumeRequestId })] });
  }

  async sendHelp(dc: DialogContext): Promise<void> {
    await dc.context.sendActivity({ attachments: [this.deps.renderer.card('help', dc.context.activity.locale, { inJourney: Boolean(dc.activeDialog) })] });
  }

  /** `customerTenantId`: a partner continuing for that customer (MainDialog checks the relationship first). */
  async continueJourney(dc: DialogContext, requestId: string | undefined, customerTenantId?: string): Promise<void> {
    if (dc.activeDialog && !requestId && !customerTenantId) {
      await dc.repromptDialog();
      return;
    }
    // A request id without its customer (the welcome card's "continue"): a partner's own request names it.
    const open = customerTenantId ? undefined : await myOpenRequest(this.deps, dc.context);
    const options: MainOptions = customerTenantId
      ? { ...(isRequestId(requestId) ? { requestId } : {}), customerTenantId }
      : open && (!isRequestId(requestId) || open.id === requestId)
        ? continueOptions(open)
        : isRequestId(requestId)
          ? { requestId }
          : {};
    await dc.cancelAllDialogs();
    await dc.beginDialog(MainDialog.id, options);
  }

  async startAdoption(dc: DialogContext): Promise<void> {
    const locale = dc.context.activity.locale;
    const { request, stoppedFor } = await myOpenRequestOrStopped(this.deps, dc.context);
    if (!request) {
      // A partner's request whose delegated-admin relationship ended or expired: says so (and logs it).
      if (stoppedFor && !(await authorizeCustomer(this.deps, dc.context, stoppedFor.partnerTenantId, stoppedFor.userId, stoppedFor.customerTenantId, stoppedFor.customerName))) return;
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

  /** The requester sees their timeline; another admin of the tenant sees who has the request. */
  async showStatus(context: TurnContext): Promise<void> {
    const locale = context.activity.locale;
    const tenantId = tenantOf(context);
    const open = tenantId ? await this.deps.requests.findOpen(tenantId) : undefined;
    const userId = userOf(context) ?? '';
    if (!open) {
      // A partner: the open requests it manages for customers, each under the customer's tenant.
      const managed = tenantId && userId ? await this.managedRequests(tenantId, userId) : [];
      if (managed.length > 0) {
        const shown = await Promise.all(managed.map(async (r) => statusCard(this.deps.renderer, locale, r, { booking: await this.bookingsInProgress(r) })));
        await context.sendActivity({ attachments: shown });
        return;
      }
      await context.sendActivity(this.deps.renderer.text(locale, (s) => s.messages.noRequest));
      return;
    }
    const attachment =
      open.requester.aadObjectId === userId ? statusCard(this.deps.renderer, locale, open, { booking: await this.bookingsInProgress(open) }) : existingRequestCard(this.deps.renderer, locale, open, userId);
    await context.sendActivity({ attachments: [attachment] });
  }

  /** The meeting kinds whose booking is being finished in the background (the status says so, not "no meeting"); a failed read counts as none. */
  private async bookingsInProgress(request: OnboardingRequest): Promise<MeetingKind[]> {
    const background = this.deps.background;
    if (!background) return [];
    const kinds: MeetingKind[] = [];
    for (const kind of ['kickoff', 'checkpoint'] as const) {
      try {
        if (!activeMeeting(request, kind) && (await background.pending(request, kind))) kinds.push(kind);
      } catch (error) {
        this.deps.logger.warn({ tenantId: request.tenantId, requestId: request.id, kind, err: errorFields(error) }, 'background booking state not readable for status');
      }
    }
    return kinds;
  }

  /** The open requests a partner user manages (the partner index, each checked against the customer's open request). */
  private async managedRequests(partnerTenantId: string, userId: string): Promise<OnboardingRequest[]> {
    const entries = (await this.deps.partners?.index.list(partnerTenantId, userId)) ?? [];
    const customers = [...new Set(entries.map((e) => e.customerTenantId))].slice(-5);
    const open = await Promise.all(customers.map((c) => this.deps.requests.findOpen(c)));
    return open.filter((r): r is OnboardingRequest => r !== undefined && r.requester.aadObjectId === userId && r.partner?.tenantId === partnerTenantId);
  }

  async showEligibility(context: TurnContext, offerRequest: boolean): Promise<void> {
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
}
