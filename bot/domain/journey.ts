import type { MigrationTier } from './eligibility';
import { Checker, readValues, type Validation } from './forms';
import type { SupportedLocale } from './locale';
import { EMAIL_SOURCES as MIGRATED_EMAIL, FILE_SOURCES as MIGRATED_FILES, evaluateMigration } from './migration';
import type { Region } from './timeZones';
import type { TriageRecord } from './triage';

/** The phases a request walks; adoption runs in parallel with the others. */
export const PHASES = ['core', 'services', 'form', 'adoption'] as const;
export type PhaseId = (typeof PHASES)[number];
export type PhaseStatus = 'notStarted' | 'inProgress' | 'done';

/** Service ids as in `bot/data/services.json`. */
export type ServiceId = string;

export const IDENTITY_PLANS = ['cloudOnly', 'synchronized', 'federated', 'undecided'] as const;
export type IdentityPlan = (typeof IDENTITY_PLANS)[number];
export const DNS_READINESS = ['yes', 'no', 'unsure'] as const;
export type DnsReadiness = (typeof DNS_READINESS)[number];
export const MAIL_SYSTEMS = ['exchangeOnPremises', 'exchangeOnline', 'gmail', 'imap', 'other', 'none'] as const;
export type MailSystem = (typeof MAIL_SYSTEMS)[number];
/** The card's choices: "nothing to move" and the sources of `migration.ts`. */
export const EMAIL_SOURCES = ['none', ...MIGRATED_EMAIL] as const;
export type EmailSource = (typeof EMAIL_SOURCES)[number];
export const FILE_SOURCES = ['none', ...MIGRATED_FILES] as const;
export type FileSource = (typeof FILE_SOURCES)[number];
export type { MigrationTier };

/** What the tenant check found, as the request keeps it. */
export interface TenantCheck {
  organization: string;
  domains: { name: string; authenticationType: 'Managed' | 'Federated' | undefined; isDefault: boolean }[];
  detectedIdentity: Exclude<IdentityPlan, 'undecided'>;
  eligible: boolean;
  eligibleSeats: number;
  requiredSeats: number;
  migrationTier: MigrationTier;
  exchangeExtraServices: boolean;
  /** Services the tenant's SKUs include (service plans → services, from bot/data/services.json). */
  offeredServices: ServiceId[];
  checkedAt: string;
}

export interface CoreAnswers {
  identityPlan: IdentityPlan;
  dnsReady: DnsReadiness;
}

export interface ServiceAnswers {
  services: ServiceId[];
  migration: boolean;
}

export interface MigrationAnswers {
  emailSource: EmailSource;
  mailboxes: number | undefined;
  emailSizeGb: number | undefined;
  fileSource: FileSource;
  fileSizeTb: number | undefined;
  /** Who moves the data: FastTrack (500+ seats) or the customer with FastTrack's guidance. */
  mode: 'performed' | 'guidance';
}

/** The "Request assistance for Microsoft 365" form. */
export interface RequestForm {
  products: ServiceId[];
  launchDate: string;
  mailSystem: MailSystem;
  businessReason: string;
  successOwnerName: string;
  successOwnerRole: string;
  dataMigration: boolean;
  requesterName: string;
  requesterEmail: string;
  requesterPhone: string;
  customerName: string;
  customerEmail: string;
  preferredLanguage: SupportedLocale;
  region: Region;
  timeZone: string;
  /** When a partner asks on behalf of the customer: the partner's contact fields. */
  partner?: PartnerFields;
}

/** The partner's fields of the form (a partner asking on behalf of a customer). */
export interface PartnerFields {
  partnerName: string;
  /** The partner's contact: an email address. */
  partnerContact: string;
  /** The partner's Microsoft Partner Network id (MPN / Partner ID): 6 to 10 digits. */
  partnerId: string;
}

/** Who manages a request on the customer's behalf (the requester's organization, a GDAP partner). */
export interface PartnerManagement {
  tenantId: string;
  /** The partner organization's name, as the partner gave it on the form (or its tenant id until then). */
  organization: string;
  userId: string;
  name: string;
}

