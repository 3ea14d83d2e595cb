import type { Activity } from 'botbuilder';
import { z } from 'zod';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Teams ids are far shorter; the bounds keep storage keys and log lines sane.
const id = z.string().min(1).max(512);
const account = z.looseObject({
  id,
  name: z.string().max(512).optional(),
  // Goes into Graph paths and storage keys: in Teams always the user's Entra object id.
  aadObjectId: z.string().regex(GUID).optional(),
  role: z.string().max(64).optional(),
});

/**
 * The envelope of an inbound activity: only what the bot and botbuilder rely on, checked for type;
 * everything else passes through untouched (`looseObject`), so what Teams or the Agents Playground
 * add (entities, channelData.settings, localTimezone…) never breaks a turn. Card answers (`value`)
 * are checked later by the step that reads them.
 */
export const inboundActivitySchema = z.looseObject({
  type: z.string().min(1).max(64),
  id: z.string().max(512).optional(),
  channelId: z.string().min(1).max(64),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(2048),
  conversation: z.looseObject({
    id,
    tenantId: z.string().max(64).optional(),
    conversationType: z.string().max(64).optional(),
    isGroup: z.boolean().optional(),
  }),
  from: account,
  recipient: account,
  text: z.string().optional(),
  textFormat: z.string().max(64).optional(),
  locale: z.string().max(64).optional(),
  value: z.unknown().optional(),
  name: z.string().max(256).optional(),
  action: z.string().max(64).optional(),
  replyToId: z.string().max(512).optional(),
  deliveryMode: z.string().max(64).optional(),
  timestamp: z.string().max(64).optional(),
  localTimestamp: z.string().max(64).optional(),
  membersAdded: z.array(account).max(1000).optional(),
  membersRemoved: z.array(account).max(1000).optional(),
  channelData: z.looseObject({ tenant: z.looseObject({ id: z.string().max(64) }).optional() }).optional(),
});

/**
 * The activity in `body`, or the paths of the fields that are missing or of the wrong type (paths
 * only: a value may hold user text). Timestamps become Dates, as botbuilder's own reader does.
 */
export function parseActivity(body: unknown): { ok: true; activity: Activity } | { ok: false; fields: string[] } {
  const parsed = inboundActivitySchema.safeParse(body);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].slice(0, 10);
    return { ok: false, fields };
  }
  const { timestamp, localTimestamp, ...rest } = parsed.data;
  const activity = { ...rest } as unknown as Activity & { rawTimestamp?: string; rawLocalTimestamp?: string };
  if (timestamp !== undefined) Object.assign(activity, { timestamp: new Date(timestamp), rawTimestamp: timestamp });
  if (localTimestamp !== undefined) Object.assign(activity, { localTimestamp: new Date(localTimestamp), rawLocalTimestamp: localTimestamp });
  return { ok: true, activity };
}
