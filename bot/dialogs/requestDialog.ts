import { randomBytes } from 'node:crypto';
import { ComponentDialog, WaterfallDialog, type WaterfallStepContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { CardRenderer } from '../cards/cardRenderer';
import { newRequestId, type OnboardingRequest, type RequestForm } from '../domain/request';
import type { TenantDirectory } from '../graph/tenantDirectory';
import type { Logger } from '../logger';
import { tenantOf } from '../notifications/conversationReferences';
import type { RequestRepository } from '../storage/requestRepository';
import { RequestFormPrompt } from './requestFormPrompt';
import { graphFailureText, summarizeTenant, tenantSummaryCard } from './tenantSummary';

/** What the request dialog needs, injected by the composition root (or a test). */
export interface RequestDialogDeps {
  directory: TenantDirectory;
  requests: RequestRepository;
  renderer: CardRenderer;
  logger: Logger;
  random?: (size: number) => Uint8Array;
  clock?: () => Date;
}

interface StepValues {
  requestId: string;
  summary: OnboardingRequest['tenantSummary'];
}

/** A thin FastTrack request: read the tenant, show it, collect the form, store the request, confirm. */
export class RequestDialog extends ComponentDialog {
  static readonly id = 'request';
  private readonly random: (size: number) => Uint8Array;
  private readonly clock: () => Date;

  constructor(private readonly deps: RequestDialogDeps) {
    super(RequestDialog.id);
    this.random = deps.random ?? randomBytes;
    this.clock = deps.clock ?? (() => new Date());
    this.addDialog(new WaterfallDialog('request.steps', [this.readTenant.bind(this), this.store.bind(this)]));
    this.addDialog(new RequestFormPrompt('request.form', deps.renderer));
    this.initialDialogId = 'request.steps';
  }

  private async readTenant(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { context } = step;
    const { renderer, directory } = this.deps;
    const locale = context.activity.locale;
    const tenantId = tenantOf(context);
    if (!tenantId) {
      await context.sendActivity(renderer.text(locale, (s) => s.messages.noTenant));
      return step.endDialog();
    }
    const userId = context.activity.from?.aadObjectId;
    await context.sendActivity({ type: 'typing' });
    const log = this.deps.logger.child({ tenantId, conversationId: context.activity.conversation?.id });
    let tenant;
    let user;
    try {
      [tenant, user] = await Promise.all([
        directory.getTenantProfile(tenantId),
        // The form is only prefilled from the user's profile: a failure here must not stop the request.
        userId
          ? directory.getUserProfile(tenantId, userId).catch((error: unknown) => {
              log.warn({ err: errorFields(error) }, 'user profile unavailable; form not prefilled');
              return undefined;
            })
          : undefined,
      ]);
    } catch (error) {
      log.warn({ err: errorFields(error) }, 'tenant profile unavailable');
      await context.sendActivity(renderer.text(locale, graphFailureText(error)));
      return step.endDialog();
    }
    await context.sendActivity({ attachments: [tenantSummaryCard(renderer, locale, tenant)] });

    const values = step.values as StepValues;
    values.requestId = newRequestId(this.random(8));
    values.summary = summarizeTenant(tenant);
    return step.beginDialog('request.form', {
      requestId: values.requestId,
      values: {
        contactName: user?.displayName ?? context.activity.from?.name ?? '',
        contactEmail: user?.mail ?? '',
        services: '',
        preferredLanguage: renderer.resolve(user?.preferredLanguage ?? locale),
      },
    });
  }

  private async store(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { context } = step;
    const { renderer, requests } = this.deps;
    const locale = context.activity.locale;
    const form = step.result as RequestForm;
    const values = step.values as StepValues;
    const tenantId = tenantOf(context)!;
    const now = this.clock().toISOString();
    const request: OnboardingRequest = {
      id: values.requestId,
      tenantId,
      requester: { aadObjectId: context.activity.from?.aadObjectId ?? '', name: context.activity.from?.name ?? '' },
      form,
      tenantSummary: values.summary,
      state: 'Submitted',
      createdAt: now,
      history: [{ at: now, state: 'Submitted' }],
    };
    const outcome = await requests.create(request);
    this.deps.logger.info({ tenantId, requestId: request.id, conversationId: context.activity.conversation?.id, outcome }, 'request stored');
    const stored = outcome === 'created' ? request : ((await requests.get(tenantId, request.id)) ?? request);
    await context.sendActivity({ attachments: [confirmationCard(renderer, locale, stored)] });
    return step.endDialog(stored.id);
  }
}

/** The confirmation card of a stored request. */
export function confirmationCard(renderer: CardRenderer, locale: string | undefined, request: OnboardingRequest) {
  const s = renderer.strings(locale);
  return renderer.card('confirmation', locale, {
    body: renderer.text(locale, (t) => t.confirmation.body, { name: request.form.contactName, organization: request.tenantSummary.displayName }),
    requestId: request.id,
    organization: request.tenantSummary.displayName,
    contact: `${request.form.contactName} <${request.form.contactEmail}>`,
    services: request.form.services.map((id) => s.services[id]).join(', '),
    language: s.languages[request.form.preferredLanguage],
    state: s.states[request.state],
  });
}

/** Loggable facts of an error: name, status and code, never a message that might hold user data. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; status?: unknown; code?: unknown; statusCode?: unknown };
    return { name: e.name, status: e.status ?? e.statusCode, code: e.code };
  }
  return { name: typeof error };
}
