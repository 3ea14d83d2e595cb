/**
 * The tenant check when Graph is slow, down or throttling: it goes on in the background, through the
 * durable work queue, and its card comes to the admin's chat through the outbox.
 *
 * In a turn (`assessInTurn`): the tenant is read and judged as usual, raced against most of the turn
 * budget. When Graph is slower than that, fails (5xx, no answer, its circuit open) or throttles past
 * the budget, a `tenantCheck` message is queued (one per admin while it works) and the turn answers
 * "still working on it — I'll message you here". A read still running when the turn answered goes on
 * here; when it succeeds, its card is sent at once.
 *
 * From the queue (`handle`): the tenant is read again; its profile is kept for the admin for a
 * while, and the tenant-check card is sent (with "Request FastTrack help" when eligible). A turn
 * whose Graph read fails or is slow uses that profile when it is recent, so the admin goes on.
 * Retried after Graph's Retry-After or a backoff starting at the turn budget; at the last try the
 * admin is told Microsoft 365 still isn't answering and how to try again.
 */
import { z } from 'zod';
import type { CardRenderer } from '../cards/cardRenderer';
import { tenantCheckCard, type TenantAssessment } from '../cards/tenantCheckCard';
import type { TenantProfile } from '../domain/tenant';
import type { Logger } from '../logger';
import type { TenantCheckWorkMessage } from '../notifications/backgroundNotices';
import type { BookingWorkResult } from '../notifications/dispatcher';
import type { NoticeKind } from '../notifications/notice';
import type { Outbox } from '../notifications/outbox';
import { updateDocument, type DocumentStore } from '../storage/documentStore';
import type { WorkQueue } from '../storage/workQueue';
import { afterTurnBudgetSeconds, retryDelaySeconds, timeLeftInTurn } from '../turnBudget';
import { failureClass } from '../turnErrorHandler';
import { errorFields } from './errors';
import type { JourneyDeps } from './journeyDeps';
import { assessTenant, judgeTenant } from './tenantCheck';

export const TENANT_CHECK_RESULT_KIND = 'tenantCheckResult';

/** How long a profile read in the background stands in for Graph in a turn. */
const RECENT_MS = 15 * 60_000;
/** The share of the turn budget (from the turn's start) the tenant check may use in its turn. */
const IN_TURN_SHARE = 0.75;

type Judge = Pick<JourneyDeps, 'rules' | 'catalog' | 'clock' | 'products'>;

export interface BackgroundTenantCheckDeps extends Judge {
  directory: JourneyDeps['directory'];
  documents: DocumentStore;
  queue: WorkQueue;
  outbox: Pick<Outbox, 'enqueue'>;
  logger: Logger;
  /** TURN_BUDGET_MS: a turn answers within it; background retries start one budget apart. */
  turnBudgetMs: number;
}

export interface TenantCheckAsked {
  tenantId: string;
  /** The admin told of a background result (their personal chat), and the chat's language. */
  notify: { tenantId: string; userId: string };
  locale?: string | undefined;
  /** When the turn started (bot/turnBudget.ts): the check gets what is left of its share of the budget (after the admin check). */
  turnStartedAt?: number | undefined;
}

/** `background/tenantChecks/{tenantId}/{userId}`: the admin's tenant check in the background, and the profile it read. */
interface CheckRecord {
  working?: { jobId: string; until: string };
  profile?: TenantProfile;
  checkedAt?: string;
}

const recordKey = (tenantId: string, userId: string): string => `background/tenantChecks/${tenantId}/${userId}`;

export class BackgroundTenantCheck {
  constructor(private readonly deps: BackgroundTenantCheckDeps) {}

