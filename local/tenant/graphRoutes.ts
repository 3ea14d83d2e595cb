/**
 * The Graph v1.0 endpoints of the local tenant: pure functions from a request on one seeded
 * tenant to a status and a JSON body shaped as real Graph answers. No HTTP here; the server
 * (and the $batch handler) call `routeGraphRequest`.
 *
 * To add an endpoint: add a route to ROUTES (path segments, `{name}` for a parameter, also inside
 * a segment as in `directoryRoles(roleTemplateId='{templateId}')`) with a handler per method.
 * The calendar endpoints live in calendarRoutes.ts and are listed here through CALENDAR_ROUTES.
 *
 * Collections of directory objects (users, memberOf, role members, …) are paged as Graph pages
 * them: at most `pageSize` objects per answer, the rest behind `@odata.nextLink` (`$skiptoken`).
 */
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { CALENDAR_ROUTES } from './calendarRoutes';
import { DIRECTORY_ROLE_TEMPLATES } from './catalog';
import { deterministicGuid, type SeedServicePrincipal, type SeedTenant, type SeedUser } from './seed';

/** A Graph answer before it is written: the error body gets its innerError when sent. */
export interface GraphResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GraphRequest {
  tenantId: string;
  tenant: SeedTenant;
  /** Upper case. */
  method: string;
  /** Decoded path segments after the version, e.g. ['users', 'megan@contoso.com']. */
  segments: string[];
  query: URLSearchParams;
  /** e.g. http://127.0.0.1:51234/tenants/{tenantId}/v1.0, for @odata.context. */
  serviceRoot: string;
  body?: unknown;
  /** Objects per page of a directory-object collection; Graph's default of 100 when absent. */
  pageSize?: number;
  /** Request headers by lower-case name (e.g. `prefer`); for a $batch step, the step's own headers. */
  headers?: Record<string, string>;
  /** Any tenant of the local tenant by one of its verified domains (`findTenantInformationByDomainName`). */
  tenantByDomain?: (domain: string) => { tenantId: string; tenant: SeedTenant } | undefined;
  /** The server's clock (relationships past their end answer `expired`); the wall clock when absent. */
  now?: Date;
}

/** Graph's default page size for directory objects. */
export const DEFAULT_PAGE_SIZE = 100;

export type Handler = (req: GraphRequest, params: Record<string, string>) => GraphResult;

/** A route as other modules define it (see calendarRoutes.ts): a path with `{name}` parameters, a handler per method. */
export interface RouteDefinition {
  path: string;
  handlers: Partial<Record<'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', Handler>>;
  /** Query options the route takes beyond $select and $skiptoken (e.g. $top, $skip). */
  queryOptions?: readonly string[];
}

/** Matches one path segment; the parameters it binds, or undefined when it does not match. */
type SegmentMatcher = (segment: string) => Record<string, string> | undefined;

interface Route {
  segments: SegmentMatcher[];
  handlers: RouteDefinition['handlers'];
  queryOptions?: readonly string[];
}

/** A Graph error answer: `{ error: { code, message } }` (the server adds innerError). */
export function graphError(status: number, code: string, message: string, headers?: Record<string, string>): GraphResult {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

/** Routes a request to its endpoint; unknown paths and methods answer as Graph does. */
export function routeGraphRequest(req: GraphRequest): GraphResult {
  for (const route of ROUTES) {
    const params = matchRoute(route.segments, req.segments);
    if (!params) continue;
    const handler = route.handlers[req.method as keyof Route['handlers']];
    if (!handler) {
      return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.', {
        Allow: Object.keys(route.handlers).join(', '),
      });
    }
    const unsupported = [...req.query.keys()].find(
      (k) => k.startsWith('$') && !SUPPORTED_QUERY_OPTIONS.has(k.toLowerCase()) && !route.queryOptions?.includes(k.toLowerCase()),
    );
    if (unsupported) {
      // Silently ignoring $filter or $top would hand back wrong data; say so instead.
      return graphError(400, 'Request_UnsupportedQuery', `The local tenant does not support the query option '${unsupported}'.`);
    }
    return handler(req, params);
  }
  if (req.segments[0]?.toLowerCase() === 'me') {
    return graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  }
  return graphError(400, 'BadRequest', `Resource not found for the segment '${firstUnknownSegment(req.segments)}'.`);
}

