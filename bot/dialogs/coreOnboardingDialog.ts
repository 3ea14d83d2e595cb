import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from './botbuilderDialogs';
import { DNS_READINESS, IDENTITY_PLANS, newRequest, validateCore, withEvent, type CoreAnswers } from '../domain/journey';
import { newRequestId } from '../domain/request';
import { CardStep } from './cardStep';
import { errorFields } from './errors';
import type { JourneyDeps } from './journeyDeps';
import { phaseOptions, updateRequest, type PhaseResult } from './phase';
import { existingRequestCard } from '../cards/requestCards';
import { tenantCheckCard } from '../cards/tenantCheckCard';
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
      assessment = await assessTenant(this.deps, options.tenantId);
    } catch (error) {
      this.deps.logger.warn({ tenantId: options.tenantId, err: errorFields(error) }, 'tenant check failed');
      await context.sendActivity(renderer.text(locale, graphFailureText(error)));
      return step.endDialog({} satisfies PhaseResult);
    }
    await context.sendActivity({ attachments: [tenantCheckCard(renderer, locale, assessment, false)] });
    if (!assessment.check.eligible) return step.endDialog({} satisfies PhaseResult);

    const now = this.deps.clock();
    let request = options.requestId ? await requests.update(options.tenantId, options.requestId, (r) => withEvent({ ...r, tenantCheck: assessment.check }, 'tenantChecked', now)) : undefined;
    if (!request) {
      const created = await requests.create(newRequest(newRequestId(this.deps.random(8)), options.requester, options.tenantId, assessment.check, now));
      if (created.outcome === 'exists') {
        await context.sendActivity({ attachments: [existingRequestCard(renderer, locale, created.request, options.requester.aadObjectId)] });
        return step.endDialog({} satisfies PhaseResult);
      }
      request = created.request;
      this.deps.logger.info({ tenantId: options.tenantId, requestId: request.id }, 'request created');
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