export interface AdoptionAnswers {
  launchDate: string;
  successOwnerName: string;
  successOwnerRole: string;
  champions: string;
  championCount: number;
}

/** A meeting booked for a request: the kickoff, or a series of checkpoints. */
export interface Meeting {
  kind: 'kickoff' | 'checkpoint';
  status: 'booked' | 'cancelled';
  eventId: string;
  /** Graph's idempotency key for the create: request, kind and the slot's start (`transactionIdFor`). */
  transactionId: string;
  start: string;
  end: string;
  joinUrl: string | undefined;
  person: { id: string; name: string; email: string; role: 'specialist' | 'center' };
  centerId: string;
  centerTimeZone: string;
  /** The admin's time zone when booked, to show the time as they saw it. */
  adminTimeZone: string;
  recurrence?: { intervalWeeks: 1 | 2; occurrences: number };
  cancelledReason?: string;
  /** `reassigned`: another FastTrack person took the meeting (`personId`, from `fromPersonId`), same times. */
  history: { at: string; event: 'booked' | 'moved' | 'cancelled' | 'movedByAdmin' | 'cancelledByAdmin' | 'reassigned'; start?: string; end?: string; personId?: string; fromPersonId?: string }[];
}

/** A booking claimed on the request before its person is held and its event created. */
export interface PendingBooking {
  kind: Meeting['kind'];
  start: string;
  end: string;
  personId: string;
  transactionId: string;
  recurrence?: Meeting['recurrence'];
  /** When it was claimed, or last tried. */
  at: string;
  /** Set when its create got no answer (a timeout, an outage): nothing is in flight, the outcome is unknown. */
  unknownSince?: string;
}