/** $skiptoken is honoured only by paged collections (the others answer 400 when given one). */
const SUPPORTED_QUERY_OPTIONS = new Set(['$select', '$skiptoken']);

const ROUTES: Route[] = [
  route('/organization', { GET: (r) => collection(r, 'organization', [organizationOf(r)], ORGANIZATION_TYPE) }),
  route('/organization/{id}', {
    GET: (r, p) => (p.id!.toLowerCase() === r.tenantId.toLowerCase() ? entity(r, 'organization', organizationOf(r), ORGANIZATION_TYPE) : notFound(p.id!)),
  }),
  route('/subscribedSkus', { GET: (r) => collection(r, 'subscribedSkus', subscribedSkusOf(r), SKU_TYPE) }),
  route('/subscribedSkus/{id}', {
    GET: (r, p) => {
      const sku = subscribedSkusOf(r).find((s) => s.id?.toLowerCase() === p.id!.toLowerCase());
      return sku ? entity(r, 'subscribedSkus', sku, SKU_TYPE) : notFound(p.id!);
    },
  }),
  route('/domains', { GET: (r) => collection(r, 'domains', domainsOf(r), DOMAIN_TYPE) }),
  route('/domains/{id}', {
    GET: (r, p) => {
      const domain = domainsOf(r).find((d) => d.id?.toLowerCase() === p.id!.toLowerCase());
      return domain ? entity(r, 'domains', domain, DOMAIN_TYPE) : notFound(p.id!);
    },
  }),
  route('/directory/subscriptions', { GET: (r) => collection(r, 'directory/subscriptions', subscriptionsOf(r), SUBSCRIPTION_TYPE) }),
  route('/users', { GET: (r) => collection(r, 'users', r.tenant.users.map((u) => userOf(r, u)), USER_TYPE, { defaults: USER_DEFAULT_PROPERTIES, paged: true }) }),
  route('/users/{id}', { GET: (r, p) => withUser(r, p, (u) => entity(r, 'users', userOf(r, u), USER_TYPE, USER_DEFAULT_PROPERTIES)) }),
  route('/users/{id}/mailboxSettings', {
    GET: (r, p) =>
      withUser(r, p, (u) =>
        u.mailboxSettings
          ? entity(r, `users('${u.id}')/mailboxSettings`, mailboxSettingsOf(u), MAILBOX_SETTINGS_TYPE, undefined, false)
          : graphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.'),
      ),
  }),
  // The seed has no groups, so direct and transitive memberships are the same roles.
  route('/users/{id}/transitiveMemberOf', {
    GET: (r, p) => withUser(r, p, (u) => collection(r, 'directoryObjects', directoryRolesOf(r, u), DIRECTORY_OBJECT_TYPE, { paged: true })),
  }),
  route('/users/{id}/transitiveMemberOf/microsoft.graph.directoryRole', {
    GET: (r, p) => withUser(r, p, (u) => collection(r, 'directoryRoles', directoryRolesOf(r, u), ROLE_TYPE, { paged: true })),
  }),
  route('/users/{id}/memberOf', {
    GET: (r, p) => withUser(r, p, (u) => collection(r, 'directoryObjects', directoryRolesOf(r, u), DIRECTORY_OBJECT_TYPE, { paged: true })),
  }),
  route('/users/{id}/memberOf/microsoft.graph.directoryRole', {
    GET: (r, p) => withUser(r, p, (u) => collection(r, 'directoryRoles', directoryRolesOf(r, u), ROLE_TYPE, { paged: true })),
  }),
  // Only activated roles exist as directoryRole objects: here, the roles someone in the tenant holds.
  route('/directoryRoles', { GET: (r) => collection(r, 'directoryRoles', activatedRoleTemplateIds(r).map((t) => directoryRoleOf(r, t)), ROLE_TYPE, { paged: true }) }),
  route('/directoryRoles/{id}', { GET: (r, p) => withRoleById(r, p, (t) => entity(r, 'directoryRoles', directoryRoleOf(r, t), ROLE_TYPE)) }),
  route('/directoryRoles/{id}/members', { GET: (r, p) => withRoleById(r, p, (t) => roleMembers(r, t)) }),
  route("/directoryRoles(roleTemplateId='{templateId}')", {
    GET: (r, p) => withRoleByTemplate(r, p, (t) => entity(r, 'directoryRoles', directoryRoleOf(r, t), ROLE_TYPE)),
  }),
  route("/directoryRoles(roleTemplateId='{templateId}')/members", { GET: (r, p) => withRoleByTemplate(r, p, (t) => roleMembers(r, t)) }),
  route('/tenantRelationships/delegatedAdminCustomers', {
    GET: (r) => collection(r, 'tenantRelationships/delegatedAdminCustomers', delegatedAdminCustomersOf(r), CUSTOMER_TYPE, { paged: true }),
  }),
  route('/tenantRelationships/delegatedAdminCustomers/{id}', {
    GET: (r, p) => {
      const customer = delegatedAdminCustomersOf(r).find((c) => c.id?.toLowerCase() === p.id!.toLowerCase());
      return customer ? entity(r, 'tenantRelationships/delegatedAdminCustomers', customer, CUSTOMER_TYPE) : notFound(p.id!);
    },
  }),
  // $filter: only `customer/tenantId eq '{guid}'` (the local tenant's documented subset).
  route(
    '/tenantRelationships/delegatedAdminRelationships',
    {
      GET: (r) => {
        const filter = customerFilter(r);
        if (filter === null) return graphError(400, 'Request_UnsupportedQuery', "The local tenant supports only $filter=customer/tenantId eq '{guid}' on delegatedAdminRelationships.");
        const all = relationshipsOf(r);
        return collection(r, 'tenantRelationships/delegatedAdminRelationships', filter ? all.filter((x) => x.customer.tenantId.toLowerCase() === filter) : all, RELATIONSHIP_TYPE, { paged: true });
      },
    },
    ['$filter'],
  ),
  route("/tenantRelationships/findTenantInformationByDomainName(domainName='{domain}')", {
    GET: (r, p) => {
      const found = r.tenantByDomain?.(p.domain!);
      if (!found) return graphError(404, 'Request_ResourceNotFound', `Tenant information for the domain '${p.domain!}' was not found.`);
      const defaultDomain = found.tenant.domains.find((d) => d.isDefault)?.id ?? p.domain!;
      return {
        status: 200,
        body: {
          '@odata.context': `${r.serviceRoot}/$metadata#microsoft.graph.tenantInformation`,
          tenantId: found.tenantId,
          displayName: found.tenant.organization.displayName,
          defaultDomainName: defaultDomain,
          federationBrandName: null,
        },
      };
    },
  }),
  // Calendars: events (create, list, read, update, delete) and free/busy (calendar/getSchedule).
  ...CALENDAR_ROUTES.map((r) => route(r.path, r.handlers, r.queryOptions)),
];

