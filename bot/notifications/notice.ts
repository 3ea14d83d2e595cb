import type { Activity } from 'botbuilder';
import { z } from 'zod';
import type { CardRenderer } from '../cards/cardRenderer';
import type { SupportedLocale } from '../domain/locale';
import { BOOKING_RESULT_KIND, bookingResultNotice, bookingWorkMessageSchema, tenantCheckWorkMessageSchema } from './backgroundNotices';
import { calendarChangeNotice } from './calendarNotices';
import type { ConversationTarget } from './conversationReferences';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A notice id is its dedupe key: letters, digits and `._:@-`, e.g. `reminder:FT-7K3M9Q2X:kickoff:24h`. */
export const NOTICE_ID = /^[A-Za-z0-9._:@-]{1,200}$/;

/**
 * A proactive notice as it travels through the queue: data, never a rendered card. It is rendered
 * in the user's language when it is sent, so a notice queued days ago still shows today's texts.
 */
export const noticeSchema = z
  .object({
    /** The dedupe key: a notice with this id is shown to the user at most once, however often it is queued. */
    id: z.string().regex(NOTICE_ID),
    tenantId: z.string().regex(GUID).transform((s) => s.toLowerCase()),
    /** The user (Entra object id) whose personal chat gets it… */
    userId: z
      .string()
      .regex(GUID)
      .transform((s) => s.toLowerCase())
      .optional(),
    /** …or the team channel / group chat (its conversation id). */
    conversationId: z.string().min(1).max(512).optional(),
    kind: z.string().min(1).max(64),
    params: z.record(z.string().max(64), z.unknown()).default({}),
    /** The language to render in (the request's); else the locale stored with the conversation reference. */
    locale: z.string().max(35).optional(),
    /** Not sent before this instant (ISO 8601). */
    notBefore: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((n) => (n.userId === undefined) !== (n.conversationId === undefined), { message: 'a notice goes to exactly one of userId or conversationId' });

export type Notice = z.output<typeof noticeSchema>;
/** What a caller gives the outbox (ids in any case; `notBefore` is an option of `enqueue`). */
export type NoticeInput = Omit<z.input<typeof noticeSchema>, 'notBefore'>;

/** The queue message of a notice: a notice in an envelope with a type, so other work shares the queue. */
export const noticeMessageSchema = z.object({ type: z.literal('notice'), notice: noticeSchema });

/** Graph subscription ids are GUIDs (letters, digits and '-'). */
export const SUBSCRIPTION_ID = /^[A-Za-z0-9-]{1,128}$/;
/**
 * Work about a meeting's calendar subscription, queued by `/api/notifications` (Graph said the event
 * changed, or something about the subscription) or by the subscription itself (`renewDue`).
 */
export const calendarChangeMessageSchema = z.object({
  type: z.literal('calendarChange'),
  subscriptionId: z.string().regex(SUBSCRIPTION_ID),
  what: z.enum(['updated', 'deleted', 'created', 'reauthorizationRequired', 'subscriptionRemoved', 'missed', 'renewDue']),
  /** The event a change notification is about (`resourceData.id`): another event of the mailbox is not the meeting's. */
  eventId: z.string().max(1024).optional(),
});
export type CalendarChangeMessage = z.output<typeof calendarChangeMessageSchema>;

/**
 * A re-check of the Graph app's consent in a customer's tenant, for a partner whose request waits on
 * it (bot/notifications/consentWatch.ts): when consent is there, the partner is told through the outbox.
 */
export const consentCheckMessageSchema = z.object({
  type: z.literal('consentCheck'),
  partnerTenantId: z.string().regex(GUID).transform((s) => s.toLowerCase()),
  userId: z.string().regex(GUID).transform((s) => s.toLowerCase()),
  customerTenantId: z.string().regex(GUID).transform((s) => s.toLowerCase()),
  customerName: z.string().max(256),
  locale: z.string().max(35).optional(),
  /** How many checks came before this one. */
  attempt: z.number().int().min(0).max(1000),
  /** When the partner first hit the missing consent: one wait, one notice id. */
  since: z.iso.datetime({ offset: true }),
});
export type ConsentCheckMessage = z.output<typeof consentCheckMessageSchema>;

/** Every message of the work queue. */
export const outboxMessageSchema = z.discriminatedUnion('type', [noticeMessageSchema, calendarChangeMessageSchema, bookingWorkMessageSchema, tenantCheckWorkMessageSchema, consentCheckMessageSchema]);
/** Any message of the work queue. */
export type WorkMessage = z.output<typeof outboxMessageSchema>;
/** The queue message of a notice (the outbox's own). */
export type OutboxMessage = z.output<typeof noticeMessageSchema>;
export type NoticeMessage = OutboxMessage;

/** Where a notice goes. */
export function targetOfNotice(notice: Notice): ConversationTarget {
  return notice.userId ? { tenantId: notice.tenantId, userId: notice.userId } : { tenantId: notice.tenantId, conversationId: notice.conversationId! };
}

/** One kind of notice: its parameters (checked when queued and when sent) and how it looks. */
export interface NoticeKind<P> {
  params: z.ZodType<P>;
  /** The message; one with an `id` replaces that message in place (updateActivity) instead of sending a new one. */
  render(renderer: CardRenderer, locale: SupportedLocale, params: P): Partial<Activity>;
  /**
   * Asked just before sending: false when the notice is no longer wanted (a reminder of a meeting
   * that moved or was cancelled meanwhile); it is then marked cancelled and never sent.
   */
  stillWanted?(params: P, notice: Notice): Promise<boolean>;
  /** Told once the channel took the message, with its id when the channel gave one (a card to update in place later). */
  sent?(params: P, notice: Notice, activityId: string | undefined): Promise<void>;
}

/** A notice that cannot be sent as it is (unknown kind, bad parameters): retrying will not help. */
export class InvalidNoticeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidNoticeError';
  }
}

