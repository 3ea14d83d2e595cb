import path from 'node:path';
import { z } from 'zod';

/** Every environment variable the bot reads. `config.ts` is the only reader of `process.env`. */
export const CONFIG_KEYS = [
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'TURN_BUDGET_MS',
  'MicrosoftAppId',
  'MicrosoftAppPassword',
  'MicrosoftAppType',
  'MicrosoftAppTenantId',
  'AZURE_STORAGE_CONNECTION_STRING',
  'STORAGE_STATE_CONTAINER',
  'STORAGE_RECORDS_CONTAINER',
  'STORAGE_QUEUE_NAME',
  'DATA_DIR',
  'AZURITE_BLOB_PORT',
  'AZURITE_QUEUE_PORT',
  'GRAPH_BASE_URL',
  'GRAPH_AUTH',
  'GRAPH_CLIENT_ID',
  'GRAPH_CLIENT_SECRET',
  'GRAPH_CERTIFICATE_PATH',
  'GRAPH_MANAGED_IDENTITY_CLIENT_ID',
  'NOTIFICATION_URL',
  'LOCAL_TENANT_PORT',
  'ADMIN_ROLE_TEMPLATE_IDS',
  'ELIGIBILITY_RULES_PATH',
  'SERVICE_CATALOG_PATH',
  'CENTERS_PATH',
  'PRODUCT_NAMES_PATH',
  'REMINDER_OFFSETS',
  'OUTBOX_POLL_MS',
  'OUTBOX_MAX_ATTEMPTS',
  'PROACTIVE_TENANT_RATE_PER_SECOND',
  'FASTTRACK_STAFF_TENANT_ID',
  'FASTTRACK_CENTER_TEAM_ID',
] as const;

/** Global Administrator: the role FastTrack asks of a requester unless configured otherwise. */
export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';

/** The local tenant's FastTrack staff tenant and triage team: pinned, so tests and people can rely on them. */
export const LOCAL_STAFF_TENANT_ID = 'f4571ac0-0000-4000-8000-000000000005';
export const LOCAL_CENTER_TEAM_ID = '19:fasttrack-center@thread.tacv2';

export type ConfigKey = (typeof CONFIG_KEYS)[number];
export type Env = Partial<Record<string, string | undefined>>;