function route(path: string, handlers: Route['handlers'], queryOptions?: readonly string[]): Route {
  return { segments: path.split('/').filter(Boolean).map(segmentMatcher), handlers, ...(queryOptions ? { queryOptions: queryOptions.map((q) => q.toLowerCase()) } : {}) };
}

/** A literal segment matches case-insensitively, as Graph does; `{name}` binds a parameter, alone or inside a segment. */
function segmentMatcher(pattern: string): SegmentMatcher {
  if (!pattern.includes('{')) return (s) => (s.toLowerCase() === pattern.toLowerCase() ? {} : undefined);
  const names: string[] = [];
  const source = pattern
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const param = /^\{(.+)\}$/.exec(part);
      if (!param) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]!);
      return '(.+?)';
    })
    .join('');
  const regex = new RegExp(`^${source}$`, 'i');
  return (s) => {
    const match = regex.exec(s);
    return match ? Object.fromEntries(names.map((name, i) => [name, match[i + 1]!])) : undefined;
  };
}

function matchRoute(pattern: SegmentMatcher[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const bound = pattern[i]!(segments[i]!);
    if (!bound) return undefined;
    Object.assign(params, bound);
  }
  return params;
}

function firstUnknownSegment(segments: string[]): string {
  for (let i = 0; i < segments.length; i++) {
    const prefix = segments.slice(0, i + 1);
    const known = ROUTES.some((r) => r.segments.length > i && matchRoute(r.segments.slice(0, i + 1), prefix));
    if (!known) return segments[i]!;
  }
  return segments[segments.length - 1] ?? '';
}

