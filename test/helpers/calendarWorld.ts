import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActivityHandler, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { BookingService } from '../../bot/booking/bookingService';
import { BookingLedger } from '../../bot/booking/ledger';
import { GraphTenantDirectory } from '../../bot/graph/graphTenantDirectory';
import { ReadinessProbe } from '../../bot/health';
import { FrontDoorAdapter } from '../../bot/http/adapter';
import { NotificationEndpoint } from '../../bot/http/notifications';
import { createLogger } from '../../bot/logger';
import { CalendarWatch } from '../../bot/notifications/calendarWatch';
import { ConversationReferenceStore } from '../../bot/notifications/conversationReferences';
import { Dispatcher } from '../../bot/notifications/dispatcher';
import { createNoticeKinds } from '../../bot/notifications/notice';
import { Outbox } from '../../bot/notifications/outbox';
import { AdapterSender } from '../../bot/notifications/sender';
import { BotServer } from '../../bot/server';
import { StorageRequestRepository } from '../../bot/storage/requestRepository';
import { startAzurite, type AzuriteInstance } from '../../local/azurite';
import { LocalTenantServer } from '../../local/tenant/localTenantServer';
import { centers, renderer, teamsActivity, type TestUser } from './botHarness';
import { startConnector } from './connector';
import { freshOutboxStorage } from './outboxStorage';

export type LogLine = { level: number; msg: string; [key: string]: unknown };

/**
 * The parts of the bot that follow meetings in Outlook, wired as bot/app.ts wires them, on Azurite,
 * the local tenant and the test connector: the booking service with the calendar watch as its
 * observer, the HTTP front door with `/api/notifications`, the outbox and its dispatcher.
 */
export async function startCalendarWorld(): Promise<{
  tenant: LocalTenantServer;
  connector: Awaited<ReturnType<typeof startConnector>>;
  azurite: AzuriteInstance;
  fresh(): Promise<CalendarWorld>;
  stop(): Promise<void>;
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftbot-calendar-'));
  const tenant = new LocalTenantServer();
  const [azurite, connector] = await Promise.all([startAzurite({ location: dir, blobPort: 0, queuePort: 0 }), startConnector(), tenant.start(0)]);
  const worlds: CalendarWorld[] = [];
  return {
    tenant,
    connector,
    azurite,
    async fresh() {
      const world = await calendarWorld(azurite.connectionString, tenant, connector.url);
      worlds.push(world);
      return world;
    },
    async stop() {
      for (const w of worlds) await w.stop();
      await Promise.all([azurite.stop(), connector.stop(), tenant.stop()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type CalendarWorld = Awaited<ReturnType<typeof calendarWorld>>;

async function calendarWorld(connectionString: string, tenant: LocalTenantServer, connectorUrl: string) {
  const { documents, queue, poisonQueue } = await freshOutboxStorage(connectionString);
  const logs: LogLine[] = [];
  const logger = createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const directory = new GraphTenantDirectory({ baseUrl: tenant.baseUrlTemplate(), credentials: () => undefined, timeoutMs: 10000 });
  const requests = new StorageRequestRepository(documents);
  const references = new ConversationReferenceStore(documents);
  const kinds = createNoticeKinds(renderer);
  const clock = () => new Date();
  const outbox = new Outbox({ queue, documents, kinds, clock });
  const ledger = new BookingLedger(documents, clock);
  const observers: CalendarWatch[] = [];
  const booking = new BookingService({ directory, ledger, centers, requests, clock, observers });
  const listening: { port?: number } = {};
  const watch = new CalendarWatch({
    gateway: directory,
    directory,
    documents,
    requests,
    booking,
    outbox,
    queue,
    notificationUrl: () => (listening.port ? `http://127.0.0.1:${listening.port}/api/notifications` : undefined),
    logger,
    clock,
  });
  observers.push(watch);
  const adapter = new FrontDoorAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const dispatcher = new Dispatcher({
    queue,
    poisonQueue,
    documents,
    references,
    kinds,
    sender: new AdapterSender(adapter, ''),
    logger,
    clock,
    pollMs: 50,
    calendarChanges: { handle: (m) => watch.handle(m) },
  });
  const endpoint = new NotificationEndpoint({ queue, logger, clientStateOf: async (id) => (await watch.record(id))?.clientState, settleSeconds: 1 });
  const server = new BotServer({
    adapter,
    bot: new ActivityHandler(),
    logger,
    version: 'test',
    notifications: endpoint,
    readiness: new ReadinessProbe({ version: 'test', checks: { storage: async () => true } }),
  });
  listening.port = await server.listen(0, '127.0.0.1');
  return {
    directory,
    logger,
    documents,
    queue,
    poisonQueue,
    requests,
    ledger,
    booking,
    watch,
    dispatcher,
    outbox,
    logs,
    notificationUrl: `http://127.0.0.1:${listening.port}/api/notifications`,
    /** Makes the user's personal chat reachable through the test connector. */
    async installFor(user: TestUser, locale = 'en-US') {
      await references.refresh(teamsActivity(user, locale, { type: 'message', serviceUrl: connectorUrl, text: 'hi' }));
    },
    async stop() {
      await dispatcher.stop();
      await server.close(1000);
    },
  };
}
