import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A captured reply the bot sent to the Bot Connector. */
export interface SentActivity {
  conversationId: string;
  activity: { type?: string; text?: string; attachments?: { contentType: string; content: unknown }[] };
}

/**
 * A local stand-in for the Teams Bot Connector service: the `serviceUrl` of test activities,
 * capturing every activity the bot sends back.
 */
export async function startConnector(): Promise<{ url: string; sent: SentActivity[]; waitFor(count: number, timeoutMs?: number): Promise<SentActivity[]>; stop(): Promise<void> }> {
  const sent: SentActivity[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      if (req.method === 'POST' && match) {
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