function notFound(id: string): GraphResult {
  return graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function withUser(r: GraphRequest, p: Record<string, string>, answer: (u: SeedUser) => GraphResult): GraphResult {
  const key = p.id!.toLowerCase();
  const user = r.tenant.users.find((u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
  return user ? answer(user) : notFound(p.id!);
}

/** A role by its object id in the tenant; 404 when no such role is activated. */
function withRoleById(r: GraphRequest, p: Record<string, string>, answer: (templateId: string) => GraphResult): GraphResult {
  const key = p.id!.toLowerCase();
  const templateId = activatedRoleTemplateIds(r).find((t) => directoryRoleObjectId(r.tenantId, t) === key);
  return templateId ? answer(templateId) : notFound(p.id!);
}

/** A role by its template id (Graph's alternate key); 404 when the role is not activated in the tenant. */
function withRoleByTemplate(r: GraphRequest, p: Record<string, string>, answer: (templateId: string) => GraphResult): GraphResult {
  const key = p.templateId!.toLowerCase();
  const templateId = activatedRoleTemplateIds(r).find((t) => t.toLowerCase() === key);
  return templateId ? answer(templateId) : notFound(p.templateId!);
}

// ---- $select and @odata.context ----

interface EntityType {
  /** Graph's type name, for error messages. */
  name: string;
  /** Properties `$select` accepts; those the local object lacks come back as null, as Graph does for unset ones. */
  properties?: readonly string[];
}

type Json = Record<string, unknown>;

function parseSelect(r: GraphRequest, type: EntityType, objects: Json[]): { props?: string[]; error?: GraphResult } {
  const raw = r.query.get('$select');
  if (raw === null) return {};
  const known = new Map<string, string>();
  for (const p of type.properties ?? []) known.set(p.toLowerCase(), p);
  for (const o of objects) for (const p of Object.keys(o)) if (!p.startsWith('@')) known.set(p.toLowerCase(), p);
  const props: string[] = [];
  for (const name of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const canonical = known.get(name.toLowerCase());
    if (!canonical) {
      return {
        error: graphError(400, 'BadRequest', `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.${type.name}'.`),
      };
    }
    if (!props.includes(canonical)) props.push(canonical);
  }
  return { props };
}

function project(o: Json, props: readonly string[] | undefined): Json {
  if (!props) return o;
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (k.startsWith('@')) out[k] = v;
  for (const p of props) out[p] = o[p] ?? null;
  return out;
}

interface CollectionOptions {
  /** Properties shown without $select: a list, or one per object (for mixed directory objects); all when absent. */
  defaults?: readonly string[] | ((o: Json) => readonly string[] | undefined);
  /** True for directory-object collections, which Graph pages with @odata.nextLink and $skiptoken. */
  paged?: boolean;
}

function collection(r: GraphRequest, set: string, items: object[], type: EntityType, options: CollectionOptions = {}): GraphResult {
  const objects = items as Json[];
  const { props, error } = parseSelect(r, type, objects);
  if (error) return error;
  const shownFor = (o: Json): readonly string[] | undefined => props ?? (typeof options.defaults === 'function' ? options.defaults(o) : options.defaults);
  const page = pageOf(r, objects, options.paged === true);
  if ('error' in page) return page.error;
  return {
    status: 200,
    body: {
      '@odata.context': `${r.serviceRoot}/$metadata#${set}${props ? `(${props.join(',')})` : ''}`,
      value: page.items.map((o) => project(o, shownFor(o))),
      ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
    },
  };
}

/** The page a request asks for ($skiptoken), and the link to the next one when more remain. */
function pageOf(r: GraphRequest, objects: Json[], paged: boolean): { items: Json[]; nextLink?: string } | { error: GraphResult } {
  const token = [...r.query.entries()].find(([k]) => k.toLowerCase() === '$skiptoken')?.[1];
  if (!paged) {
    if (token !== undefined) return { error: graphError(400, 'Request_UnsupportedQuery', "The local tenant does not support the query option '$skiptoken' here.") };
    return { items: objects };
  }
  const offset = token === undefined ? 0 : decodeSkipToken(token);
  if (offset === undefined || offset > objects.length) {
    return { error: graphError(400, 'Directory_InvalidPagingToken', 'The paging token ($skiptoken) is not valid for this request.') };
  }
  const size = Math.max(1, Math.floor(r.pageSize ?? DEFAULT_PAGE_SIZE));
  const end = offset + size;
  if (end >= objects.length) return { items: objects.slice(offset) };
  const query = [...r.query.entries()]
    .filter(([k]) => k.toLowerCase() !== '$skiptoken')
    .map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/gi, ',')}`);
  query.push(`$skiptoken=${encodeSkipToken(end)}`);
  const path = r.segments.map((s) => encodeURIComponent(s).replace(/%3D/gi, '=').replace(/%40/g, '@')).join('/');
  return { items: objects.slice(offset, end), nextLink: `${r.serviceRoot}/${path}?${query.join('&')}` };
}

/** Opaque to clients, as Graph's are: base64url of the offset of the next page. */
function encodeSkipToken(offset: number): string {
  return Buffer.from(`RFNwdAIA:${offset}`).toString('base64url');
}

function decodeSkipToken(token: string): number | undefined {
  const match = /^RFNwdAIA:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

function entity(r: GraphRequest, set: string, item: object, type: EntityType, defaults?: readonly string[], isEntitySet = true): GraphResult {
  const object = item as Json;
  const { props, error } = parseSelect(r, type, [object]);
  if (error) return error;
  const shown = props ?? defaults;
  const selection = props ? `(${props.join(',')})` : '';
  return {
    status: 200,
    body: { '@odata.context': `${r.serviceRoot}/$metadata#${set}${selection}${isEntitySet ? '/$entity' : ''}`, ...project(object, shown) },
  };
}