  /** The tenant judged within the turn (from Graph, or a recent background read), or handed to the queue. */
  async assessInTurn(asked: TenantCheckAsked): Promise<{ assessment: TenantAssessment } | { deferred: true }> {
    const settled = assessTenant(this.deps, asked.tenantId).then(
      (assessment) => ({ ok: true as const, assessment }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), timeLeftInTurn(asked.turnStartedAt, this.deps.turnBudgetMs, IN_TURN_SHARE))));
    const first = await Promise.race([settled, deadline]);
    clearTimeout(timer);
    if (first !== 'deadline' && first.ok) return { assessment: first.assessment };
    if (first !== 'deadline' && failureClass(first.error) !== 'graph') throw first.error;
    const stored = await this.deps.documents.get<CheckRecord>(recordKey(asked.tenantId, asked.notify.userId));
    const now = this.deps.clock().getTime();
    const { profile, checkedAt, working } = stored?.value ?? {};
    if (profile && checkedAt && now - Date.parse(checkedAt) < RECENT_MS) return { assessment: judgeTenant(this.deps, profile) };
    const log = { tenantId: asked.tenantId, ...(first === 'deadline' ? {} : { err: errorFields(first.error) }) };
    // One check in the background per admin: asking again meanwhile is told the same.
    if (working && Date.parse(working.until) > now) return { deferred: true };
    const message: TenantCheckWorkMessage = {
      type: 'tenantCheck',
      tenantId: asked.tenantId,
      notify: asked.notify,
      ...(asked.locale ? { locale: asked.locale.slice(0, 35) } : {}),
      jobId: `${asked.tenantId}-${now.toString(36)}`,
    };
    const delay = first === 'deadline' ? afterTurnBudgetSeconds(this.deps.turnBudgetMs) : retryDelaySeconds(first.error, this.deps.turnBudgetMs, 1);
    await this.deps.queue.enqueue(message, { delaySeconds: delay });
    await this.markWorking(message, delay);
    this.deps.logger.warn({ ...log, jobId: message.jobId }, 'tenant check did not finish within the turn budget; it goes on in the background');
    if (first === 'deadline') {
      void settled.then(async (late) => {
        if (!late.ok) return;
        try {
          await this.tellChecked(message, late.assessment.profile);
        } catch (error) {
          this.deps.logger.warn({ tenantId: asked.tenantId, jobId: message.jobId, err: errorFields(error) }, 'tenant check in flight done, but its result was not queued; the queued job will send it');
        }
      });
    }
    return { deferred: true };
  }

  /** One try of a queued tenant check (the dispatcher's `tenantChecks` handler). */
  async handle(message: TenantCheckWorkMessage, attempt: { dequeueCount: number; last: boolean }): Promise<BookingWorkResult> {
    const log = { tenantId: message.tenantId, jobId: message.jobId, dequeueCount: attempt.dequeueCount };
    const stored = await this.deps.documents.get<CheckRecord>(recordKey(message.tenantId, message.notify.userId));
    // The read in flight finished first and told the admin: nothing more to do.
    if (stored?.value.checkedAt && !stored.value.working) return { done: true };
    let profile: TenantProfile;
    try {
      profile = await this.deps.directory.getTenantProfile(message.tenantId);
    } catch (error) {
      const failure = failureClass(error);
      const passing = failure === 'graph' || failure === 'storage';
      if (passing && !attempt.last) {
        const delay = retryDelaySeconds(error, this.deps.turnBudgetMs, attempt.dequeueCount);
        await this.markWorking(message, delay).catch(() => undefined);
        this.deps.logger.warn({ ...log, err: errorFields(error) }, 'background tenant check failed; it will be tried again');
        return { retryInSeconds: delay };
      }
      this.deps.logger.error({ ...log, err: errorFields(error), failure }, 'background tenant check failed for good; the admin is told');
      await this.tell(message, { outcome: failure === 'graph' ? 'failedGraph' : 'failedOther' });
      await updateDocument<CheckRecord>(this.deps.documents, recordKey(message.tenantId, message.notify.userId), (current) => (current ? { ...withoutWorking(current) } : undefined));
      return passing ? { failed: `tenant check failed after ${attempt.dequeueCount} tries (${errorFields(error).class})` } : { done: true };
    }
    await this.tellChecked(message, profile);
    this.deps.logger.info(log, 'background tenant check done; the admin is told');
    return { done: true };
  }

  private async markWorking(message: TenantCheckWorkMessage, delaySeconds: number): Promise<void> {
    const until = new Date(this.deps.clock().getTime() + delaySeconds * 1000 + 2 * this.deps.turnBudgetMs + 60_000).toISOString();
    await updateDocument<CheckRecord>(this.deps.documents, recordKey(message.tenantId, message.notify.userId), (current) => ({ ...(current ?? {}), working: { jobId: message.jobId, until } }));
  }

  /** Keeps the profile for the admin's next turns, then sends the card (one per job). */
  private async tellChecked(message: TenantCheckWorkMessage, profile: TenantProfile): Promise<void> {
    const checkedAt = this.deps.clock().toISOString();
    await updateDocument<CheckRecord>(this.deps.documents, recordKey(message.tenantId, message.notify.userId), (current) => ({ ...withoutWorking(current ?? {}), profile, checkedAt }));
    // A partner's check of a customer's tenant: the card's "Request help" goes on for that customer.
    const forCustomer = message.tenantId.toLowerCase() !== message.notify.tenantId.toLowerCase() ? { customerTenantId: message.tenantId.toLowerCase() } : {};
    await this.tell(message, { outcome: 'checked', profile, ...forCustomer });
  }

  private async tell(message: TenantCheckWorkMessage, params: TenantCheckResultParams): Promise<void> {
    await this.deps.outbox.enqueue({ id: `tenantCheck:${message.jobId}`, tenantId: message.notify.tenantId, userId: message.notify.userId, kind: TENANT_CHECK_RESULT_KIND, ...(message.locale ? { locale: message.locale } : {}), params });
  }
}

