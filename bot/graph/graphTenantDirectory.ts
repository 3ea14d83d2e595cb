import { Client, GraphError as SdkGraphError, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { z } from 'zod';
import type { DirectoryPerson, SubscribedSku, TenantProfile, UserProfile, VerifiedDomain } from '../domain/tenant';
import type { CredentialFactory } from './credentials';
import { GraphError, type TenantDirectory } from './tenantDirectory';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** When Graph does not say (no permission for directory/subscriptions), trials are told by their part number. */
const TRIAL_PART_NUMBER = /TRIAL|DEVELOPERPACK/i;
/** Most pages followed through @odata.nextLink for one collection (Graph pages directory objects by 100). */
const MAX_PAGES = 10;
const USER_ODATA_TYPE = '#microsoft.graph.user';

export interface GraphTenantDirectoryOptions {
  /** Base URL without the version, e.g. https://graph.microsoft.com; `{tenantId}` is replaced per tenant. */
  baseUrl: string;
  credentials: CredentialFactory;
  /** Per call, including the SDK's own retries. */
  timeoutMs?: number;
  /** How often a batch's throttled inner requests are tried again (the SDK does not retry inside a batch). */
  batchRetries?: number;
  /** Longest wait honoured from a Retry-After before giving up. */
  maxRetryAfterSeconds?: number;
}

// Graph answers are untrusted input too: parse only what is used, tolerate what is not.
const organizationSchema = z.object({
  value: z.array(
    z.object({
      displayName: z.string().nullish(),
      countryLetterCode: z.string().nullish(),
      preferredLanguage: z.string().nullish(),
      onPremisesSyncEnabled: z.boolean().nullish(),
      verifiedDomains: z.array(z.object({ name: z.string(), isDefault: z.boolean().nullish(), isInitial: z.boolean().nullish() })).nullish(),
    }),
  ),
});
const skusSchema = z.object({
  value: z.array(
    z.object({
      skuId: z.string(),
      skuPartNumber: z.string(),
      capabilityStatus: z.string().nullish(),
      consumedUnits: z.number().nullish(),
      prepaidUnits: z.object({ enabled: z.number().nullish(), warning: z.number().nullish(), suspended: z.number().nullish() }).nullish(),
      servicePlans: z.array(z.object({ servicePlanName: z.string().nullish() })).nullish(),
      subscriptionIds: z.array(z.string()).nullish(),
    }),
  ),
});
// GET /directory/subscriptions: the only place Graph marks a trial.
const subscriptionsSchema = z.object({
  value: z.array(z.object({ commerceSubscriptionId: z.string().nullish(), skuId: z.string().nullish(), isTrial: z.boolean().nullish() })),
});
const nextLink = { '@odata.nextLink': z.string().nullish() };
const directoryRolesSchema = z.object({ value: z.array(z.object({ roleTemplateId: z.string().nullish() })), ...nextLink });
const roleMembersSchema = z.object({
  value: z.array(z.object({ '@odata.type': z.string().nullish(), id: z.string(), displayName: z.string().nullish(), mail: z.string().nullish() })),
  ...nextLink,
});
const domainsSchema = z.object({
  value: z.array(z.object({ id: z.string(), isVerified: z.boolean().nullish(), authenticationType: z.string().nullish() })),
});
const userSchema = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
  preferredLanguage: z.string().nullish(),
  jobTitle: z.string().nullish(),
  mobilePhone: z.string().nullish(),
  businessPhones: z.array(z.string()).nullish(),
});
const mailboxSchema = z.object({ timeZone: z.string().nullish() });
const batchSchema = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.number(), headers: z.record(z.string(), z.string()).nullish(), body: z.unknown() })),
});

interface BatchStep {
  id: string;
  method: 'GET';
  url: string;
}
type BatchResponse = z.infer<typeof batchSchema>['responses'][number];

/** The Graph gateway on `@microsoft/microsoft-graph-client`: one client per customer tenant. */
export class GraphTenantDirectory implements TenantDirectory {
  private readonly clients = new Map<string, Client>();
  private readonly timeoutMs: number;
  private readonly batchRetries: number;
  private readonly maxRetryAfterSeconds: number;

  constructor(private readonly options: GraphTenantDirectoryOptions) {
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.batchRetries = options.batchRetries ?? 3;
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 30;
  }

