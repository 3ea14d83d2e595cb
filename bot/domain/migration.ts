/**
 * Data migration: the sources FastTrack migrates from, and what it offers for a request.
 *
 * FastTrack migrates email from Exchange on-premises, IMAP and Gmail, and files from file shares,
 * Box, Dropbox and Google Drive. Tenant-to-tenant migration (`otherTenant`, from another
 * Microsoft 365 tenant) is never offered: it is listed so the bot can recognise the request and
 * refuse it with the reason. The tenant's migration tier (from the eligibility engine) decides
 * who moves the data: FastTrack (`performed`, 500+ seats) or the customer with FastTrack's
 * guidance (`guidance`, 150–499). The refusal's text is the locale key `migration.tenantToTenant`.
 */
import type { MigrationTier } from './eligibility';

export const EMAIL_SOURCES = ['exchangeOnPremises', 'imap', 'gmail', 'otherTenant'] as const;
export type EmailSource = (typeof EMAIL_SOURCES)[number];
export const FILE_SOURCES = ['fileShares', 'box', 'dropbox', 'googleDrive', 'otherTenant'] as const;
export type FileSource = (typeof FILE_SOURCES)[number];

/** Why part of a request is refused. */
export type MigrationRefusal = 'tenantToTenant';
export type MigrationMode = 'performed' | 'guidance' | 'notAvailable';

/** What the admin asked to migrate; `'none'` (or absent) means nothing from that side. */
export interface MigrationRequest {
  emailSource?: EmailSource | 'none' | undefined;
  fileSource?: FileSource | 'none' | undefined;
  /** Volumes: kept with the request for the FastTrack Specialist; they do not change the decision. */
  mailboxes?: number | undefined;
  emailSizeGb?: number | undefined;
  fileSizeTb?: number | undefined;
}

export interface MigrationDecision {
  /** True when at least one requested source will be migrated (performed or guided). */
  allowed: boolean;
  /** What was asked and is never offered, each reason once. */
  refused: MigrationRefusal[];
  /** How the allowed part is done; `notAvailable` when nothing is allowed (tier `none`, or nothing acceptable asked). */
  mode: MigrationMode;
  /** True when FastTrack performs the migration: migrated data may be processed in any region, and the customer must be told. */
  showDataLocationNotice: boolean;
}

/** What FastTrack offers for a migration request at a tenant's migration tier. */
export function evaluateMigration(request: MigrationRequest, tier: MigrationTier): MigrationDecision {
  const sources = [request.emailSource, request.fileSource].filter((s): s is EmailSource | FileSource => s !== undefined && s !== 'none');
  const refused: MigrationRefusal[] = sources.includes('otherTenant') ? ['tenantToTenant'] : [];
  const accepted = sources.filter((s) => s !== 'otherTenant');
  const allowed = tier !== 'none' && accepted.length > 0;
  const mode: MigrationMode = !allowed ? 'notAvailable' : tier;
  return { allowed, refused, mode, showDataLocationNotice: mode === 'performed' };
}
