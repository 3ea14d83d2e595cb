/**
 * A partner's request waits for the customer's admin to consent to the Graph app. The wait is durable:
 * a `consentCheck` message in the work queue, re-checked by the dispatcher with growing delays
 * (CONSENT_RECHECK_SECONDS); when Graph answers for the customer's tenant, the partner is told through
 * the outbox (`partnerConsent` notice: a card that picks the journey up for that customer).
 */
import { z } from 'zod';
import type { CardRenderer } from '../cards/cardRenderer';
import { consentGrantedCard } from '../cards/partnerCards';
import { CONSENT_RECHECK_SECONDS, type PartnerContext } from '../domain/partners';
import { GraphError, type TenantDirectory } from '../graph/tenantDirectory';
import type { Logger } from '../logger';
import type { WorkQueue } from '../storage/workQueue';
import type { ConsentCheckMessage, NoticeKind } from './notice';
import type { Outbox } from './outbox';

export const PARTNER_CONSENT_KIND = 'partnerConsent';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const params = z.object({ customerTenantId: z.string().regex(GUID), customerName: z.string().max(256) });

/** The `partnerConsent` notice: consent is there; one click continues the request for that customer. */
export function partnerConsentKind(): NoticeKind<z.output<typeof params>> {
  return {
    params,
    render: (r: CardRenderer, locale, p) => ({
      type: 'message',
      attachments: [consentGrantedCard(r, locale, p)],
    }),
  };
}

export interface ConsentWatchDeps {
  queue: WorkQueue;
  directory: Pick<TenantDirectory, 'getTenantProfile'>;
  outbox: Pick<Outbox, 'enqueue'>;
  logger: Logger;
  clock: () => Date;
  /** Delays between checks (seconds); CONSENT_RECHECK_SECONDS when absent. */
  delaysSeconds?: readonly number[];
}

export class ConsentWatch {
  private readonly delays: readonly number[];

  constructor(private readonly deps: ConsentWatchDeps) {
    this.delays = deps.delaysSeconds ?? CONSENT_RECHECK_SECONDS;
  }

  /** Starts waiting (durably) for consent in the customer's tenant. */
  async waitFor(partner: PartnerContext, locale: string | undefined): Promise<void> {
    const message: ConsentCheckMessage = {
      type: 'consentCheck',
      partnerTenantId: partner.tenantId,
      userId: partner.userId,
      customerTenantId: partner.customerTenantId,
      customerName: partner.customerName.slice(0, 256),
      ...(locale ? { locale: locale.slice(0, 35) } : {}),
      attempt: 0,
      since: this.deps.clock().toISOString(),
    };
    await this.deps.queue.enqueue(message, { delaySeconds: this.delays[0] ?? 60 });
    this.deps.logger.info({ tenantId: partner.tenantId, customerTenantId: partner.customerTenantId }, 'partner request waits for consent in the customer tenant');
  }

  /** One check (the dispatcher calls it): consent there → the partner is told; still missing → checked again later. */
  async handle(message: ConsentCheckMessage): Promise<void> {
    const log = { tenantId: message.partnerTenantId, customerTenantId: message.customerTenantId, attempt: message.attempt };
    try {
      await this.deps.directory.getTenantProfile(message.customerTenantId);
    } catch (error) {
      if (!(error instanceof GraphError && error.code === 'ConsentRequired')) throw error;
      const delay = this.delays[message.attempt + 1];
      if (delay === undefined) {
        this.deps.logger.warn(log, 'consent never came; the partner request stops waiting (the partner can start again)');
        return;
      }
      await this.deps.queue.enqueue({ ...message, attempt: message.attempt + 1 } satisfies ConsentCheckMessage, { delaySeconds: delay });
      this.deps.logger.debug({ ...log, delaySeconds: delay }, 'consent still missing; checked again later');
      return;
    }
    // One notice per customer, user and day the wait began, however often (or by however many "check again" clicks) it is checked.
    const id = `consent:${message.customerTenantId}:${message.userId}:${message.since.slice(0, 10)}`;
    await this.deps.outbox.enqueue({
      id,
      tenantId: message.partnerTenantId,
      userId: message.userId,
      kind: PARTNER_CONSENT_KIND,
      params: { customerTenantId: message.customerTenantId, customerName: message.customerName },
      ...(message.locale ? { locale: message.locale } : {}),
    });
    this.deps.logger.info(log, 'consent granted in the customer tenant; the partner is told');
  }
}

