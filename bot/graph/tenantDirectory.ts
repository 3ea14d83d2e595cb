import type { DirectoryPerson, TenantProfile, UserProfile } from '../domain/tenant';

/** What the bot asks of Microsoft Graph, in its own terms. Dialogs depend on this, never on the SDK. */
export interface TenantDirectory {
  /** Organization, verified domains and subscribed SKUs, read in one round trip. */
  getTenantProfile(tenantId: string): Promise<TenantProfile>;
  /** A user with their mailbox time zone (undefined when the user has no mailbox). */
  getUserProfile(tenantId: string, userId: string): Promise<UserProfile>;
  /** Role template ids of the directory roles the user holds, directly or through groups. */
  getDirectoryRoleTemplateIds(tenantId: string, userId: string): Promise<string[]>;
  /** The members of a directory role (by role template id); empty when the role is not activated. */
  getRoleMembers(tenantId: string, roleTemplateId: string): Promise<DirectoryPerson[]>;
  /** True when the Graph endpoint answers at all (for /healthz). */
  ping(): Promise<boolean>;
}

/** Every Graph failure, as one typed error. `status` 0 means the request never got an answer. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'GraphError';
  }

  /** True for failures worth trying again later (throttling, outages, timeouts). */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status === 503 || this.status === 504;
  }
}