export const REQUEST_STATES = ['Submitted', 'Approved', 'OnHold', 'OnHoldPendingRequesterResponse', 'Cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
/** Where the journey stands: still being filled in, or handed to scheduling. */
export type JourneyStage = 'onboarding' | 'awaitingScheduling' | 'scheduled' | 'closed';

/** One onboarding request, stored under `tenants/{tenantId}/requests/{id}`. */
export interface OnboardingRequest {
  id: string;
  /** The tenant onboarded (the customer's when a partner asks). */
  tenantId: string;
  requester: { aadObjectId: string; name: string; tenantId: string };
  state: RequestState;
  stage: JourneyStage;
  phases: Record<PhaseId, PhaseStatus>;
  tenantCheck: TenantCheck;
  core?: CoreAnswers;
  services?: ServiceAnswers;
  migration?: MigrationAnswers;
  form?: RequestForm;
  adoption?: AdoptionAnswers;
  /** The admin's mailbox facts kept from the form step, so booking needs no extra Graph call. */
  admin?: { userId: string; email: string; timeZone: string; workingHours?: { daysOfWeek: number[]; start: string; end: string; timeZone: string } };
  meetings?: Meeting[];
  /** Bookings claimed and not recorded yet (at most one per kind): see `domain/meetings.ts`. */
  pendingBookings?: PendingBooking[];
  /** How many meetings have been booked for the request. */
  bookingCount?: number;
  /** Set when a partner asks on behalf of the customer (the requester then belongs to the partner's tenant). */
  partner?: PartnerManagement;
  /** The FastTrack person working the request, set from the triage channel (Assign to me / Reassign). */
  assignee?: { personId: string; assignedAt: string; byPersonId: string };
  /** FastTrack's working record (approval, hold, question, cancellation) and the triage card's version: `domain/triage.ts`. */
  triage?: TriageRecord;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
}

/** One entry of a request's history; `count` > 1 when the same event was repeated in a row. */
export interface HistoryEntry {
  at: string;
  event: string;
  state?: RequestState;
  count?: number;
  /** Who acted, for triage actions: a FastTrack person's id, or `requester`. */
  by?: string;
  /** For a reassignment: the person it went to. */
  to?: string;
}

/** At most this many history entries are kept: the first (created) and the most recent ones. */
export const HISTORY_LIMIT = 100;

/** A new request after a passed tenant check: core onboarding in progress. */
export function newRequest(id: string, requester: OnboardingRequest['requester'], tenantId: string, tenantCheck: TenantCheck, now: Date): OnboardingRequest {
  const at = now.toISOString();
  return {
    id,
    tenantId,
    requester,
    state: 'Submitted',
    stage: 'onboarding',
    phases: { core: 'inProgress', services: 'notStarted', form: 'notStarted', adoption: 'notStarted' },
    tenantCheck,
    createdAt: at,
    updatedAt: at,
    history: [{ at, event: 'created', state: 'Submitted' }],
  };
}

/**
 * The request with one more history entry (and its state when it changes). The history stays
 * bounded: the same event repeated in a row (an adoption plan saved ten times) is one entry with a
 * count and the latest time, and beyond HISTORY_LIMIT the oldest entries after the first are dropped.
 */
export function withEvent(request: OnboardingRequest, event: string, now: Date, state?: RequestState): OnboardingRequest {
  const at = now.toISOString();
  const last = request.history.at(-1);
  let history: HistoryEntry[];
  if (last && !state && !last.state && last.event === event) {
    history = [...request.history.slice(0, -1), { at, event, count: (last.count ?? 1) + 1 }];
  } else {
    history = [...request.history, { at, event, ...(state ? { state } : {}) }];
  }
  if (history.length > HISTORY_LIMIT) history = [history[0]!, ...history.slice(history.length - HISTORY_LIMIT + 1)];
  return { ...request, ...(state ? { state } : {}), updatedAt: at, history };
}

/** The next onboarding phase not done yet, or undefined when only scheduling is left. */
export function nextPhase(request: OnboardingRequest): Exclude<PhaseId, 'adoption'> | undefined {
  return (['core', 'services', 'form'] as const).find((p) => request.phases[p] !== 'done');
}

export function validateCore(input: unknown): Validation<CoreAnswers> {
  const c = new Checker(readValues(input, ['identityPlan', 'dnsReady']));
  const identityPlan = c.oneOf('identityPlan', IDENTITY_PLANS);
  const dnsReady = c.oneOf('dnsReady', DNS_READINESS);
  return c.done(() => ({ identityPlan: identityPlan!, dnsReady: dnsReady! }));
}

export function validateServices(input: unknown, offered: readonly ServiceId[]): Validation<ServiceAnswers> {
  const c = new Checker(readValues(input, ['services', 'migration']));
  const services = c.manyOf('services', offered);
  const migration = c.values.migration === 'true';
  return c.done(() => ({ services: services!, migration }));
}

export function validateMigration(input: unknown, tier: MigrationTier): Validation<MigrationAnswers> {
  const c = new Checker(readValues(input, ['emailSource', 'mailboxes', 'emailSizeGb', 'fileSource', 'fileSizeTb']));
  const emailSource = c.oneOf('emailSource', EMAIL_SOURCES);
  const fileSource = c.oneOf('fileSource', FILE_SOURCES);
  const decision = evaluateMigration({ emailSource, fileSource }, tier);
  // FastTrack does not offer tenant-to-tenant migration: refused on the field, with the reason.
  if (decision.refused.includes('tenantToTenant')) {
    if (emailSource === 'otherTenant') c.refuse('emailSource', 'tenantToTenant');
    if (fileSource === 'otherTenant') c.refuse('fileSource', 'tenantToTenant');
  }
  const email = emailSource && emailSource !== 'none';
  const files = fileSource && fileSource !== 'none';
  const mailboxes = c.integer('mailboxes', 1, 1_000_000, !email);
  const emailSizeGb = c.number('emailSizeGb', 0, 10_000_000, !email);
  const fileSizeTb = c.number('fileSizeTb', 0, 100_000, !files);
  return c.done(() => ({
    emailSource: emailSource!,
    mailboxes: email ? mailboxes : undefined,
    emailSizeGb: email ? emailSizeGb : undefined,
    fileSource: fileSource!,
    fileSizeTb: files ? fileSizeTb : undefined,
    // "Nothing to move" on both sides is still an answer: guidance, nothing performed.
    mode: decision.mode === 'performed' ? 'performed' : 'guidance',
  }));
}

export const FORM_FIELDS = [
  'products', 'launchDate', 'mailSystem', 'businessReason', 'successOwnerName', 'successOwnerRole', 'dataMigration',
  'requesterName', 'requesterEmail', 'requesterPhone', 'customerName', 'customerEmail', 'preferredLanguage', 'region', 'timeZone',
] as const;

/** The request form; `today` is the user's date (YYYY-MM-DD): launch dates before it are refused. */
export function validateRequestForm(input: unknown, offered: readonly ServiceId[], today: string): Validation<RequestForm> {
  const c = new Checker(readValues(input, FORM_FIELDS));
  const products = c.manyOf('products', offered);
  const launchDate = c.date('launchDate', today);
  const mailSystem = c.oneOf('mailSystem', MAIL_SYSTEMS);
  c.required('businessReason', 1000);
  c.required('successOwnerName');
  c.required('successOwnerRole');
  c.required('requesterName');
  c.email('requesterEmail');
  c.phone('requesterPhone');
  c.required('customerName');
  c.email('customerEmail');
  const preferredLanguage = c.language('preferredLanguage');
  const region = c.region('region');
  const timeZone = c.timeZone('timeZone');
  const v = c.values;
  return c.done(() => ({
    products: products!,
    launchDate: launchDate!,
    mailSystem: mailSystem!,
    businessReason: v.businessReason!,
    successOwnerName: v.successOwnerName!,
    successOwnerRole: v.successOwnerRole!,
    dataMigration: v.dataMigration === 'true',
    requesterName: v.requesterName!,
    requesterEmail: v.requesterEmail!,
    requesterPhone: v.requesterPhone!,
    customerName: v.customerName!,
    customerEmail: v.customerEmail!,
    preferredLanguage: preferredLanguage!,
    region: region!,
    timeZone: timeZone!,
  }));
}

export const PARTNER_FORM_FIELDS = ['partnerName', 'partnerContact', 'partnerId'] as const;

/** The partner's fields: a name, a contact email, and a Partner ID (MPN id) of 6 to 10 digits. */
export function validatePartnerFields(input: unknown): Validation<PartnerFields> {
  const c = new Checker(readValues(input, PARTNER_FORM_FIELDS));
  c.required('partnerName');
  c.email('partnerContact');
  const id = c.values.partnerId ?? '';
  if (!id) c.refuse('partnerId', 'required');
  else if (!/^\d+$/.test(id)) c.refuse('partnerId', 'number');
  else if (id.length < 6 || id.length > 10) c.refuse('partnerId', 'range');
  return c.done(() => ({ partnerName: c.values.partnerName!, partnerContact: c.values.partnerContact!, partnerId: id }));
}

/** The request form of a partner asking for a customer: the form's fields and the partner's, errors of both at once. */
export function validatePartnerRequestForm(input: unknown, offered: readonly ServiceId[], today: string): Validation<RequestForm> {
  const form = validateRequestForm(input, offered, today);
  const partner = validatePartnerFields(input);
  const values = { ...form.values, ...partner.values };
  if (form.ok && partner.ok) return { ok: true, result: { ...form.result, partner: partner.result }, values };
  return { ok: false, errors: { ...(form.ok ? {} : form.errors), ...(partner.ok ? {} : partner.errors) }, values };
}

/** The tenant whose calendars a request's meetings live in: the requester's (a partner's own tenant when a partner asks). */
export function calendarTenantOf(request: Pick<OnboardingRequest, 'tenantId' | 'requester'>): string {
  return request.requester.tenantId || request.tenantId;
}

export function validateAdoption(input: unknown, today: string): Validation<AdoptionAnswers> {
  const c = new Checker(readValues(input, ['launchDate', 'successOwnerName', 'successOwnerRole', 'champions', 'championCount']));
  const launchDate = c.date('launchDate', today);
  c.required('successOwnerName');
  c.required('successOwnerRole');
  if ((c.values.champions ?? '').length > 1000) c.refuse('champions', 'tooLong');
  const championCount = c.integer('championCount', 0, 100_000);
  return c.done(() => ({
    launchDate: launchDate!,
    successOwnerName: c.values.successOwnerName!,
    successOwnerRole: c.values.successOwnerRole!,
    champions: c.values.champions ?? '',
    championCount: championCount!,
  }));
}
