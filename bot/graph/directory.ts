/** The directory half of the Graph gateway: the tenant's profile, users, their roles and a role's members. */
import { z } from 'zod';
import type { DirectoryPerson, SubscribedSku, TenantProfile, UserProfile, VerifiedDomain, WorkingHours } from '../domain/tenant';
import { DAY_NAMES } from './calendar';
import { GraphError } from './tenantDirectory';
import { GUID, bodyOf, parse, type GraphTransport } from './transport';

/** When Graph does not say (no permission for directory/subscriptions), trials are told by their part number. */
const TRIAL_PART_NUMBER = /TRIAL|DEVELOPERPACK/i;
const USER_ODATA_TYPE = '#microsoft.graph.user';

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
const mailboxSchema = z.object({
  timeZone: z.string().nullish(),
  workingHours: z
    .object({
      daysOfWeek: z.array(z.string()).nullish(),
      startTime: z.string().nullish(),
      endTime: z.string().nullish(),
      timeZone: z.object({ name: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

/** Reads the directory of a customer tenant through the transport. */
export class GraphDirectory {
  constructor(private readonly transport: GraphTransport) {}

  async getTenantProfile(tenantId: string): Promise<TenantProfile> {
    const r = await this.transport.batch(tenantId, [
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
    const r = await this.transport.batch(tenantId, [
      { id: 'user', method: 'GET', url: `/users/${id}?$select=id,displayName,mail,userPrincipalName,preferredLanguage,jobTitle,mobilePhone,businessPhones` },
      { id: 'mailbox', method: 'GET', url: `/users/${id}/mailboxSettings` },
    ]);
    const user = parse(userSchema, bodyOf(r, 'user'));
    // A user without a mailbox has no mailbox settings: no time zone, not an error.
    const mailbox = r.get('mailbox');
    const settings = mailbox && mailbox.status < 300 ? parse(mailboxSchema, mailbox.body) : undefined;
    const timeZone = settings?.timeZone ?? undefined;
    const workingHours = settings ? workingHoursOf(settings) : undefined;
    return {
      id: user.id,
      displayName: user.displayName ?? user.userPrincipalName ?? '',
      mail: user.mail ?? undefined,
      userPrincipalName: user.userPrincipalName ?? '',
      preferredLanguage: user.preferredLanguage ?? undefined,
      jobTitle: user.jobTitle ?? undefined,
      phone: user.businessPhones?.[0] ?? user.mobilePhone ?? undefined,
      timeZone,
      ...(workingHours ? { workingHours } : {}),
    };
  }

  async getDirectoryRoleTemplateIds(tenantId: string, userId: string): Promise<string[]> {
    const url = `/users/${encodeURIComponent(userId)}/transitiveMemberOf/microsoft.graph.directoryRole?$select=roleTemplateId,displayName`;
    const roles = await this.transport.getAllPages(tenantId, url, directoryRolesSchema);
    return [...new Set(roles.flatMap((role) => (role.roleTemplateId ? [role.roleTemplateId.toLowerCase()] : [])))];
  }

  async getRoleMembers(tenantId: string, roleTemplateId: string): Promise<DirectoryPerson[]> {
    // The id goes into an OData key literal: only a GUID may, so nothing can break out of the quotes.
    if (!GUID.test(roleTemplateId)) throw new GraphError(400, 'InvalidRoleTemplateId', 'The role template id is not a GUID');
    const url = `/directoryRoles(roleTemplateId='${roleTemplateId}')/members?$select=id,displayName,mail`;
    let members: z.infer<typeof roleMembersSchema>['value'];
    try {
      members = await this.transport.getAllPages(tenantId, url, roleMembersSchema);
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

/** Working hours from mailbox settings: ISO weekdays, 'HH:mm', the zone Graph named (the mailbox's when it did not). */
function workingHoursOf(settings: z.infer<typeof mailboxSchema>): WorkingHours | undefined {
  const hours = settings.workingHours;
  const start = hours?.startTime?.slice(0, 5);
  const end = hours?.endTime?.slice(0, 5);
  const named = hours?.timeZone?.name;
  // A custom zone ("Customized Time Zone") has no usable name: the mailbox's own zone stands in.
  const timeZone = named && named !== 'Customized Time Zone' ? named : settings.timeZone ?? undefined;
  if (!hours || !start || !end || !/^\d{2}:\d{2}$/.test(start) || !/^\d{2}:\d{2}$/.test(end) || !timeZone) return undefined;
  const days = (hours.daysOfWeek ?? []).map((d) => DAY_NAMES.indexOf(d.toLowerCase() as (typeof DAY_NAMES)[number]) + 1).filter((d) => d > 0);
  return { daysOfWeek: [...new Set(days)].sort(), start, end, timeZone };
}

function asAuthType(value: string | null | undefined): VerifiedDomain['authenticationType'] {
  return value === 'Managed' || value === 'Federated' ? value : undefined;
}