// ---- Resources, derived from the seed ----

const ORGANIZATION_TYPE: EntityType = { name: 'organization' };
// Types list their properties so that $select works on an empty collection too.
const SKU_TYPE: EntityType = {
  name: 'subscribedSku',
  properties: ['accountId', 'accountName', 'appliesTo', 'capabilityStatus', 'consumedUnits', 'id', 'prepaidUnits', 'servicePlans', 'skuId', 'skuPartNumber', 'subscriptionIds'],
};
const DOMAIN_TYPE: EntityType = { name: 'domain' };
const SUBSCRIPTION_TYPE: EntityType = {
  name: 'companySubscription',
  properties: [
    'commerceSubscriptionId', 'createdDateTime', 'id', 'isTrial', 'nextLifecycleDateTime', 'ownerId', 'ownerTenantId', 'ownerType',
    'serviceStatus', 'skuId', 'skuPartNumber', 'status', 'totalLicenses',
  ],
};
const MAILBOX_SETTINGS_TYPE: EntityType = { name: 'mailboxSettings' };
const ROLE_TYPE: EntityType = { name: 'directoryRole', properties: ['deletedDateTime', 'description', 'displayName', 'id', 'roleTemplateId'] };
const CUSTOMER_TYPE: EntityType = { name: 'delegatedAdminCustomer', properties: ['displayName', 'id', 'tenantId'] };
const RELATIONSHIP_TYPE: EntityType = {
  name: 'delegatedAdminRelationship',
  properties: ['accessDetails', 'activatedDateTime', 'autoExtendDuration', 'createdDateTime', 'customer', 'displayName', 'duration', 'endDateTime', 'id', 'lastModifiedDateTime', 'status'],
};

/** The properties v1.0 returns for a user when no $select is given. */
const USER_DEFAULT_PROPERTIES = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id',
] as const;