const APP_TYPES = ['SingleTenant', 'UserAssignedMSI', 'MultiTenant'] as const;
const GRAPH_AUTHS = ['local', 'clientSecret', 'certificate', 'managedIdentity'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Azure container and queue names: 3-63 lowercase letters, digits and single hyphens.
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const QUEUE = /^(?=.{3,56}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** One configuration key that is wrong, with the fix. */
export class ConfigError extends Error {
  constructor(
    readonly key: ConfigKey,
    problem: string,
    fix: string,
  ) {
    super(`${key} ${problem}; ${fix}`);
    this.name = 'ConfigError';
  }
}

/** Production has no local emulator to fall back to: the storage account must be configured. */
export function productionStorageMissing(): ConfigError {
  return new ConfigError('AZURE_STORAGE_CONNECTION_STRING', 'is required in production', "set the storage account's connection string; npm start runs the local Azurite instead");
}

/** Production has no local tenant to fall back to: Graph credentials must be configured. */
export function productionGraphMissing(): ConfigError {
  return new ConfigError('GRAPH_AUTH', 'is required in production', 'set GRAPH_AUTH (managedIdentity, certificate or clientSecret) and GRAPH_CLIENT_ID; npm start runs the local tenant instead');
}

const port = (fix: string) =>
  z.coerce
    .number({ error: `must be a port number; ${fix}` })
    .int(`must be a whole port number; ${fix}`)
    .min(0, `must be between 0 and 65535; ${fix}`)
    .max(65535, `must be between 0 and 65535; ${fix}`);

/** The schema: each message reads as "<KEY> <message>". */
const schema = z.object({
  PORT: port('for example PORT=3978').default(3978),
  HOST: z.string().min(1, 'must not be empty; for example HOST=0.0.0.0').default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  TURN_BUDGET_MS: z.coerce
    .number({ error: 'must be a number of milliseconds; for example TURN_BUDGET_MS=10000' })
    .int('must be a whole number of milliseconds; for example TURN_BUDGET_MS=10000')
    .min(1000, 'must be at least 1000; for example TURN_BUDGET_MS=10000')
    .max(14000, 'must be at most 14000 (channels wait about 15 s for an answer); for example TURN_BUDGET_MS=10000')
    .default(10000),
  MicrosoftAppId: z.string().regex(GUID, 'must be the bot\'s Entra app (client) id, a GUID; leave it unset to run locally without auth').optional(),
  MicrosoftAppPassword: z.string().optional(),
  MicrosoftAppType: z.enum(APP_TYPES, { error: `must be one of ${APP_TYPES.join(', ')}` }).optional(),
  MicrosoftAppTenantId: z.string().regex(GUID, 'must be a tenant id (GUID)').optional(),
  AZURE_STORAGE_CONNECTION_STRING: z
    .string()
    .refine((s) => /AccountName=|UseDevelopmentStorage=true|BlobEndpoint=/i.test(s), 'does not look like an Azure Storage connection string; copy it from the storage account\'s "Access keys" page, or unset it to use the local Azurite')
    .optional(),
  STORAGE_STATE_CONTAINER: z.string().regex(CONTAINER, 'must be 3-63 lowercase letters, digits or hyphens').default('botstate'),
  STORAGE_RECORDS_CONTAINER: z.string().regex(CONTAINER, 'must be 3-63 lowercase letters, digits or hyphens').default('records'),
  // 56 at most: the poison queue beside it is named `<name>-poison`.
  STORAGE_QUEUE_NAME: z.string().regex(QUEUE, 'must be 3-56 lowercase letters, digits or hyphens').default('fasttrack-work'),
  DATA_DIR: z.string().min(1, 'must not be empty; for example DATA_DIR=.data').default('.data'),
  AZURITE_BLOB_PORT: port('for example AZURITE_BLOB_PORT=10000').default(10000),
  AZURITE_QUEUE_PORT: port('for example AZURITE_QUEUE_PORT=10001').default(10001),
  GRAPH_BASE_URL: z.url({ error: 'must be a URL such as https://graph.microsoft.com (it may contain {tenantId})' }).optional(),
  GRAPH_AUTH: z.enum(GRAPH_AUTHS, { error: `must be one of ${GRAPH_AUTHS.join(', ')}` }).default('local'),
  GRAPH_CLIENT_ID: z.string().regex(GUID, 'must be the multi-tenant Graph app\'s client id (GUID)').optional(),
  GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
  GRAPH_CERTIFICATE_PATH: z.string().min(1).optional(),
  GRAPH_MANAGED_IDENTITY_CLIENT_ID: z.string().regex(GUID, 'must be the user-assigned identity\'s client id (GUID)').optional(),
  NOTIFICATION_URL: z
    .url({ protocol: /^https?$/, error: 'must be the absolute URL of the bot\'s /api/notifications; for example NOTIFICATION_URL=https://bot.example.com/api/notifications' })
    .optional(),
  LOCAL_TENANT_PORT: port('for example LOCAL_TENANT_PORT=3979').default(3979),
  ADMIN_ROLE_TEMPLATE_IDS: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean))
    .refine((ids) => ids.length > 0 && ids.every((id) => GUID.test(id)), 'must be a comma-separated list of directory role template ids (GUIDs); for example 62e90394-69f5-4237-9190-012177145e10 (Global Administrator)')
    .default([GLOBAL_ADMINISTRATOR]),
  ELIGIBILITY_RULES_PATH: z.string().min(1).optional(),
  SERVICE_CATALOG_PATH: z.string().min(1).optional(),
  CENTERS_PATH: z.string().min(1).optional(),
  PRODUCT_NAMES_PATH: z.string().min(1).optional(),
  REMINDER_OFFSETS: z
    .string()
    .transform((s) => [...new Set(s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean))])
    .refine((offsets) => offsets.length >= 1 && offsets.length <= 5 && offsets.every((o) => /^[1-9]\d{0,3}[mhd]$/.test(o)), 'must be 1 to 5 comma-separated times before a meeting, each a number and m, h or d; for example REMINDER_OFFSETS=24h,1h')
    .default(['24h', '1h']),
  OUTBOX_POLL_MS: z.coerce
    .number({ error: 'must be a number of milliseconds; for example OUTBOX_POLL_MS=1000' })
    .int('must be a whole number of milliseconds; for example OUTBOX_POLL_MS=1000')
    .min(10, 'must be at least 10; for example OUTBOX_POLL_MS=1000')
    .max(60000, 'must be at most 60000; for example OUTBOX_POLL_MS=1000')
    .default(1000),
  OUTBOX_MAX_ATTEMPTS: z.coerce
    .number({ error: 'must be a number; for example OUTBOX_MAX_ATTEMPTS=5' })
    .int('must be a whole number; for example OUTBOX_MAX_ATTEMPTS=5')
    .min(1, 'must be between 1 and 100; for example OUTBOX_MAX_ATTEMPTS=5')
    .max(100, 'must be between 1 and 100; for example OUTBOX_MAX_ATTEMPTS=5')
    .default(5),
  PROACTIVE_TENANT_RATE_PER_SECOND: z.coerce
    .number({ error: 'must be a number; for example PROACTIVE_TENANT_RATE_PER_SECOND=50' })
    .int('must be a whole number; for example PROACTIVE_TENANT_RATE_PER_SECOND=50')
    .min(1, 'must be between 1 and 1000; for example PROACTIVE_TENANT_RATE_PER_SECOND=50')
    .max(1000, 'must be between 1 and 1000; for example PROACTIVE_TENANT_RATE_PER_SECOND=50')
    .default(50),
  FASTTRACK_STAFF_TENANT_ID: z
    .string()
    .regex(GUID, 'must be the tenant id (GUID) where FastTrack staff sign in; for example FASTTRACK_STAFF_TENANT_ID=f4571ac0-0000-4000-8000-000000000005')
    .transform((s) => s.toLowerCase())
    .default(LOCAL_STAFF_TENANT_ID),
  FASTTRACK_CENTER_TEAM_ID: z
    .string()
    .regex(/^19:[^\s]{1,200}@thread\.(tacv2|skype)$/, 'must be a Teams team id such as 19:…@thread.tacv2; for example FASTTRACK_CENTER_TEAM_ID=19:fasttrack-center@thread.tacv2')
    .default(LOCAL_CENTER_TEAM_ID),
});

