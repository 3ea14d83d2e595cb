import type { TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from './botbuilderDialogs';
import { z } from 'zod';
import type { Strings } from '../cards/cardRenderer';
import { customersCard, partnerChoiceCard } from '../cards/partnerCards';
import { refusalOf, type PartnerContext } from '../domain/partners';
import type { CustomerPage } from '../graph/tenantDirectory';
import { ids, tenantOf, userOf } from '../turnIdentity';
import { errorFields } from './errors';
import type { JourneyDeps } from './journeyDeps';
import { graphFailureText } from './tenantCheck';

/** How the partner dialog is started: the partner's tenant and user (the requester). */
export interface PartnerDialogOptions {
  partnerTenantId: string;
  userId: string;
}

/** What it ends with: the partner asks for itself, or for one current customer. */
export type PartnerChoice = { kind: 'self' } | { kind: 'customer'; partner: PartnerContext };

interface PartnerDialogState extends PartnerDialogOptions {
  stage: 'choice' | 'customers';
  token: string;
  search: string;
  page: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const submitSchema = z.looseObject({
  verb: z.enum(['partner.for', 'partner.search', 'partner.page', 'partner.pick']),
  token: z.string().max(32),
  for: z.enum(['self', 'customer']).optional(),
  search: z.string().max(400).optional(),
  page: z.union([z.string().regex(/^\d{1,5}$/), z.number().int().min(0).max(99999)]).optional(),
  customerTenantId: z.string().max(64).optional(),
});

/**
 * A partner's first question, then My customers: "for my organization" or "for a customer"; the
 * customers card searches by name or domain and pages. A pick is checked on the server against the
 * partner's current delegated-admin relationships (a replayed or forged id is refused and logged).
 */
export class PartnerDialog extends Dialog<PartnerDialogOptions> {
  static readonly id = 'partner';

  constructor(private readonly deps: JourneyDeps) {
    super(PartnerDialog.id);
  }

  private token(): string {
    return Buffer.from(this.deps.random(6)).toString('hex');
  }

  override async beginDialog(dc: DialogContext, options?: PartnerDialogOptions): Promise<DialogTurnResult> {
    const state: PartnerDialogState = { partnerTenantId: options!.partnerTenantId, userId: options!.userId, stage: 'choice', token: this.token(), search: '', page: 0 };
    dc.activeDialog!.state = state;
    await dc.context.sendActivity({ attachments: [partnerChoiceCard(this.deps.renderer, dc.context.activity.locale, state.token)] });
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as PartnerDialogState;
    const { context } = dc;
    const locale = context.activity.locale;
    if (context.activity.type !== 'message') return Dialog.EndOfTurn;
    const submit = submitSchema.safeParse(context.activity.value);
    if (!submit.success || submit.data.token !== state.token) {
      await context.sendActivity(this.deps.renderer.text(locale, (s) => (submit.success || context.activity.value !== undefined ? s.messages.staleCard : s.messages.pendingStep)));
      await this.show(context, state);
      return Dialog.EndOfTurn;
    }
    const value = submit.data;
    if (value.verb === 'partner.for') {
      if (value.for === 'self') return dc.endDialog({ kind: 'self' } satisfies PartnerChoice);
      state.stage = 'customers';
      state.search = '';
      state.page = 0;
      await this.show(context, state);
      return Dialog.EndOfTurn;
    }
    if (state.stage !== 'customers') {
      await context.sendActivity(this.deps.renderer.text(locale, (s) => s.messages.staleCard));
      await this.show(context, state);
      return Dialog.EndOfTurn;
    }
    if (value.verb === 'partner.search') {
      state.search = (value.search ?? '').trim().slice(0, 100);
      state.page = 0;
      await this.show(context, state);
      return Dialog.EndOfTurn;
    }
    if (value.verb === 'partner.page') {
      state.page = Number(value.page ?? 0);
      await this.show(context, state);
      return Dialog.EndOfTurn;
    }
    // partner.pick: the id comes from the client, so it is checked against the relationships now.
    const customerTenantId = (value.customerTenantId ?? '').trim().toLowerCase();
    if (!customerTenantId) {
      await this.show(context, state, (s) => s.partners.pickOne);
      return Dialog.EndOfTurn;
    }
    const partner = await authorizeCustomer(this.deps, context, state.partnerTenantId, state.userId, customerTenantId);
    if (!partner) {
      await this.show(context, state);
      return Dialog.EndOfTurn;
    }
    return dc.endDialog({ kind: 'customer', partner } satisfies PartnerChoice);
  }

  override async repromptDialog(context: TurnContext, instance: { state: unknown }): Promise<void> {
    await this.show(context, instance.state as PartnerDialogState);
  }

  private async show(context: TurnContext, state: PartnerDialogState, notice?: (s: Strings) => string): Promise<void> {
    const { renderer } = this.deps;
    const locale = context.activity.locale;
    if (state.stage === 'choice') {
      await context.sendActivity({ attachments: [partnerChoiceCard(renderer, locale, state.token)] });
      return;
    }
    let page: CustomerPage;
    try {
      page = await this.deps.directory.listCustomers(state.partnerTenantId, { search: state.search, page: state.page });
    } catch (error) {
      this.deps.logger.warn({ ...ids(context), err: errorFields(error) }, 'partner customers not read');
      await context.sendActivity(renderer.text(locale, (s) => s.partners.listFailed));
      return;
    }
    state.page = page.page;
    const line = notice
      ? renderer.text(locale, notice)
      : page.total === 0
        ? state.search
          ? renderer.text(locale, (s) => s.partners.noResult, { search: state.search })
          : renderer.text(locale, (s) => s.partners.noCustomers)
        : '';
    await context.sendActivity({ attachments: [customersCard(renderer, locale, { token: state.token, search: state.search, page, notice: line })] });
  }
}

/**
 * The partner context when the turn's user may act for this customer now: the turn is the partner's
 * own (tenant and user), and a delegated-admin relationship with the customer is in force. Otherwise
 * the user is told why, the refusal is logged, and undefined is returned.
 */
export async function authorizeCustomer(
  deps: Pick<JourneyDeps, 'directory' | 'renderer' | 'logger'>,
  context: TurnContext,
  partnerTenantId: string,
  userId: string,
  customerTenantId: string,
  customerName?: string,
): Promise<PartnerContext | undefined> {
  const locale = context.activity.locale;
  const log = { ...ids(context), partnerTenantId, customerTenantId: GUID.test(customerTenantId) ? customerTenantId : 'not-a-guid' };
  if (tenantOf(context) !== partnerTenantId.toLowerCase() || userOf(context) !== userId) {
    deps.logger.warn(log, 'partner action refused: the turn is not the partner requester\'s');
    await context.sendActivity(deps.renderer.text(locale, (s) => s.partners.wrongUser));
    return undefined;
  }
  if (!GUID.test(customerTenantId) || customerTenantId.toLowerCase() === partnerTenantId.toLowerCase()) {
    deps.logger.warn(log, 'partner action refused: not a customer tenant id');
    await context.sendActivity(deps.renderer.text(locale, (s) => s.partners.notCustomer));
    return undefined;
  }
  let relationship;
  try {
    relationship = await deps.directory.customerRelationship(partnerTenantId, customerTenantId);
  } catch (error) {
    deps.logger.warn({ ...log, err: errorFields(error) }, 'partner relationship not read');
    await context.sendActivity(deps.renderer.text(locale, graphFailureText(error)));
    return undefined;
  }
  const refusal = refusalOf(relationship);
  const name = relationship.displayName ?? customerName ?? customerTenantId;
  if (refusal) {
    deps.logger.warn({ ...log, refusal }, refusal === 'notCustomer' ? 'partner action refused: not a current delegated-admin customer' : 'partner action refused: the delegated-admin relationship is no longer in force');
    const text = refusal === 'notCustomer' ? (s: Strings) => s.partners.notCustomer : refusal === 'expired' ? (s: Strings) => s.partners.relationshipExpired : (s: Strings) => s.partners.relationshipEnded;
    await context.sendActivity(deps.renderer.text(locale, text, { customer: name }));
    return undefined;
  }
  return { tenantId: partnerTenantId.toLowerCase(), userId, customerTenantId: customerTenantId.toLowerCase(), customerName: name };
}