const USER_TYPE: EntityType = {
  name: 'user',
  properties: [
    'aboutMe', 'accountEnabled', 'ageGroup', 'assignedLicenses', 'assignedPlans', 'birthday', 'businessPhones', 'city', 'companyName',
    'consentProvidedForMinor', 'country', 'createdDateTime', 'creationType', 'deletedDateTime', 'department', 'displayName',
    'employeeHireDate', 'employeeId', 'employeeOrgData', 'employeeType', 'externalUserState', 'faxNumber', 'givenName', 'hireDate', 'id',
    'identities', 'imAddresses', 'interests', 'isResourceAccount', 'jobTitle', 'lastPasswordChangeDateTime', 'legalAgeGroupClassification',
    'licenseAssignmentStates', 'mail', 'mailboxSettings', 'mailNickname', 'mobilePhone', 'mySite', 'officeLocation',
    'onPremisesDistinguishedName', 'onPremisesDomainName', 'onPremisesExtensionAttributes', 'onPremisesImmutableId',
    'onPremisesLastSyncDateTime', 'onPremisesProvisioningErrors', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier',
    'onPremisesSyncEnabled', 'onPremisesUserPrincipalName', 'otherMails', 'passwordPolicies', 'passwordProfile', 'pastProjects',
    'postalCode', 'preferredDataLocation', 'preferredLanguage', 'preferredName', 'provisionedPlans', 'proxyAddresses',
    'responsibilities', 'schools', 'securityIdentifier', 'showInAddressList', 'signInSessionsValidFromDateTime', 'skills', 'state',
    'streetAddress', 'surname', 'usageLocation', 'userPrincipalName', 'userType',
  ],
};

const SERVICE_PRINCIPAL_PROPERTIES = [
  'accountEnabled', 'appDisplayName', 'appId', 'appOwnerOrganizationId', 'deletedDateTime', 'displayName', 'id', 'servicePrincipalNames',
  'servicePrincipalType', 'signInAudience', 'tags',
] as const;

/** A collection of mixed directory objects (roles, users, service principals): $select may name a property of any of them. */
const DIRECTORY_OBJECT_TYPE: EntityType = {
  name: 'directoryObject',
  properties: [...new Set([...ROLE_TYPE.properties!, ...USER_TYPE.properties!, ...SERVICE_PRINCIPAL_PROPERTIES])],
};

function organizationOf(r: GraphRequest): MicrosoftGraph.Organization {
  const org = r.tenant.organization;
  return {
    id: r.tenantId,
    ...org,
    verifiedDomains: r.tenant.domains
      .filter((d) => d.isVerified)
      .map((d) => ({ capabilities: d.supportedServices.join(', ') || 'None', isDefault: d.isDefault, isInitial: d.isInitial, name: d.id, type: d.authenticationType })),
  };
}

function subscribedSkusOf(r: GraphRequest): MicrosoftGraph.SubscribedSku[] {
  return r.tenant.skus.map((s) => ({
    accountName: r.tenant.organization.displayName,
    accountId: r.tenantId,
    appliesTo: s.appliesTo,
    capabilityStatus: s.capabilityStatus,
    consumedUnits: s.consumedUnits,
    // Graph's subscribedSku id is "{tenantId}_{skuId}".
    id: `${r.tenantId}_${s.skuId}`,
    prepaidUnits: { ...s.prepaidUnits },
    servicePlans: s.servicePlans.map((p) => ({ ...p })),
    skuId: s.skuId,
    skuPartNumber: s.skuPartNumber,
    subscriptionIds: s.subscriptions.map((x) => x.commerceSubscriptionId),
  }));
}

function subscriptionsOf(r: GraphRequest): MicrosoftGraph.CompanySubscription[] {
  return r.tenant.skus.flatMap((s) =>
    s.subscriptions.map((x) => ({
      id: x.id,
      commerceSubscriptionId: x.commerceSubscriptionId,
      createdDateTime: x.createdDateTime,
      isTrial: x.isTrial,
      nextLifecycleDateTime: x.nextLifecycleDateTime,
      ownerId: null,
      ownerTenantId: null,
      ownerType: null,
      serviceStatus: s.servicePlans.map((p) => ({ ...p })),
      skuId: s.skuId,
      skuPartNumber: s.skuPartNumber,
      status: x.status,
      totalLicenses: x.totalLicenses,
    })),
  );
}

