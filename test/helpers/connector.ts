import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A captured reply the bot sent to the Bot Connector. */
export interface SentActivity {
  conversationId: string;
  activity: { type?: string; text?: string; attachments?: { contentType: string; content: unknown }[] };
}

/**
 * A local stand-in for the Teams Bot Connector service: the `serviceUrl` of test activities,
 * capturing every activity the bot sends back. `status` can make it refuse a conversation (a 500
 * that never heals, a 403 for a user who removed the bot); refused activities land in `refused`.
 */
export async function startConnector(options: {
  status?: (conversationId: string) => number;
  members?: (conversationId: string, memberId: string) => Record<string, unknown> | undefined;
  /** The answer to an update in place (PUT …/activities/{id}); default 200. */
  updateStatus?: (conversationId: string, activityId: string) => number;
} = {}): Promise<{
  url: string;
  sent: SentActivity[];
  refused: (SentActivity & { status: number })[];
  /** Activities the bot updated in place (PUT …/activities/{id}), e.g. a card after an action. */
  updated: (SentActivity & { activityId: string })[];
  waitFor(count: number, timeoutMs?: number): Promise<SentActivity[]>;
  stop(): Promise<void>;
}> {
  const sent: SentActivity[] = [];
  const refused: (SentActivity & { status: number })[] = [];
  const updated: (SentActivity & { activityId: string })[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      // The roster (GET /v3/conversations/{id}/members/{memberId}, TeamsInfo.getTeamMember): 404 for a non-member.
      const member = /^\/v3\/conversations\/([^/]+)\/members\/([^/?]+)/.exec(req.url ?? '');
      if (req.method === 'GET' && member && options.members) {
        const found = options.members(decodeURIComponent(member[1]!), decodeURIComponent(member[2]!));
        res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(found ?? { error: { code: 'MemberNotFoundInConversation', message: 'not a member' } }));
        return;
      }
      const update = /^\/v3\/conversations\/([^/]+)\/activities\/([^/?]+)/.exec(req.url ?? '');
      const updateStatus = update ? (options.updateStatus?.(decodeURIComponent(update[1]!), decodeURIComponent(update[2]!)) ?? 200) : 200;
      if (req.method === 'PUT' && update && updateStatus !== 200) {
        res.writeHead(updateStatus, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'ActivityNotFoundInConversation', message: 'refused by the test connector' } }));
        return;
      }
      if (req.method === 'PUT' && update) {
        updated.push({ conversationId: decodeURIComponent(update[1]!), activityId: decodeURIComponent(update[2]!), activity: JSON.parse(body || '{}') as SentActivity['activity'] });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: decodeURIComponent(update[2]!) }));
        return;
      }
      const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      const status = match ? (options.status?.(decodeURIComponent(match[1]!)) ?? 200) : 404;
      if (req.method === 'POST' && match && status !== 200) {
        refused.push({ conversationId: decodeURIComponent(match[1]!), activity: JSON.parse(body || '{}') as SentActivity['activity'], status });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: status === 403 ? 'BotNotInConversationRoster' : 'ServiceError', message: 'refused by the test connector' } }));
      } else if (req.method === 'POST' && match) {
        sent.push({ conversationId: decodeURIComponent(match[1]!), activity: JSON.parse(body || '{}') as SentActivity['activity'] });
        // restify patches http.ServerResponse.prototype, so writeHead does not chain here.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `reply-${sent.length}` }));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    sent,
    refused,
    updated,
    async waitFor(count, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      while (sent.filter((s) => s.activity.type !== 'typing').length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} replies, got ${JSON.stringify(sent.map((s) => s.activity.text ?? s.activity.type))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return sent.filter((s) => s.activity.type !== 'typing');
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
