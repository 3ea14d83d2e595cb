import crypto from 'node:crypto';
import { TENANTS, USERS } from '../../local/tenant/ids';
import type { SentActivity } from './connector';

/** What a posted activity got: the HTTP answer (an invoke's body) and the replies the connector captured meanwhile. */
export interface Posted {
  status: number;
  body: unknown;
  replies: SentActivity['activity'][];
}

/**
 * Posts Teams activities to a running app's /api/messages as the channel would (serviceUrl = the test
 * connector), and collects the replies it captured during each post. `port` is read at each post, so
 * the client can be made before the app starts.
 */
export function appClient(port: () => number, connector: () => { url: string; sent: SentActivity[] }) {
  async function post(activity: Record<string, unknown>): Promise<Posted> {
    const { url, sent } = connector();
    const before = sent.length;
    const response = await fetch(`http://127.0.0.1:${port()}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: crypto.randomUUID(), channelId: 'msteams', serviceUrl: url, locale: 'en-US', recipient: { id: '28:bot', name: 'FastTrack Onboarding' }, ...activity }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, replies: sent.slice(before).map((x) => x.activity).filter((a) => a.type !== 'typing') };
  }
  /** Megan (Contoso's admin) in her personal chat. */
  const megan = (extra: Record<string, unknown>) =>
    post({
      type: 'message',
      from: { id: `29:${USERS.megan}`, name: 'Megan Bowen', aadObjectId: USERS.megan },
      conversation: { id: `a:${USERS.megan}`, conversationType: 'personal', tenantId: TENANTS.contoso },
      channelData: { tenant: { id: TENANTS.contoso } },
      ...extra,
    });
  return { post, megan };
}
