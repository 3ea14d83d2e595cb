import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One rate window: at most `count` messages in any `windowMs` (a sliding window, as Teams counts). */
export interface LimitWindow {
  count: number;
  windowMs: number;
}

/** A message the connector took (200), with the time it arrived (ms since the epoch). */
export interface Arrival {
  conversationId: string;
  tenantId: string;
  text: string | undefined;
  at: number;
}

export interface TeamsConnectorOptions {
  /** Per-conversation windows, every one enforced at once. */
  conversationLimits: LimitWindow[];
  /** Messages per second per tenant (a sliding 1 s window); none when left out. */
  tenantPerSecond?: number;
  /** Keep only counts, not each arrival's text (for the 10,000-conversation benchmark). */
  countOnly?: boolean;
}

/**
 * A local Bot Connector that enforces Teams' rate limits as Teams does: a message over any
 * per-conversation window, or over the tenant's per-second ceiling, is answered 429 with a
 * Retry-After (seconds until the window has room); a blocked conversation (the user blocked the
 * bot, or it was removed) is answered 403 MessageWritesBlocked. It records when each message arrived.
 */
export async function startTeamsConnector(options: TeamsConnectorOptions) {
  const accepted: Arrival[] = [];
  const throttled: { conversationId: string; at: number; retryAfterSeconds: number }[] = [];
  const forbidden: { conversationId: string; at: number }[] = [];
  const received = new Map<string, number>();
  const blocked = new Set<string>();
  /** Forced 429s, for a test of the retry: the next N messages to a conversation, with this Retry-After value. */
  const forced = new Map<string, { left: number; retryAfter: string }>();
  const recent = new Map<string, number[]>();
  const tenantRecent = new Map<string, number[]>();
  const longest = Math.max(1000, ...options.conversationLimits.map((l) => l.windowMs));

  /** Ms until `times` (ascending, pruned to the longest window) has room under every window; 0 when it has. */
  function waitFor(times: number[], limits: LimitWindow[], now: number): number {
    let wait = 0;
    for (const { count, windowMs } of limits) {
      const inWindow = times.filter((t) => t > now - windowMs);
      if (inWindow.length >= count) wait = Math.max(wait, inWindow[inWindow.length - count]! + windowMs - now);
    }
    return wait;
  }

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) {
        res.writeHead(404);
        res.end();
        return;
      }
      const now = Date.now();
      const conversationId = decodeURIComponent(match[1]!);
      const activity = JSON.parse(body || '{}') as { text?: string; conversation?: { tenantId?: string }; channelData?: { tenant?: { id?: string } } };
      const tenantId = activity.conversation?.tenantId ?? activity.channelData?.tenant?.id ?? '';
      const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (blocked.has(conversationId)) {
        forbidden.push({ conversationId, at: now });
        return reply(403, { error: { code: 'MessageWritesBlocked', message: 'Thread is blocked from message writes.' } });
      }
      const force = forced.get(conversationId);
      if (force && force.left > 0) {
        force.left--;
        throttled.push({ conversationId, at: now, retryAfterSeconds: Number(force.retryAfter) });
        return reply(429, { error: { code: 'TooManyRequests', message: 'forced by the test' } }, { 'retry-after': force.retryAfter });
      }
      const times = (recent.get(conversationId) ?? []).filter((t) => t > now - longest);
      const tenantTimes = (tenantRecent.get(tenantId) ?? []).filter((t) => t > now - 1000);
      const wait = Math.max(waitFor(times, options.conversationLimits, now), options.tenantPerSecond ? waitFor(tenantTimes, [{ count: options.tenantPerSecond, windowMs: 1000 }], now) : 0);
      if (wait > 0) {
        const retryAfterSeconds = Math.max(1, Math.ceil(wait / 1000));
        throttled.push({ conversationId, at: now, retryAfterSeconds });
        return reply(429, { error: { code: 'TooManyRequests', message: 'rate limit exceeded' } }, { 'retry-after': String(retryAfterSeconds) });
      }
      times.push(now);
      recent.set(conversationId, times);
      tenantTimes.push(now);
      tenantRecent.set(tenantId, tenantTimes);
      received.set(conversationId, (received.get(conversationId) ?? 0) + 1);
      if (!options.countOnly) accepted.push({ conversationId, tenantId, text: activity.text, at: now });
      reply(200, { id: `reply-${now}-${accepted.length}` });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    accepted,
    throttled,
    forbidden,
    /** Messages taken (200) per conversation id. */
    received,
    block: (conversationId: string) => void blocked.add(conversationId),
    unblock: (conversationId: string) => void blocked.delete(conversationId),
    /** Answers the next `times` messages to the conversation 429 with this Retry-After (seconds, or an HTTP date). */
    throttleNext: (conversationId: string, retryAfter: string, times = 1) => void forced.set(conversationId, { left: times, retryAfter }),
    reset() {
      accepted.splice(0);
      throttled.splice(0);
      forbidden.splice(0);
      received.clear();
      blocked.clear();
      forced.clear();
      recent.clear();
      tenantRecent.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type TeamsConnector = Awaited<ReturnType<typeof startTeamsConnector>>;

/** The most messages seen in any sliding window of `windowMs` among these arrival times. */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}
