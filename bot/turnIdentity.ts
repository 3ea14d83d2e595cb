import type { Activity } from 'botbuilder';

/**
 * Who is acting in a turn, and in which tenant: what every handler and every log line needs.
 * Read from the activity only (untrusted: a tenant id must be a GUID, else there is none).
 */

type WithActivity = { activity: Partial<Activity> };

/** The tenant of a Teams turn: `conversation.tenantId`, else `channelData.tenant.id`. */
export function tenantOf(context: WithActivity): string | undefined {
  const activity = context.activity;
  const fromChannel = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const id = activity.conversation?.tenantId ?? (typeof fromChannel === 'string' ? fromChannel : undefined);
  return id && /^[0-9a-f-]{36}$/i.test(id) ? id.toLowerCase() : undefined;
}

/** The acting user's Entra object id, when Teams sent one. */
export function userOf(context: WithActivity): string | undefined {
  return context.activity.from?.aadObjectId ?? undefined;
}

/** The ids a log line of a turn carries (never names or text). */
export function ids(context: WithActivity): { tenantId: string | undefined; conversationId: string | undefined; activityId: string | undefined } {
  return { tenantId: tenantOf(context), conversationId: context.activity.conversation?.id, activityId: context.activity.id };
}
