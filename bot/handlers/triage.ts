import { TeamsInfo, type Activity, type InvokeResponse, type TeamsChannelAccount, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { triageCard, triageCardJson, type TriageField, type TriageFieldError, type TriageView } from '../cards/triageCards';
import { errorFields } from '../dialogs/errors';
import { personByEmail, type CenterModel, type FastTrackPerson } from '../domain/centers';
import type { OnboardingRequest } from '../domain/journey';
import { activeMeetings } from '../domain/meetings';
import { isRequestId } from '../domain/request';
import { applyTriage, CANCEL_REASONS, type CancelReason, type TriageAction, type TriageHistoryEntry, type TriageRefusal } from '../domain/triage';
import type { TriageObserver } from '../triage/observer';
import { ids, tenantOf } from '../turnIdentity';
import type { FastTrackBotDeps } from './handlerDeps';

/** The invoke of a Universal Action (`Action.Execute`). */
export const ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';

export const TRIAGE_VERBS = ['triage.refresh', 'triage.assign', 'triage.reassign', 'triage.approve', 'triage.hold', 'triage.ask', 'triage.cancel'] as const;
export type TriageVerb = (typeof TRIAGE_VERBS)[number];

/** What the triage channel needs, injected by the composition root (or a test). */
export interface TriageDeps {
  /** The tenant FastTrack staff sign in to (`FASTTRACK_STAFF_TENANT_ID`). */
  staffTenantId: string;
  /** The team whose channel receives the triage cards (`FASTTRACK_CENTER_TEAM_ID`). */
  centerTeamId: string;
  centers: CenterModel;
  /** Told of every accepted action once its request is stored, in order; a failing one is logged. */
  observers: readonly TriageObserver[];
  /** The team roster's entry of a Teams user, undefined when they are not a member (default: the connector, `TeamsInfo.getTeamMember`). */
  teamMember?: (context: TurnContext, teamId: string, userId: string) => Promise<TeamsChannelAccount | undefined>;
}

/** Why an invoke was refused before any action: said to the user, logged as one warn line. */
export type TriageDenial = 'notStaffTenant' | 'notTriageChannel' | 'notMember' | 'notFastTrack' | 'unknownRequest' | 'rosterUnavailable';

const text = z.string().max(20_000).optional();
const invokeSchema = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.enum(TRIAGE_VERBS),
    data: z.looseObject({
      tenantId: z.string().regex(/^[0-9a-f-]{36}$/i).transform((s) => s.toLowerCase()),
      requestId: z.string().refine(isRequestId),
      version: z.number().int().min(0),
      reassignTo: text,
      holdReason: text,
      question: text,
      cancelReason: text,
      cancelNote: text,
    }),
  }),
});
type InvokeData = z.output<typeof invokeSchema>['action']['data'];

/** Where a turn happens, as the triage side sees it. */
export type Scope = 'personal' | 'triageChannel' | 'elsewhere';

