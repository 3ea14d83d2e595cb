/**
 * The service catalog: the services an admin can onboard, as data (`bot/data/services.json`):
 * which service plans bring each service, its prerequisites, and which data migration it takes.
 *
 * A service is offered when one of its service plans is in a SKU the tenant holds (see
 * `servicesForTenant`). A plan may bring several services: OneDrive runs on SharePoint Online and
 * every SharePoint Online plan includes OneDrive storage, so `onedrive` lists the SharePoint plans
 * as well as the OneDrive-only plans (ONEDRIVESTANDARD, ONEDRIVEENTERPRISE of the standalone
 * OneDrive SKUs), while `sharepoint` lists only SharePoint plans. Each service says it in its own
 * list, so the file reads without rules hidden in code.
 */
import { z } from 'zod';
import { validateDataFile, type DataFileProblem } from './eligibility';
import type { SubscribedSku } from './tenant';

/**
 * Service ids (locale keys `services.<id>`). `entra` (Microsoft Entra ID P1/P2 features:
 * Conditional Access, MFA, self-service password reset, Privileged Identity Management) is a
 * service of its own because Entra ID P1/P2 are eligible plans on their own: a tenant holding
 * only those must still be offered something. Identity integration itself (sync, federation)
 * stays in core onboarding.
 */
export const SERVICE_IDS = ['exchange', 'sharepoint', 'onedrive', 'teams', 'apps', 'intune', 'entra'] as const;
export type ServiceId = (typeof SERVICE_IDS)[number];

/**
 * Prerequisite ids (locale keys `prerequisites.<id>`, already in cards/locales), with their meaning:
 * - `mxRecord`: the domain's MX record points to Exchange Online (`<domain>.mail.protection.outlook.com`).
 * - `autodiscoverRecord`: a CNAME `autodiscover.<domain>` → `autodiscover.outlook.com`, so Outlook finds the mailbox.
 * - `spfRecord`: the domain's SPF TXT record includes `spf.protection.outlook.com`.
 * - `network`: the network is ready for Teams real-time media (Microsoft 365 endpoints reachable, media ports open, media not proxied).
 * - `exchangeForCalendar`: mailboxes in Exchange Online (or Exchange Server in hybrid), so Teams shows calendars and schedules meetings.
 * - `identity`: the users exist in Microsoft Entra ID (cloud-only or synchronised) and sign in with their work account.
 * - `clients`: devices run a Windows or macOS version the desktop apps and the OneDrive sync app support.
 * - `deviceEnrollment`: device enrolment settings decided (platforms allowed, automatic enrolment, Autopilot / Apple enrolment).
 * - `licensesAssigned`: the users who will use the service have a licence that includes it.
 * - `sharepointForFiles`: SharePoint Online and OneDrive enabled, where Teams keeps channel and chat files.
 * - `dnsRecords`: the service's DNS records (for Intune the `enterpriseenrollment` / `enterpriseregistration` CNAMEs).
 * - `browser`: a supported browser for the web experiences.
 * - `updateChannel`: a Microsoft 365 Apps update channel chosen (Current, Monthly Enterprise, Semi-Annual Enterprise).
 * - `mdmAuthority`: Intune set as the tenant's mobile device management authority.
 * - `conditionalAccess`: a Conditional Access plan (policies to start with, emergency-access accounts excluded).
 */
export const PREREQUISITE_IDS = [
  'mxRecord',
  'autodiscoverRecord',
  'spfRecord',
  'network',
  'exchangeForCalendar',
  'identity',
  'clients',
  'deviceEnrollment',
  'licensesAssigned',
  'sharepointForFiles',
  'dnsRecords',
  'browser',
  'updateChannel',
  'mdmAuthority',
  'conditionalAccess',
] as const;
export type PrerequisiteId = (typeof PREREQUISITE_IDS)[number];

/** The data a service's migration moves: mailboxes (`email`) or files (`files`). */
export const MIGRATION_KINDS = ['email', 'files'] as const;
export type MigrationKind = (typeof MIGRATION_KINDS)[number];

export interface CatalogService {
  id: ServiceId;
  /** Service plan names (as in `subscribedSku.servicePlans`) that bring the service. */
  servicePlans: readonly string[];
  prerequisites: readonly PrerequisiteId[];
  /** The data migration that lands in this service, if any. */
  migration: MigrationKind | undefined;
}