function domainsOf(r: GraphRequest): MicrosoftGraph.Domain[] {
  return r.tenant.domains.map((d) => ({
    authenticationType: d.authenticationType,
    availabilityStatus: null,
    id: d.id,
    isAdminManaged: true,
    isDefault: d.isDefault,
    isInitial: d.isInitial,
    isRoot: true,
    isVerified: d.isVerified,
    passwordNotificationWindowInDays: 14,
    passwordValidityPeriodInDays: 2147483647,
    supportedServices: [...d.supportedServices],
    state: null,
  }));
}

function userOf(r: GraphRequest, u: SeedUser): MicrosoftGraph.User {
  const synced = r.tenant.organization.onPremisesSyncEnabled === true;
  return {
    businessPhones: [...u.businessPhones],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.mail,
    mobilePhone: u.mobilePhone,
    officeLocation: u.officeLocation,
    preferredLanguage: u.preferredLanguage,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    id: u.id,
    accountEnabled: u.accountEnabled,
    department: u.department,
    usageLocation: u.usageLocation,
    userType: 'Member',
    mailNickname: u.userPrincipalName.split('@')[0] ?? u.userPrincipalName,
    proxyAddresses: u.mail ? [`SMTP:${u.mail}`] : [],
    // In a hybrid tenant the seeded users come from on-premises AD.
    onPremisesSyncEnabled: synced ? true : null,
    createdDateTime: r.tenant.organization.createdDateTime ?? null,
  };
}

function mailboxSettingsOf(u: SeedUser): MicrosoftGraph.MailboxSettings {
  const m = u.mailboxSettings!;
  return {
    archiveFolder: `AAMkAD${Buffer.from(u.id).toString('base64url').slice(0, 40)}AAA=`,
    timeZone: m.timeZone,
    delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
    dateFormat: m.dateFormat,
    timeFormat: m.timeFormat,
    userPurpose: 'user',
    automaticRepliesSetting: {
      status: 'disabled',
      externalAudience: 'all',
      internalReplyMessage: '',
      externalReplyMessage: '',
      scheduledStartDateTime: { dateTime: '2025-01-01T00:00:00.0000000', timeZone: 'UTC' },
      scheduledEndDateTime: { dateTime: '2025-01-02T00:00:00.0000000', timeZone: 'UTC' },
    },
    language: { ...m.language },
    workingHours: { ...m.workingHours, daysOfWeek: [...m.workingHours.daysOfWeek], timeZone: { ...m.workingHours.timeZone } },
  };
}

/** The tenant's role object id for a template: stable, and different from the template id, as in Entra ID. */
export function directoryRoleObjectId(tenantId: string, roleTemplateId: string): string {
  return deterministicGuid('directoryRole', tenantId.toLowerCase(), roleTemplateId.toLowerCase());
}

function directoryRoleOf(r: GraphRequest, templateId: string): MicrosoftGraph.DirectoryRole & { '@odata.type': string } {
  const template = DIRECTORY_ROLE_TEMPLATES[templateId];
  return {
    '@odata.type': '#microsoft.graph.directoryRole',
    id: directoryRoleObjectId(r.tenantId, templateId),
    deletedDateTime: null,
    description: template?.description ?? null,
    displayName: template?.displayName ?? null,
    roleTemplateId: templateId,
  };
}

function directoryRolesOf(r: GraphRequest, u: SeedUser): Array<MicrosoftGraph.DirectoryRole & { '@odata.type': string }> {
  return u.directoryRoleTemplateIds.map((templateId) => directoryRoleOf(r, templateId));
}

/** The role templates someone (a user or an app) holds in the tenant, in seed order: the activated roles. */
function activatedRoleTemplateIds(r: GraphRequest): string[] {
  const holders = [...r.tenant.users, ...(r.tenant.servicePrincipals ?? [])];
  return [...new Set(holders.flatMap((h) => h.directoryRoleTemplateIds.map((t) => t.toLowerCase())))];
}

