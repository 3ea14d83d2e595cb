import type { AddressInfo } from 'node:net';
import type { ActivityHandler } from 'botbuilder';
import * as restify from 'restify';
import { errorFields } from './dialogs/errors';
import type { FrontDoorAdapter } from './http/adapter';
import { FrontDoor } from './http/frontDoor';
import type { NotificationEndpoint, NotificationReply } from './http/notifications';
import { refusal, type Reply } from './http/reply';
import type { ReadinessProbe } from './health';
import type { Logger } from './logger';

export interface ServerDeps {
  adapter: FrontDoorAdapter;
  bot: ActivityHandler;
  readiness: ReadinessProbe;
  version: string;
  logger: Logger;
  /** Graph's change notifications (`POST /api/notifications`); the route is absent without it. */
  notifications?: NotificationEndpoint;
}

/**
 * The HTTP front door: /api/messages for Teams, /healthz (liveness) and /readyz (readiness) for probes; tracks running requests for
 * shutdown. restify parses no body here: the front door reads it (bot/http/frontDoor.ts), and every
 * answer restify would make itself (unknown route, wrong method, a failure) gets a fixed body.
 */
export class BotServer {
  private readonly server: restify.Server;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: ServerDeps) {
    this.server = restify.createServer({ name: 'fasttrack-bot', handleUncaughtExceptions: false });
    const door = new FrontDoor({ adapter: deps.adapter, bot: deps.bot, logger: deps.logger });

    // Before routing and before a byte of any body is read. The request id is in every answer, so
    // an operator can find the one log line of a refused request.
    this.server.pre((req, res, next) => {
      res.setHeader('x-request-id', req.id());
      const refused = door.encodingRefusal(req.headers, req.id());
      if (!refused) return next();
      send(res, refused);
      return next(false);
    });

    this.server.post('/api/messages', async (req, res) => {
      const handled = door.activity(req, req.id()).catch((error: unknown): Reply => {
        deps.logger.error({ requestId: req.id(), err: errorFields(error) }, 'activity processing failed');
        return refusal(500);
      });
      this.running.add(handled);
      try {
        send(res, await handled);
      } finally {
        this.running.delete(handled);
      }
    });

    const notifications = deps.notifications;
    if (notifications) {
      this.server.post('/api/notifications', async (req, res) => {
        const handled = notifications.handle(req, req.id()).catch((error: unknown): NotificationReply => {
          deps.logger.error({ requestId: req.id(), err: errorFields(error) }, 'change notifications not handled');
          return refusal(500);
        });
        this.running.add(handled);
        try {
          const reply = await handled;
          if ('text' in reply) {
            // The validation handshake: the token exactly as sent, in text/plain.
            res.sendRaw(200, reply.text, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(reply.text)), 'x-content-type-options': 'nosniff' });
          } else {
            send(res, reply);
          }
        } finally {
          this.running.delete(handled);
        }
      });
    }

    // Liveness: the event loop answered. No external call, so a slow Graph never restarts a healthy instance.
    this.server.get('/healthz', async (_req, res) => {
      send(res, { status: 200, body: { status: 'ok', version: deps.version } });
    });

    // Readiness: storage and Graph, each bounded and cached (bot/health.ts); 503 names what is down.
    this.server.get('/readyz', async (req, res) => {
      const ready = await deps.readiness.check();
      if (ready.status !== 'ready') deps.logger.warn({ requestId: req.id(), checks: ready.checks }, 'not ready');
      send(res, { status: ready.status === 'ready' ? 200 : 503, body: ready });
    });

    // Unknown routes (404), wrong methods (405, with Allow set by restify) and anything a handler
    // threw: the fixed refusal for the status, never restify's message (which echoes the path).
    this.server.on('restifyError', (req: restify.Request, res: restify.Response, err: { statusCode?: unknown }, done: () => void) => {
      const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
      if (status >= 500) deps.logger.error({ requestId: req.id(), status, err: errorFields(err) }, 'request failed');
      else deps.logger.info({ requestId: req.id(), status, method: req.method }, 'request refused');
      if (!res.headersSent) send(res, refusal(status));
      done();
    });
  }

  /** Starts listening; resolves to the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting requests, then waits (up to `graceMs`) for running turns to finish. */
  async close(graceMs = 10_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const turns = Promise.allSettled([...this.running]);
    await Promise.race([turns, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    // Idle keep-alive connections would hold close() open; running turns are done by now.
    this.server.server.closeAllConnections?.();
    await closed;
  }
}

/** Writes a reply as JSON, bypassing restify's content negotiation. */
function send(res: restify.Response, reply: Reply): void {
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.sendRaw(reply.status, body, {
    ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': String(Buffer.byteLength(body)),
    ...reply.headers,
  });
}