function withoutWorking(record: CheckRecord): CheckRecord {
  const { working: _working, ...rest } = record;
  return rest;
}

const profileSchema = z.object({
  tenantId: z.string().max(64),
  displayName: z.string().max(256),
  countryLetterCode: z.string().max(8).optional(),
  preferredLanguage: z.string().max(35).optional(),
  onPremisesSyncEnabled: z.boolean(),
  verifiedDomains: z.array(z.object({ name: z.string().max(256), isDefault: z.boolean(), isInitial: z.boolean(), authenticationType: z.enum(['Managed', 'Federated']).optional() })).max(1000),
  skus: z
    .array(
      z.object({
        skuId: z.string().max(64),
        skuPartNumber: z.string().max(128),
        capabilityStatus: z.string().max(32),
        enabledUnits: z.number(),
        warningUnits: z.number(),
        suspendedUnits: z.number(),
        consumedUnits: z.number(),
        isTrial: z.boolean(),
        servicePlans: z.array(z.string().max(128)).max(200),
      }),
    )
    .max(500),
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tenantCheckResultParams = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('checked'), profile: profileSchema, customerTenantId: z.string().regex(GUID).optional() }),
  z.object({ outcome: z.enum(['failedGraph', 'failedOther']) }),
]);
type TenantCheckResultParams = z.input<typeof tenantCheckResultParams>;

/** The `tenantCheckResult` notice kind: the tenant-check card as the chat shows it, or why there is none yet. */
export function tenantCheckResultNotice(judge: Judge): NoticeKind<z.output<typeof tenantCheckResultParams>> {
  return {
    params: tenantCheckResultParams,
    render: (r: CardRenderer, locale, p) => {
      if (p.outcome !== 'checked') return { type: 'message', text: r.text(locale, (s) => s.background.tenantCheckFailed, { request: r.strings(locale).commands.request }) };
      const profile: TenantProfile = {
        ...p.profile,
        countryLetterCode: p.profile.countryLetterCode,
        preferredLanguage: p.profile.preferredLanguage,
        verifiedDomains: p.profile.verifiedDomains.map((d) => ({ ...d, authenticationType: d.authenticationType })),
      };
      const assessment = judgeTenant(judge, profile);
      return { type: 'message', text: r.strings(locale).background.tenantCheckDone, attachments: [tenantCheckCard(r, locale, assessment, assessment.check.eligible, p.customerTenantId)] };
    },
  };
}