  async getTenantProfile(tenantId: string): Promise<TenantProfile> {
    const r = await this.batch(tenantId, [
      { id: 'organization', method: 'GET', url: '/organization?$select=displayName,countryLetterCode,preferredLanguage,onPremisesSyncEnabled,verifiedDomains' },
      { id: 'skus', method: 'GET', url: '/subscribedSkus' },
      { id: 'domains', method: 'GET', url: '/domains' },
      { id: 'subscriptions', method: 'GET', url: '/directory/subscriptions' },
    ]);
    const org = parse(organizationSchema, bodyOf(r, 'organization')).value[0];
    if (!org) throw new GraphError(404, 'OrganizationNotFound', 'Graph returned no organization for the tenant');
    const skus = parse(skusSchema, bodyOf(r, 'skus')).value;
    const domains = parse(domainsSchema, bodyOf(r, 'domains')).value;
    // Some tenants have not granted the permission directory/subscriptions needs: a 403 there
    // leaves trials to be told by their part number rather than failing the whole profile.
    const subscriptionsResponse = r.get('subscriptions')!;
    const subscriptions = subscriptionsResponse.status === 403 ? undefined : parse(subscriptionsSchema, bodyOf(r, 'subscriptions')).value;
    const authTypes = new Map(domains.map((d) => [d.id.toLowerCase(), d.authenticationType]));
    return {
      tenantId,
      displayName: org.displayName ?? '',
      countryLetterCode: org.countryLetterCode ?? undefined,
      preferredLanguage: org.preferredLanguage ?? undefined,
      onPremisesSyncEnabled: org.onPremisesSyncEnabled === true,
      verifiedDomains: (org.verifiedDomains ?? []).map(
        (d): VerifiedDomain => ({
          name: d.name,
          isDefault: d.isDefault === true,
          isInitial: d.isInitial === true,
          authenticationType: asAuthType(authTypes.get(d.name.toLowerCase())),
        }),
      ),
      skus: skus.map(
        (s): SubscribedSku => ({
          skuId: s.skuId,
          skuPartNumber: s.skuPartNumber,
          capabilityStatus: s.capabilityStatus ?? 'Enabled',
          enabledUnits: s.prepaidUnits?.enabled ?? 0,
          warningUnits: s.prepaidUnits?.warning ?? 0,
          suspendedUnits: s.prepaidUnits?.suspended ?? 0,
          consumedUnits: s.consumedUnits ?? 0,
          isTrial: isTrial(s, subscriptions),
          servicePlans: (s.servicePlans ?? []).flatMap((p) => (p.servicePlanName ? [p.servicePlanName] : [])),
        }),
      ),
    };
  }

  async getUserProfile(tenantId: string, userId: string): Promise<UserProfile> {
    const id = encodeURIComponent(userId);
    const r = await this.batch(tenantId, [
      { id: 'user', method: 'GET', url: `/users/${id}?$select=id,displayName,mail,userPrincipalName,preferredLanguage,jobTitle,mobilePhone,businessPhones` },
      { id: 'mailbox', method: 'GET', url: `/users/${id}/mailboxSettings` },
    ]);
    const user = parse(userSchema, bodyOf(r, 'user'));
    // A user without a mailbox has no mailbox settings: no time zone, not an error.
    const mailbox = r.get('mailbox');
    const timeZone = mailbox && mailbox.status < 300 ? parse(mailboxSchema, mailbox.body).timeZone ?? undefined : undefined;
    return {
      id: user.id,
      displayName: user.displayName ?? user.userPrincipalName ?? '',
      mail: user.mail ?? undefined,
      userPrincipalName: user.userPrincipalName ?? '',
      preferredLanguage: user.preferredLanguage ?? undefined,
      jobTitle: user.jobTitle ?? undefined,
      phone: user.businessPhones?.[0] ?? user.mobilePhone ?? undefined,
      timeZone,
    };
  }

  async getDirectoryRoleTemplateIds(tenantId: string, userId: string): Promise<string[]> {
    const url = `/users/${encodeURIComponent(userId)}/transitiveMemberOf/microsoft.graph.directoryRole?$select=roleTemplateId,displayName`;
    const roles = await this.getAllPages(tenantId, url, directoryRolesSchema);
    return [...new Set(roles.flatMap((role) => (role.roleTemplateId ? [role.roleTemplateId.toLowerCase()] : [])))];
  }

