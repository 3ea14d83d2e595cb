import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from './botbuilderDialogs';
import { DNS_READINESS, IDENTITY_PLANS, newRequest, validateCore, withEvent, type CoreAnswers } from '../domain/journey';
import { newRequestId } from '../domain/request';
import { CardStep } from './cardStep';
import { turnStartedAt } from '../turnBudget';
import { errorFields } from './errors';
import type { JourneyDeps } from './journeyDeps';
import { phaseOptions, updateRequest, type PhaseResult } from './phase';
import { existingRequestCard } from '../cards/requestCards';
import { tenantCheckCard } from '../cards/tenantCheckCard';
import { consentCard } from '../cards/partnerCards';
import { GraphError } from '../graph/tenantDirectory';
import { assessTenant, graphFailureText } from './tenantCheck';

/**
 * Phase 1, core onboarding: the tenant check (organization, SKUs, domains in one Graph round trip,
 * judged by the eligibility rules), then the admin's answers on identity integration and DNS.
 * An eligible tenant gets its request here; an ineligible one is told exactly why.
 */
export class CoreOnboardingDialog extends ComponentDialog {
  static readonly id = 'coreOnboarding';

  constructor(private readonly deps: JourneyDeps) {
    super(CoreOnboardingDialog.id);
    this.addDialog(new WaterfallDialog('core.steps', [this.checkTenant.bind(this), this.save.bind(this)]));
    this.addDialog(
      new CardStep<CoreAnswers>('core.identity', deps, {
        card: 'identity',
        verb: 'core.identity',
        data: (s, options) => ({
          detected: s.tenantCheck.identity[(options.context?.detected as 'cloudOnly') ?? 'cloudOnly'],
          planChoices: IDENTITY_PLANS.map((id) => ({ title: s.identity.plans[id], value: id })),
          dnsChoices: DNS_READINESS.map((id) => ({ title: s.identity.dnsChoices[id], value: id })),
        }),
        validate: (value) => validateCore(value),
      }),
    );
    this.initialDialogId = 'core.steps';
  }

  private async checkTenant(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = phaseOptions(step);
    const { context } = step;
    const { renderer, requests } = this.deps;
    const locale = context.activity.locale;
    let assessment;
    try {
      // Graph slow, down or throttling past the turn budget: the check goes on in the background.
      const background = this.deps.backgroundTenantCheck;
      const checked = background
        ? await background.assessInTurn({ tenantId: options.tenantId, notify: { tenantId: options.requester.tenantId, userId: options.requester.aadObjectId }, locale, turnStartedAt: turnStartedAt(context) })
        : { assessment: await assessTenant(this.deps, options.tenantId) };
      if ('deferred' in checked) {
        await context.sendActivity(renderer.text(locale, (t) => t.background.stillWorking));
        return step.endDialog({} satisfies PhaseResult);
      }
      assessment = checked.assessment;
    } catch (error) {
      const partners = this.deps.partners;
      if (options.partner && partners && error instanceof GraphError && error.code === 'ConsentRequired') {
        // The customer's admin has not consented to the Graph app: the link to forward, and a durable wait for it.
        const { partner } = options;
        await context.sendActivity({
          attachments: [consentCard(renderer, locale, { customerName: partner.customerName, customerTenantId: partner.customerTenantId, consentUrl: partners.consentUrl(partner.customerTenantId) })],
        });
        await partners.consent.waitFor(partner, renderer.resolve(locale));
        return step.endDialog({} satisfies PhaseResult);
      }
      this.deps.logger.warn({ tenantId: options.tenantId, err: errorFields(error) }, 'tenant check failed');
      await context.sendActivity(renderer.text(locale, graphFailureText(error)));
      return step.endDialog({} satisfies PhaseResult);
    }
    await context.sendActivity({ attachments: [tenantCheckCard(renderer, locale, assessment, false)] });
    if (!assessment.check.eligible) return step.endDialog({} satisfies PhaseResult);

    const now = this.deps.clock();
    let request = options.requestId ? await requests.update(options.tenantId, options.requestId, (r) => withEvent({ ...r, tenantCheck: assessment.check }, 'tenantChecked', now)) : undefined;
    if (!request) {
      const fresh = newRequest(newRequestId(this.deps.random(8)), options.requester, options.tenantId, assessment.check, now);
      const partner = options.partner;
      // A partner's request is the customer's (keyed by the customer's tenant), managed by the partner.
      const created = await requests.create(partner ? { ...fresh, partner: { tenantId: partner.tenantId, organization: partner.tenantId, userId: partner.userId, name: options.requester.name } } : fresh);
      if (created.outcome === 'exists') {
        await context.sendActivity({ attachments: [existingRequestCard(renderer, locale, created.request, options.requester.aadObjectId, options.requester.tenantId)] });
        return step.endDialog({} satisfies PhaseResult);
      }
      request = created.request;
      if (partner) {
        await this.deps.partners?.index.remember(partner.tenantId, partner.userId, { customerTenantId: partner.customerTenantId, customerName: partner.customerName, requestId: request.id, at: now.toISOString() });
      }
      this.deps.logger.info({ tenantId: options.tenantId, requestId: request.id, ...(partner ? { partnerTenantId: partner.tenantId } : {}) }, 'request created');
    }
    (step.values as { requestId?: string }).requestId = request.id;
    return step.beginDialog('core.identity', {
      values: { identityPlan: request.core?.identityPlan ?? assessment.check.detectedIdentity, dnsReady: request.core?.dnsReady ?? '' },
      context: { detected: assessment.check.detectedIdentity },
    });
  }

  private async save(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = { ...phaseOptions(step), requestId: (step.values as { requestId?: string }).requestId };
    const core = step.result as CoreAnswers;
    const now = this.deps.clock();
    const request = await updateRequest(this.deps, options, (r) =>
      withEvent({ ...r, core, phases: { ...r.phases, core: 'done', services: r.phases.services === 'done' ? 'done' : 'inProgress' } }, 'coreOnboardingDone', now),
    );
    return step.endDialog({ requestId: request.id } satisfies PhaseResult);
  }
}