/** The registry of notice kinds: kind → parameters and render function. New kinds register here. */
export class NoticeKinds {
  private readonly kinds = new Map<string, NoticeKind<unknown>>();

  constructor(private readonly renderer: CardRenderer) {}

  register<P>(kind: string, definition: NoticeKind<P>): this {
    if (this.kinds.has(kind)) throw new Error(`The notice kind ${kind} is registered twice`);
    this.kinds.set(kind, definition as NoticeKind<unknown>);
    return this;
  }

  /** Throws InvalidNoticeError when the kind is unknown or its parameters do not fit it. */
  check(notice: Pick<Notice, 'kind' | 'params'>): void {
    this.paramsOf(notice);
  }

  /** Whether the notice is still to be sent (its kind's `stillWanted`; true when the kind has none). */
  async stillWanted(notice: Notice): Promise<boolean> {
    const { definition, params } = this.paramsOf(notice);
    return definition.stillWanted ? definition.stillWanted(params, notice) : true;
  }

  /** Tells the notice's kind that it was sent, and the sent message's id (its `sent`, when it has one). */
  async sent(notice: Notice, activityId: string | undefined): Promise<void> {
    const { definition, params } = this.paramsOf(notice);
    await definition.sent?.(params, notice, activityId);
  }

  /** The message for this notice in a locale (resolved from an untrusted tag). */
  render(notice: Pick<Notice, 'kind' | 'params'>, locale: unknown): Partial<Activity> {
    const { definition, params } = this.paramsOf(notice);
    return definition.render(this.renderer, this.renderer.resolve(locale), params);
  }

  private paramsOf(notice: Pick<Notice, 'kind' | 'params'>): { definition: NoticeKind<unknown>; params: unknown } {
    const definition = this.kinds.get(notice.kind);
    if (!definition) throw new InvalidNoticeError(`unknown notice kind ${notice.kind}`);
    const parsed = definition.params.safeParse(notice.params);
    if (!parsed.success) throw new InvalidNoticeError(`the parameters of a ${notice.kind} notice do not fit: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`);
    return { definition, params: parsed.data };
  }
}

/**
 * The generic `text` notice: one text of `notices` in the locale tables (`key`), with its `{name}`
 * placeholders filled from `values`.
 */
export function textNotice(renderer: CardRenderer): NoticeKind<{ key: string; values: Record<string, string | number> }> {
  const known = new Set(Object.keys(renderer.strings('en-US').notices));
  return {
    params: z.object({
      key: z.string().refine((k) => known.has(k), 'not a key of notices in the locale tables'),
      values: z.record(z.string().max(64), z.union([z.string().max(500), z.number()])).default({}),
    }),
    render: (r, locale, { key, values }) => ({ type: 'message', text: r.text(locale, (s) => (s.notices as Record<string, string>)[key]!, values) }),
  };
}

/** The notice kinds the bot knows. */
export function createNoticeKinds(renderer: CardRenderer): NoticeKinds {
  return new NoticeKinds(renderer).register('text', textNotice(renderer)).register('calendarChange', calendarChangeNotice()).register(BOOKING_RESULT_KIND, bookingResultNotice());
}