  async getRoleMembers(tenantId: string, roleTemplateId: string): Promise<DirectoryPerson[]> {
    // The id goes into an OData key literal: only a GUID may, so nothing can break out of the quotes.
    if (!GUID.test(roleTemplateId)) throw new GraphError(400, 'InvalidRoleTemplateId', 'The role template id is not a GUID');
    const url = `/directoryRoles(roleTemplateId='${roleTemplateId}')/members?$select=id,displayName,mail`;
    let members: z.infer<typeof roleMembersSchema>['value'];
    try {
      members = await this.getAllPages(tenantId, url, roleMembersSchema);
    } catch (error) {
      // A role nobody was ever assigned is not activated in the tenant: Graph answers 404 for it.
      // (An Authorization_* 404 is about the caller or the tenant, not the role.)
      if (error instanceof GraphError && error.status === 404 && !error.code.startsWith('Authorization_')) return [];
      throw error;
    }
    // Apps (service principals) and groups can hold roles too; only people are wanted here.
    return members
      .filter((m) => m['@odata.type'] === USER_ODATA_TYPE)
      .map((m): DirectoryPerson => ({ id: m.id, displayName: m.displayName ?? '', mail: m.mail ?? undefined }));
  }

  async ping(): Promise<boolean> {
    try {
      // Any HTTP answer from the host means it is reachable; auth is per tenant and not tested here.
      await fetch(new URL(this.options.baseUrl.replace('{tenantId}', 'ping')).origin, { method: 'HEAD', signal: AbortSignal.timeout(3000) });
      return true;
    } catch {
      return false;
    }
  }

  /** Sends steps as one JSON batch; throttled inner steps are retried (bounded), other failures thrown. */
  private async batch(tenantId: string, steps: BatchStep[]): Promise<Map<string, BatchResponse>> {
    const client = this.clientFor(tenantId);
    const results = new Map<string, BatchResponse>();
    let pending = steps;
    for (let attempt = 0; ; attempt++) {
      const raw = await this.call(() => client.api('/$batch').post({ requests: pending }));
      const { responses } = parse(batchSchema, raw);
      const retry: BatchStep[] = [];
      let wait = 0;
      for (const step of pending) {
        const response = responses.find((x) => x.id === step.id);
        if (!response) throw new GraphError(502, 'BatchResponseMissing', `Graph's batch answer had no response for step ${step.id}`);
        if ([429, 503, 504].includes(response.status) && attempt < this.batchRetries) {
          retry.push(step);
          wait = Math.max(wait, retryAfter(response.headers) ?? 2 ** attempt);
        } else {
          results.set(step.id, response);
        }
      }
      if (retry.length === 0) return results;
      if (wait > this.maxRetryAfterSeconds) {
        throw new GraphError(429, 'TooManyRequests', `Graph asked to wait ${wait} s, longer than ${this.maxRetryAfterSeconds} s`, wait);
      }
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      pending = retry;
    }
  }

  /**
   * GETs a collection and follows its @odata.nextLink (at most MAX_PAGES pages). A next link must
   * point below the tenant's own base URL and version; it is then sent through the same client.
   */
  private async getAllPages<T>(tenantId: string, url: string, schema: z.ZodType<{ value: T[]; '@odata.nextLink'?: string | null | undefined }>): Promise<T[]> {
    const client = this.clientFor(tenantId);
    const items: T[] = [];
    let next: string | undefined = url;
    for (let page = 0; next !== undefined; page++) {
      if (page >= MAX_PAGES) throw new GraphError(502, 'TooManyPages', `Graph's answer ran to more than ${MAX_PAGES} pages`);
      const path: string = next;
      const body = parse(schema, await this.call(() => client.api(path).get() as Promise<unknown>));
      items.push(...body.value);
      next = body['@odata.nextLink'] ? this.relativeToVersion(tenantId, body['@odata.nextLink']) : undefined;
    }
    return items;
  }

