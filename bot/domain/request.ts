// Crockford base32 without I, L, O, U: unambiguous when read aloud or typed.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A short request id such as `FT-7K3M9Q2X`, from 8 random bytes. */
export function newRequestId(randomBytes: Uint8Array): string {
  let id = '';
  for (let i = 0; i < 8; i++) id += ALPHABET[(randomBytes[i] ?? 0) % 32];
  return `FT-${id}`;
}

/** True for strings shaped like a request id (untrusted input). */
export function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && /^FT-[0-9A-HJKMNP-TV-Z]{8}$/.test(value);
}

/** Storage keys: everything of a tenant sits under its own prefix, so one tenant never reaches another's. */
export const keys = {
  request: (tenantId: string, requestId: string) => `tenants/${tenantId}/requests/${requestId}`,
  /** The tenant's open request (one per tenant: FastTrack cancels duplicates). */
  openRequest: (tenantId: string) => `tenants/${tenantId}/openRequest`,
  conversation: (tenantId: string, aadObjectId: string) => `tenants/${tenantId}/conversations/${aadObjectId}`,
  /** A team channel's or group chat's reference (the bot installed in a team or chat), by conversation id. */
  teamConversation: (tenantId: string, conversationId: string) => `tenants/${tenantId}/teamConversations/${encodeURIComponent(conversationId)}`,
};