export interface ServiceCatalog {
  /** In the order the bot shows them. */
  services: readonly CatalogService[];
}

const FILE = 'services.json';
const PLAN_NAME = /^[\w().-]+$/;

const catalogSchema = z.strictObject({
  $comment: z.union([z.string(), z.array(z.string())]).optional(),
  services: z
    .array(
      z.strictObject({
        id: z.enum(SERVICE_IDS),
        servicePlans: z.array(z.string().trim().min(1).max(100).regex(PLAN_NAME, { error: 'must be a service plan name (letters, digits, _ . - ( ) only)' })).min(1),
        prerequisites: z.array(z.enum(PREREQUISITE_IDS)),
        migration: z.enum(MIGRATION_KINDS).optional(),
      }),
    )
    .min(1),
});
type CatalogFile = z.infer<typeof catalogSchema>;

function firstSeen<T>(list: readonly T[], keyOf: (t: T) => string, report: (i: number, first: number) => void): void {
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const k = keyOf(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else report(i, first);
  });
}

function crossCheckCatalog(file: CatalogFile): DataFileProblem[] {
  const problems: DataFileProblem[] = [];
  firstSeen(file.services, (s) => s.id, (i, first) =>
    problems.push({ path: `services[${i}].id`, message: `${JSON.stringify(file.services[i]!.id)} is listed twice (also at services[${first}].id): each service may appear once` }),
  );
  file.services.forEach((s, i) => {
    firstSeen(s.servicePlans, (p) => p.toUpperCase(), (j, first) =>
      problems.push({ path: `services[${i}].servicePlans[${j}]`, message: `${JSON.stringify(s.servicePlans[j])} is listed twice (also at servicePlans[${first}])` }),
    );
    firstSeen(s.prerequisites, (p) => p, (j, first) =>
      problems.push({ path: `services[${i}].prerequisites[${j}]`, message: `${JSON.stringify(s.prerequisites[j])} is listed twice (also at prerequisites[${first}])` }),
    );
  });
  return problems;
}

/**
 * Validates the service catalog (the parsed JSON of `services.json`): known service and
 * prerequisite ids, each service once, no plan or prerequisite twice within a service.
 * @throws DataFileError naming every problem, e.g. `services.json: services[2].id "exchange" is listed twice ...`.
 */
export function parseServiceCatalog(json: unknown): ServiceCatalog {
  const file = validateDataFile(FILE, catalogSchema, json, crossCheckCatalog);
  return {
    services: file.services.map((s) => ({ id: s.id, servicePlans: [...s.servicePlans], prerequisites: [...s.prerequisites], migration: s.migration })),
  };
}

/**
 * The services a tenant's SKUs include, in catalog order: those with a service plan in a SKU that
 * is current (`Enabled`, or `Warning`: in its grace period, users still have the service), is not
 * a trial, and has units. Free SKUs count here (a free Teams SKU does give Teams) even though
 * they never count towards eligibility. Plan names compare case-insensitively.
 */
export function servicesForTenant(skus: readonly SubscribedSku[], catalog: ServiceCatalog): ServiceId[] {
  const plans = new Set<string>();
  for (const sku of skus) {
    const current = sku.capabilityStatus === 'Enabled' || sku.capabilityStatus === 'Warning';
    const hasUnits = sku.enabledUnits + sku.warningUnits > 0;
    if (current && hasUnits && !sku.isTrial) for (const plan of sku.servicePlans) plans.add(plan.toUpperCase());
  }
  return catalog.services.filter((s) => s.servicePlans.some((p) => plans.has(p.toUpperCase()))).map((s) => s.id);
}

/** The prerequisites of the chosen services, each once, in catalog order. */
export function prerequisitesFor(services: readonly string[], catalog: ServiceCatalog): PrerequisiteId[] {
  const chosen = catalog.services.filter((s) => services.includes(s.id));
  return [...new Set(chosen.flatMap((s) => s.prerequisites))];
}

/** The migrations the chosen services take (`email`, `files`), each once, in catalog order. */
export function migrationKindsFor(services: readonly string[], catalog: ServiceCatalog): MigrationKind[] {
  const kinds = catalog.services.filter((s) => services.includes(s.id)).map((s) => s.migration);
  return [...new Set(kinds.filter((k): k is MigrationKind => k !== undefined))];
}