  /** '/users/…?$skiptoken=…' for a next link under the tenant's base URL and version; GraphError otherwise. */
  private relativeToVersion(tenantId: string, link: string): string {
    const root = new URL(`${this.baseUrlFor(tenantId)}/v1.0/`);
    let target: URL;
    try {
      target = new URL(link);
    } catch {
      throw new GraphError(502, 'UnexpectedNextLink', 'Graph returned a next link that is not a URL');
    }
    if (target.origin !== root.origin || !target.pathname.startsWith(root.pathname)) {
      throw new GraphError(502, 'UnexpectedNextLink', 'Graph returned a next link outside the Graph endpoint');
    }
    return `/${target.pathname.slice(root.pathname.length)}${target.search}`;
  }

  private baseUrlFor(tenantId: string): string {
    return this.options.baseUrl.replace('{tenantId}', tenantId).replace(/\/+$/, '');
  }

  private clientFor(tenantId: string): Client {
    if (!GUID.test(tenantId)) throw new GraphError(400, 'InvalidTenantId', 'The tenant id is not a GUID');
    let client = this.clients.get(tenantId);
    if (!client) {
      const baseUrl = this.baseUrlFor(tenantId);
      const credential = this.options.credentials(tenantId);
      const authProvider: AuthenticationProvider = credential
        ? new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] })
        : { getAccessToken: async () => '' };
      const host = new URL(baseUrl).hostname;
      client = Client.initWithMiddleware({
        authProvider,
        baseUrl,
        defaultVersion: 'v1.0',
        // Tokens are only attached to Graph's own hosts or the ones listed here (e.g. national clouds).
        ...(credential && baseUrl.startsWith('https:') && host !== 'graph.microsoft.com' ? { customHosts: new Set([host]) } : {}),
      });
      this.clients.set(tenantId, client);
    }
    return client;
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GraphError(504, 'Timeout', `Graph did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([request(), timeout]);
    } catch (error) {
      throw toGraphError(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

function bodyOf(responses: Map<string, BatchResponse>, id: string): unknown {
  const response = responses.get(id)!;
  if (response.status >= 300) {
    const code = z.object({ error: z.object({ code: z.string() }) }).safeParse(response.body);
    throw new GraphError(response.status, code.success ? code.data.error.code : 'UnknownError', `Graph answered ${response.status} for ${id}`, retryAfter(response.headers));
  }
  return response.body;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new GraphError(502, 'UnexpectedResponse', `Graph's answer did not have the expected shape at ${result.error.issues[0]?.path.join('.') ?? '?'}`);
  return result.data;
}

function retryAfter(headers: Record<string, string> | null | undefined): number | undefined {
  const value = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const seconds = value === undefined ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * True when a subscription behind the SKU is a trial. `subscribedSku.subscriptionIds` holds the
 * commerce subscription ids; a SKU none of whose ids is listed is matched by skuId. Without
 * subscriptions (no permission), or with none found for the SKU, the part number decides.
 */
function isTrial(
  sku: z.infer<typeof skusSchema>['value'][number],
  subscriptions: z.infer<typeof subscriptionsSchema>['value'] | undefined,
): boolean {
  const byPartNumber = TRIAL_PART_NUMBER.test(sku.skuPartNumber);
  if (!subscriptions) return byPartNumber;
  const ids = new Set((sku.subscriptionIds ?? []).map((id) => id.toLowerCase()));
  let linked = subscriptions.filter((x) => x.commerceSubscriptionId && ids.has(x.commerceSubscriptionId.toLowerCase()));
  if (linked.length === 0) linked = subscriptions.filter((x) => x.skuId?.toLowerCase() === sku.skuId.toLowerCase());
  return linked.length > 0 ? linked.some((x) => x.isTrial === true) : byPartNumber;
}

function asAuthType(value: string | null | undefined): VerifiedDomain['authenticationType'] {
  return value === 'Managed' || value === 'Federated' ? value : undefined;
}

/** Maps anything the SDK or the network throws to GraphError, without response bodies or tokens. */
export function toGraphError(error: unknown): GraphError {
  if (error instanceof GraphError) return error;
  if (error instanceof SdkGraphError) {
    const status = error.statusCode > 0 ? error.statusCode : 0;
    const code = error.code ?? (status === 0 ? 'NetworkError' : 'UnknownError');
    const seconds = Number(error.headers?.get('retry-after'));
    return new GraphError(status, code, `Graph request failed with ${status || 'no answer'} ${code}`, Number.isFinite(seconds) ? seconds : undefined);
  }
  const name = error instanceof Error ? error.name : 'Error';
  return new GraphError(0, 'NetworkError', `Graph could not be reached (${name})`);
}
