import type { AddressInfo } from 'node:net';
import type { ActivityHandler, CloudAdapter } from 'botbuilder';
import * as restify from 'restify';
import type { Logger } from './logger';

/** What /healthz reports. */
export interface Health {
  storage: boolean;
  graph: boolean;
  version: string;
}

export interface ServerDeps {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  health: () => Promise<Health>;
  logger: Logger;
}

/** The HTTP front door: /api/messages for Teams, /healthz for probes; tracks running turns for shutdown. */
export class BotServer {
  private readonly server: restify.Server;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: ServerDeps) {
    this.server = restify.createServer({ name: 'fasttrack-bot', handleUncaughtExceptions: false });
    this.server.use(restify.plugins.bodyParser({ maxBodySize: 512 * 1024, mapParams: false }));

    this.server.post('/api/messages', async (req, res) => {
      const turn = deps.adapter.process(req, res, (context) => deps.bot.run(context));
      this.running.add(turn);
      try {
        await turn;
      } catch (error) {
        // process() answers auth failures itself; anything else is logged without the body.
        deps.logger.error({ err: { name: (error as Error)?.name } }, 'activity processing failed');
        if (!res.headersSent) res.send(500);
      } finally {
        this.running.delete(turn);
      }
    });

    this.server.get('/healthz', async (_req, res) => {
      const health = await deps.health();
      const ok = health.storage && health.graph;
      res.status(ok ? 200 : 503);
      res.json({ status: ok ? 'ok' : 'degraded', ...health });
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