/** A Universal Action's invoke of a triage card (any `triage.*` verb). */
export function isTriageInvoke(activity: Partial<Activity>): boolean {
  const verb = (activity.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
  return activity.type === 'invoke' && activity.name === ADAPTIVE_CARD_ACTION && typeof verb === 'string' && verb.startsWith('triage.');
}

/** The Teams team of a channel activity (`channelData.team.id`). */
export function teamIdOf(activity: Partial<Activity>): string | undefined {
  const id = (activity.channelData as { team?: { id?: unknown } } | undefined)?.team?.id;
  return typeof id === 'string' ? id : undefined;
}

/** Whether a turn is in a personal chat, in the configured triage team (in the staff tenant), or in any other team or group chat. */
export function scopeOf(activity: Partial<Activity>, triage: Pick<TriageDeps, 'staffTenantId' | 'centerTeamId'> | undefined): Scope {
  const type = activity.conversation?.conversationType;
  if (type !== 'channel' && type !== 'groupChat') return 'personal';
  if (triage && type === 'channel' && tenantOf({ activity }) === triage.staffTenantId.toLowerCase() && teamIdOf(activity) === triage.centerTeamId) return 'triageChannel';
  return 'elsewhere';
}

const invokeResponse = (body: unknown): InvokeResponse => ({ status: 200, body });

/**
 * The FastTrack side: the triage channel's installs and the Universal Actions of its triage cards.
 * Every action is authorized on the server, in this order: the staff tenant, the triage channel,
 * the team's roster, a FastTrack person by the member's e-mail, the request the card names; then
 * `applyTriage` decides (the version on the card, the assignee, the role and language). A write is
 * a read-modify-write of the request with its ETag; after it, every TriageObserver is told.
 */
export class TriageHandler {
  constructor(private readonly deps: FastTrackBotDeps & { triage?: TriageDeps }) {}

  /** The bot was added to a team or group chat: the triage team is registered; anywhere else it says, once, that it is for personal use. */
  async installed(context: TurnContext): Promise<void> {
    const { renderer, logger } = this.deps;
    const locale = context.activity.locale;
    if (scopeOf(context.activity, this.deps.triage) === 'triageChannel') {
      // The channel's conversation reference was kept by the router before this turn (by tenant and conversation id).
      logger.info({ ...ids(context), teamId: teamIdOf(context.activity) }, 'triage channel registered');
      await context.sendActivity(renderer.text(locale, (s) => s.triage.install.registered));
      return;
    }
    logger.info({ ...ids(context), conversationType: context.activity.conversation?.conversationType }, 'installed outside personal scope and the triage team: personal use only');
    await context.sendActivity(renderer.text(locale, (s) => s.triage.install.personalOnly));
  }

  /** Answers a triage card's `adaptiveCard/action` invoke with the updated card (or a refusal message). */
  async invoke(context: TurnContext): Promise<InvokeResponse> {
    const triage = this.deps.triage;
    const activity = context.activity;
    const parsed = invokeSchema.safeParse(activity.value);
    const verb = parsed.success ? parsed.data.action.verb : undefined;
    const data = parsed.success ? parsed.data.action.data : undefined;
    const deny = (reason: TriageDenial, extra: Record<string, unknown> = {}) => this.deny(context, reason, { verb, requestTenantId: data?.tenantId, requestId: data?.requestId, ...extra });

    if (!triage || tenantOf(context) !== triage.staffTenantId.toLowerCase()) return deny('notStaffTenant');
    if (scopeOf(activity, triage) !== 'triageChannel') return deny('notTriageChannel', { conversationType: activity.conversation?.conversationType, teamId: teamIdOf(activity) });
    if (!parsed.success || !verb || !data) return deny('unknownRequest', { malformed: true });

    let member: TeamsChannelAccount | undefined;
    try {
      member = await (triage.teamMember ?? rosterMember)(context, triage.centerTeamId, activity.from.id);
    } catch (error) {
      return deny('rosterUnavailable', { err: errorFields(error) });
    }
    if (!member) return deny('notMember');
    const person = personByEmail(triage.centers, member.email) ?? personByEmail(triage.centers, member.userPrincipalName);
    if (!person) return deny('notFastTrack');

    const request = await this.deps.requests.get(data.tenantId, data.requestId);
    if (!request) return deny('unknownRequest');

    if (verb === 'triage.refresh') return this.card(context, request, { viewer: person });
    return this.act(context, request, verb, data, person);
  }

  private async act(context: TurnContext, request: OnboardingRequest, verb: Exclude<TriageVerb, 'triage.refresh'>, data: InvokeData, person: FastTrackPerson): Promise<InvokeResponse> {
    const triage = this.deps.triage!;
    const values: Partial<Record<TriageField, string>> = Object.fromEntries(
      (['reassignTo', 'holdReason', 'question', 'cancelReason', 'cancelNote'] as const).flatMap((f) => (data[f] !== undefined ? [[f, data[f].slice(0, 2000)]] : [])),
    );
    const fieldError = (field: TriageField, error: TriageFieldError) => this.card(context, request, { viewer: person, values, errors: { [field]: error } });

    let action: TriageAction;
    switch (verb) {
      case 'triage.assign':
        action = { action: 'assign' };
        break;
      case 'triage.reassign': {
        const to = triage.centers.people.find((p) => p.id === data.reassignTo);
        if (!to) return fieldError('reassignTo', 'choosePerson');
        action = { action: 'reassign', to };
        break;
      }
      case 'triage.approve':
        action = { action: 'approve' };
        break;
      case 'triage.hold':
        action = { action: 'hold', reason: data.holdReason ?? '' };
        break;
      case 'triage.ask':
        action = { action: 'ask', question: data.question ?? '' };
        break;
      case 'triage.cancel': {
        const reason = CANCEL_REASONS.find((r) => r === data.cancelReason);
        if (!reason) return fieldError('cancelReason', 'chooseReason');
        action = { action: 'cancel', reason: reason satisfies CancelReason, ...(data.cancelNote !== undefined ? { note: data.cancelNote } : {}) };
        break;
      }
    }

    // A reassignment moves the meetings first: the request names person B only once B has them.
    let moved = false;
    if (action.action === 'reassign') {
      const first = await this.moveMeetingsFirst(context, request, action, person, data.version, values);
      if (first.refused) return first.refused;
      moved = first.moved;
    }

    // applyTriage inside the change: a concurrent writer (412) re-reads, and the action is decided again on what is stored.
    let outcome: { before: OnboardingRequest; entry: TriageHistoryEntry } | { refusal: TriageRefusal } | undefined;
    const userId = context.activity.from.id;
    let stored = await this.deps.requests.update(request.tenantId, request.id, (current) => {
      const result = applyTriage(current, action, { kind: 'staff', person }, data.version, this.deps.clock());
      if (!result.ok) {
        outcome = { refusal: result.refusal };
        return undefined;
      }
      outcome = { before: current, entry: result.entry };
      const viewers = { ...(result.request.triage?.viewers ?? {}), [person.id]: userId };
      return { ...result.request, triage: { ...result.request.triage!, viewers } };
    });
    const log = { ...ids(context), requestTenantId: request.tenantId, requestId: request.id, verb, personId: person.id };
    if (!stored || !outcome) return this.deny(context, 'unknownRequest', { verb, requestTenantId: request.tenantId, requestId: request.id });
    if ('refusal' in outcome) {
      this.deps.logger.info({ ...log, refusal: outcome.refusal }, 'triage action refused');
      // The meetings moved for a reassignment that was then refused (the request changed meanwhile): back to whoever has the request.
      if (moved) stored = await this.meetingsBack(stored, log);
      const field = textField(verb);
      if ((outcome.refusal === 'textMissing' || outcome.refusal === 'textTooLong') && field) return fieldError(field, outcome.refusal);
      return this.card(context, stored, { viewer: person, values, notice: outcome.refusal });
    }

    this.deps.logger.info({ ...log, state: stored.state, version: stored.triage?.version }, 'triage action applied');
    const change = { before: outcome.before, after: stored, entry: outcome.entry };
    for (const observer of triage.observers) {
      try {
        await observer.triageChanged(change);
      } catch (error) {
        this.deps.logger.warn({ ...log, observer: observer.constructor.name, err: errorFields(error) }, 'triage observer failed; the action stands');
      }
    }
    // Read again: an observer may have changed the request's meetings (a cancellation cancels them).
    const shown = (await this.deps.requests.get(request.tenantId, request.id)) ?? stored;
    await this.updateChannelCopy(context, shown);
    return this.card(context, shown, { viewer: person });
  }

  /**
   * Before a reassignment is accepted, the request's meetings go to the new person (the booking
   * service holds every time for them first, all or none). The new person busy at a meeting's time,
   * or the calendar failing, refuses the reassignment with the current card and a line saying why:
   * the card never names someone who does not have the meetings. An action `applyTriage` would refuse
   * anyway moves nothing (it is refused as usual after).
   */
  private async moveMeetingsFirst(
    context: TurnContext,
    request: OnboardingRequest,
    action: Extract<TriageAction, { action: 'reassign' }>,
    person: FastTrackPerson,
    version: number,
    values: Partial<Record<TriageField, string>>,
  ): Promise<{ refused?: InvokeResponse; moved: boolean }> {
    if (!applyTriage(request, action, { kind: 'staff', person }, version, this.deps.clock()).ok) return { moved: false };
    if (activeMeetings(request).every((m) => m.person.id === action.to.id)) return { moved: false };
    const log = { ...ids(context), requestTenantId: request.tenantId, requestId: request.id, personId: person.id, toPersonId: action.to.id };
    try {
      const moved = await this.deps.booking.reassign(request, action.to);
      if (moved.outcome === 'reassigned') return { moved: moved.meetings.length > 0 };
      this.deps.logger.info({ ...log, kind: moved.meeting.kind }, 'reassignment refused: the new person is busy at a meeting time');
      const current = (await this.deps.requests.get(request.tenantId, request.id)) ?? request;
      return { refused: this.card(context, current, { viewer: person, values, notice: { busy: action.to.name, kind: moved.meeting.kind } }), moved: false };
    } catch (error) {
      this.deps.logger.warn({ ...log, err: errorFields(error) }, 'reassignment refused: the meetings could not be moved');
      const current = (await this.deps.requests.get(request.tenantId, request.id)) ?? request;
      return { refused: this.card(context, current, { viewer: person, values, notice: { notMoved: action.to.name } }), moved: false };
    }
  }

  /** Gives the request's meetings back to its assignee as stored (after a refused reassignment had moved them); a failure is logged. */
  private async meetingsBack(request: OnboardingRequest, log: Record<string, unknown>): Promise<OnboardingRequest> {
    const assignee = request.assignee?.personId;
    if (!assignee) return request;
    try {
      const back = await this.deps.booking.reassign(request, { id: assignee });
      this.deps.logger.info({ ...log, outcome: back.outcome }, 'meetings moved back to the assignee after a refused reassignment');
      return back.outcome === 'reassigned' ? back.request : request;
    } catch (error) {
      this.deps.logger.warn({ ...log, err: errorFields(error) }, 'meetings not moved back after a refused reassignment');
      return request;
    }
  }

  /**
   * The channel's own copy of the card (what everyone without a refresh of their own sees) shows the
   * new state and who acted: the message the action came from is updated in place.
   */
  private async updateChannelCopy(context: TurnContext, request: OnboardingRequest): Promise<void> {
    const messageId = context.activity.replyToId;
    if (!messageId) return;
    try {
      await context.updateActivity({ id: messageId, type: 'message', attachments: [triageCard(this.deps.renderer, context.activity.locale, request, this.deps.triage!.centers)] });
    } catch (error) {
      this.deps.logger.warn({ ...ids(context), requestId: request.id, err: errorFields(error) }, 'triage card in the channel not updated');
    }
  }

  private card(context: TurnContext, request: OnboardingRequest, view: TriageView): InvokeResponse {
    const value = triageCardJson(this.deps.renderer, context.activity.locale, request, this.deps.triage!.centers, view);
    return invokeResponse({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value });
  }

  /** Refuses an invoke: one warn line (ids and the reason, never text) and a localized message to the user. */
  private deny(context: TurnContext, reason: TriageDenial, extra: Record<string, unknown>): InvokeResponse {
    const from = context.activity.from;
    this.deps.logger.warn({ ...ids(context), userId: from?.aadObjectId, reason, ...extra }, 'triage card action refused');
    const message = this.deps.renderer.text(context.activity.locale, (s) => s.triage.denied[reason]);
    return invokeResponse({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message });
  }
}

function textField(verb: TriageVerb): TriageField | undefined {
  return verb === 'triage.hold' ? 'holdReason' : verb === 'triage.ask' ? 'question' : verb === 'triage.cancel' ? 'cancelNote' : undefined;
}

/** The team roster through the Bot Connector; a 404 means the user is not a member. */
async function rosterMember(context: TurnContext, teamId: string, userId: string): Promise<TeamsChannelAccount | undefined> {
  try {
    return await TeamsInfo.getTeamMember(context, teamId, userId);
  } catch (error) {
    if (errorFields(error).status === 404) return undefined;
    throw error;
  }
}