/** `GET …/members` of a role: its users (default user properties) and apps, each with its @odata.type. */
function roleMembers(r: GraphRequest, templateId: string): GraphResult {
  const holds = (h: { directoryRoleTemplateIds: string[] }): boolean => h.directoryRoleTemplateIds.some((t) => t.toLowerCase() === templateId);
  const members: Json[] = [
    ...r.tenant.users.filter(holds).map((u) => ({ '@odata.type': '#microsoft.graph.user', ...userOf(r, u) })),
    ...(r.tenant.servicePrincipals ?? []).filter(holds).map((sp) => ({ '@odata.type': '#microsoft.graph.servicePrincipal', ...servicePrincipalOf(r, sp) })),
  ];
  return collection(r, 'directoryObjects', members, DIRECTORY_OBJECT_TYPE, {
    defaults: (o) => (o['@odata.type'] === '#microsoft.graph.user' ? USER_DEFAULT_PROPERTIES : undefined),
    paged: true,
  });
}

function servicePrincipalOf(r: GraphRequest, sp: SeedServicePrincipal): MicrosoftGraph.ServicePrincipal {
  return {
    id: sp.id,
    accountEnabled: true,
    appDisplayName: sp.displayName,
    appId: sp.appId,
    appOwnerOrganizationId: r.tenantId,
    deletedDateTime: null,
    displayName: sp.displayName,
    servicePrincipalNames: [sp.appId],
    servicePrincipalType: 'Application',
    signInAudience: 'AzureADMyOrg',
    tags: [],
  };
}

/** A partner's relationships as Graph answers them: an active one past its end is `expired`. */
function relationshipsOf(r: GraphRequest): Array<Json & { customer: { tenantId: string; displayName: string } }> {
  const now = (r.now ?? new Date()).getTime();
  return (r.tenant.delegatedAdminRelationships ?? []).map((x) => ({
    '@odata.type': '#microsoft.graph.delegatedAdminRelationship',
    id: x.id,
    displayName: x.displayName,
    duration: x.duration,
    status: x.status === 'active' && Date.parse(x.endDateTime) <= now ? 'expired' : x.status,
    autoExtendDuration: 'PT0S',
    createdDateTime: x.createdDateTime,
    lastModifiedDateTime: x.lastModifiedDateTime,
    activatedDateTime: x.activatedDateTime,
    endDateTime: x.endDateTime,
    customer: { tenantId: x.customer.tenantId, displayName: x.customer.displayName },
    accessDetails: { unifiedRoles: x.roleDefinitionIds.map((roleDefinitionId) => ({ roleDefinitionId })) },
  }));
}

/** `customer/tenantId eq '{guid}'` → the GUID (lower case); undefined without $filter; null for any other filter. */
function customerFilter(r: GraphRequest): string | undefined | null {
  const raw = [...r.query.entries()].find(([k]) => k.toLowerCase() === '$filter')?.[1];
  if (raw === undefined) return undefined;
  const match = /^\s*customer\/tenantId\s+eq\s+'([0-9a-f-]{36})'\s*$/i.exec(raw);
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * A partner's customers: those with a relationship that was not terminated (an expired one is still
 * listed, as Graph keeps the customer until its relationships are removed).
 */
function delegatedAdminCustomersOf(r: GraphRequest): Array<MicrosoftGraph.DelegatedAdminCustomer & { '@odata.type': string }> {
  const relationships = r.tenant.delegatedAdminRelationships;
  const listed = (tenantId: string): boolean =>
    relationships === undefined || relationships.some((x) => x.customer.tenantId.toLowerCase() === tenantId.toLowerCase() && x.status !== 'terminated');
  return r.tenant.delegatedAdminCustomers.filter((c) => listed(c.tenantId)).map((c) => ({
    '@odata.type': '#microsoft.graph.delegatedAdminCustomer',
    id: c.tenantId,
    tenantId: c.tenantId,
    displayName: c.displayName,
  }));
}