export type GraphAuth =
  | { kind: 'local' }
  | { kind: 'clientSecret'; clientId: string; clientSecret: string }
  | { kind: 'certificate'; clientId: string; certificatePath: string }
  | { kind: 'managedIdentity'; clientId: string; managedIdentityClientId?: string };

/** The validated configuration. */
export interface Config {
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Longest a Graph call of a turn may take, its retries and Retry-After waits included. */
  turnBudgetMs: number;
  /** What botbuilder's ConfigurationBotFrameworkAuthentication reads; empty app id = no inbound auth (local only). */
  botAuth: {
    MicrosoftAppId: string;
    MicrosoftAppPassword: string;
    MicrosoftAppType: (typeof APP_TYPES)[number];
    MicrosoftAppTenantId: string;
  };
  storage:
    | { kind: 'azure'; connectionString: string; stateContainer: string; recordsContainer: string; queueName: string }
    | { kind: 'azurite'; dataDir: string; blobPort: number; queuePort: number; stateContainer: string; recordsContainer: string; queueName: string };
  graph: {
    /** Base URL without version; `{tenantId}` is replaced per customer tenant. Undefined = start the local tenant. */
    baseUrl: string | undefined;
    auth: GraphAuth;
    localTenantPort: number;
    /** Where Graph posts change notifications of calendar subscriptions; undefined = `http://127.0.0.1:{port}/api/notifications` (local). */
    notificationUrl: string | undefined;
  };
  dataDir: string;
  /** Directory roles (template ids, lower case) whose holders may request FastTrack help. */
  adminRoleTemplateIds: string[];
  /** Operator-editable data files, validated at start-up. */
  eligibilityRulesPath: string;
  serviceCatalogPath: string;
  centersPath: string;
  productNamesPath: string;
  /** Reminders before each meeting (occurrence): how long before, as `24h`, `1h`, `30m`, `2d`. */
  reminderOffsets: string[];
  /** The dispatcher of proactive notices: pause between polls of an empty queue, tries before the poison queue. */
  /** `tenantRatePerSecond`: the ceiling of proactive messages per second to one tenant. */
  outbox: { pollMs: number; maxAttempts: number; tenantRatePerSecond: number };
  /** FastTrack's side: the tenant its staff sign in to, and the team whose channel triages requests. */
  fastTrack: { staffTenantId: string; centerTeamId: string };
}

/** An operator-set data file (relative to the working directory), else the one shipped beside this module (bot/data, dist/bot/data). */
function dataFile(configured: string | undefined, shipped: string, cwd: string): string {
  return configured ? path.resolve(cwd, configured) : path.join(__dirname, 'data', shipped);
}

/** Reads and validates configuration; throws one ConfigError naming the first bad key. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  // Unset and empty are the same thing: an empty App Service setting must not count as a value.
  const raw: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const value = env[key]?.trim();
    if (value) raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]) as ConfigKey;
    const [problem, ...fix] = issue.message.split('; ');
    throw new ConfigError(key, problem ?? 'is invalid', fix.join('; ') || `see the configuration table in README.md`);
  }
  const c = parsed.data;

  const appId = c.MicrosoftAppId ?? '';
  const appType = c.MicrosoftAppType ?? (appId ? 'SingleTenant' : 'MultiTenant');
  if (appId && appType !== 'UserAssignedMSI' && !c.MicrosoftAppPassword) {
    throw new ConfigError('MicrosoftAppPassword', 'is required when MicrosoftAppId is set', `set the bot registration's client secret, or use MicrosoftAppType=UserAssignedMSI`);
  }
  if (appId && appType !== 'MultiTenant' && !c.MicrosoftAppTenantId) {
    throw new ConfigError('MicrosoftAppTenantId', `is required for MicrosoftAppType=${appType}`, 'set the tenant id of the bot registration');
  }
  if (!appId && (c.MicrosoftAppPassword || c.MicrosoftAppType)) {
    throw new ConfigError('MicrosoftAppId', 'is required when MicrosoftAppPassword or MicrosoftAppType is set', 'set the bot\'s app id, or unset both to run locally');
  }

  let auth: GraphAuth;
  if (c.GRAPH_AUTH === 'local') {
    auth = { kind: 'local' };
  } else {
    if (!c.GRAPH_CLIENT_ID) {
      throw new ConfigError('GRAPH_CLIENT_ID', `is required when GRAPH_AUTH=${c.GRAPH_AUTH}`, 'set the client id of the multi-tenant Graph app');
    }
    if (c.GRAPH_AUTH === 'clientSecret') {
      if (!c.GRAPH_CLIENT_SECRET) throw new ConfigError('GRAPH_CLIENT_SECRET', 'is required when GRAPH_AUTH=clientSecret', 'set the Graph app\'s client secret');
      auth = { kind: 'clientSecret', clientId: c.GRAPH_CLIENT_ID, clientSecret: c.GRAPH_CLIENT_SECRET };
    } else if (c.GRAPH_AUTH === 'certificate') {
      if (!c.GRAPH_CERTIFICATE_PATH) throw new ConfigError('GRAPH_CERTIFICATE_PATH', 'is required when GRAPH_AUTH=certificate', 'set the path of a PEM file holding the certificate and its private key');
      auth = { kind: 'certificate', clientId: c.GRAPH_CLIENT_ID, certificatePath: path.resolve(cwd, c.GRAPH_CERTIFICATE_PATH) };
    } else {
      auth = { kind: 'managedIdentity', clientId: c.GRAPH_CLIENT_ID, ...(c.GRAPH_MANAGED_IDENTITY_CLIENT_ID ? { managedIdentityClientId: c.GRAPH_MANAGED_IDENTITY_CLIENT_ID } : {}) };
    }
  }
  if (auth.kind !== 'local' && c.GRAPH_BASE_URL?.startsWith('http:')) {
    throw new ConfigError('GRAPH_BASE_URL', 'must use https when Graph credentials are configured', 'use https://graph.microsoft.com, or GRAPH_AUTH=local for the local tenant');
  }

  const dataDir = path.resolve(cwd, c.DATA_DIR);
  const names = { stateContainer: c.STORAGE_STATE_CONTAINER, recordsContainer: c.STORAGE_RECORDS_CONTAINER, queueName: c.STORAGE_QUEUE_NAME };
  return {
    port: c.PORT,
    host: c.HOST,
    logLevel: c.LOG_LEVEL,
    turnBudgetMs: c.TURN_BUDGET_MS,
    botAuth: {
      MicrosoftAppId: appId,
      MicrosoftAppPassword: c.MicrosoftAppPassword ?? '',
      MicrosoftAppType: appType,
      MicrosoftAppTenantId: c.MicrosoftAppTenantId ?? '',
    },
    storage: c.AZURE_STORAGE_CONNECTION_STRING
      ? { kind: 'azure', connectionString: c.AZURE_STORAGE_CONNECTION_STRING, ...names }
      : { kind: 'azurite', dataDir: path.join(dataDir, 'azurite'), blobPort: c.AZURITE_BLOB_PORT, queuePort: c.AZURITE_QUEUE_PORT, ...names },
    graph: {
      baseUrl: c.GRAPH_BASE_URL ?? (auth.kind === 'local' ? undefined : 'https://graph.microsoft.com'),
      auth,
      localTenantPort: c.LOCAL_TENANT_PORT,
      notificationUrl: c.NOTIFICATION_URL,
    },
    dataDir,
    adminRoleTemplateIds: c.ADMIN_ROLE_TEMPLATE_IDS,
    eligibilityRulesPath: dataFile(c.ELIGIBILITY_RULES_PATH, 'eligibility.json', cwd),
    serviceCatalogPath: dataFile(c.SERVICE_CATALOG_PATH, 'services.json', cwd),
    centersPath: dataFile(c.CENTERS_PATH, 'centers.json', cwd),
    productNamesPath: dataFile(c.PRODUCT_NAMES_PATH, 'products.json', cwd),
    reminderOffsets: c.REMINDER_OFFSETS,
    outbox: { pollMs: c.OUTBOX_POLL_MS, maxAttempts: c.OUTBOX_MAX_ATTEMPTS, tenantRatePerSecond: c.PROACTIVE_TENANT_RATE_PER_SECOND },
    fastTrack: { staffTenantId: c.FASTTRACK_STAFF_TENANT_ID, centerTeamId: c.FASTTRACK_CENTER_TEAM_ID },
  };
}
