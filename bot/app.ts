import {
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { BackgroundBooking } from './booking/backgroundBooking';
import { BookingService, type MeetingObserver } from './booking/bookingService';
import { BookingLedger } from './booking/ledger';
import { CardRenderer } from './cards/cardRenderer';
import { productionGraphMissing, productionStorageMissing, type Config } from './config';
import { parseCenterModel } from './domain/centers';
import { parseEligibilityRules } from './domain/eligibility';
import { parseProductNames } from './domain/products';
import { parseServiceCatalog } from './domain/services';
import { createCredentialFactory } from './graph/credentials';
import { GraphTenantDirectory } from './graph/graphTenantDirectory';
import { ReadinessProbe } from './health';
import { FrontDoorAdapter } from './http/adapter';
import { NotificationEndpoint } from './http/notifications';
import type { Logger } from './logger';
import { CalendarWatch } from './notifications/calendarWatch';
import { ConsentWatch, PARTNER_CONSENT_KIND, partnerConsentKind } from './notifications/consentWatch';
import { adminConsentUrl } from './domain/partners';
import { PartnerIndex } from './storage/partnerIndex';
import { ConversationReferenceStore } from './notifications/conversationReferences';
import { Dispatcher } from './notifications/dispatcher';
import { createNoticeKinds } from './notifications/notice';
import { Outbox } from './notifications/outbox';
import { REMINDER_KIND, ReminderScheduler, reminderKind } from './notifications/reminders';
import { MeetingCancel } from './triage/meetingCancel';
import { MeetingReassign } from './triage/meetingReassign';
import { ChannelCardUpdates, TRIAGE_CARD_UPDATE_KIND, triageCardUpdateKind } from './triage/channelCard';
import type { TriageObserver } from './triage/observer';
import { RequesterNotices, TRIAGE_NOTICE_KIND, triageNoticeKind } from './triage/requesterNotices';
import { AdapterSender, LimitedSender } from './notifications/sender';
import { BotServer } from './server';
import { createStorage } from './storage/storageFactory';
import { StorageRequestRepository } from './storage/requestRepository';
import type { LocalWorld } from './localWorld';
import { LazyHandler } from './lazyHandler';
import { packageVersion } from './version';
import { createTurnErrorHandler } from './turnErrorHandler';
import { errorFields } from './dialogs/errors';
import { BackgroundTenantCheck, TENANT_CHECK_RESULT_KIND, tenantCheckResultNotice } from './dialogs/backgroundTenantCheck';
import { TRIAGE_CARD_KIND, triageCardKind, TriagePoster } from './triage/triageNotice';


/** A started bot: its port, what it started, and how to stop all of it. */
export interface RunningApp {
  port: number;
  /** Base URL template of the Graph the bot talks to (the local tenant when none is configured). */
  graphBaseUrl: string;
  storageKind: 'azure' | 'azurite';
  /** Where the rest of the bot (and a test) queues proactive notices. */
  outbox: Outbox;
  stop(): Promise<void>;
}

/**
 * Builds everything from configuration and starts the server: storage, Graph, dialogs, bot and routes.
 * Only wiring. The local tenant and Azurite come from `local` when the configuration names neither
 * Graph nor a storage account; without `local` (production) that is a ConfigError.
 */
export async function startApp(config: Config, logger: Logger, local?: LocalWorld): Promise<RunningApp> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => logger.warn({ err: errorFields(error) }, 'stop failed'));
  };
  // Production (no local world) names what is missing before anything starts.
  if (!local && config.storage.kind !== 'azure') throw productionStorageMissing();
  if (!local && !config.graph.baseUrl) throw productionGraphMissing();
  try {
    // Operator-edited data is checked before anything starts: a typo stops start-up with its path.
    const rules = parseEligibilityRules(readJson(config.eligibilityRulesPath));
    const catalog = parseServiceCatalog(readJson(config.serviceCatalogPath));
    const centers = parseCenterModel(readJson(config.centersPath));
    const products = parseProductNames(readJson(config.productNamesPath));
    const [graphBaseUrl, storage] = await Promise.all([
      startGraph(config, stops, local),
      createStorage(config.storage, local?.startStorage).then((s) => {
        stops.push(s.stop);
        return s;
      }),
    ]);

    const renderer = CardRenderer.load();
    const directory = new GraphTenantDirectory({ baseUrl: graphBaseUrl, credentials: createCredentialFactory(config.graph.auth), timeoutMs: config.turnBudgetMs });
    const requests = new StorageRequestRepository(storage.documents);
    const references = new ConversationReferenceStore(storage.documents);
    const conversationState = new ConversationState(storage.state);

    const auth = new ConfigurationBotFrameworkAuthentication(config.botAuth as ConfigurationBotFrameworkAuthenticationOptions);
    const adapter = new FrontDoorAdapter(auth);
    adapter.onTurnError = createTurnErrorHandler(renderer, logger);

    const clock = () => new Date();
    // One outbound path: every proactive message is a notice queued in the outbox, sent by the dispatcher.
    const kinds = createNoticeKinds(renderer)
      .register(REMINDER_KIND, reminderKind({ requests, offsets: config.reminderOffsets, clock }))
      .register(PARTNER_CONSENT_KIND, partnerConsentKind());
    kinds.register(TENANT_CHECK_RESULT_KIND, tenantCheckResultNotice({ rules, catalog, products, clock }));
    kinds.register(TRIAGE_CARD_KIND, triageCardKind({ requests, centers }));
    kinds.register(TRIAGE_NOTICE_KIND, triageNoticeKind({ requests }));
    kinds.register(TRIAGE_CARD_UPDATE_KIND, triageCardUpdateKind({ requests, centers }));
    const outbox = new Outbox({ queue: storage.queue, documents: storage.documents, kinds, clock });
    // Partners (GDAP): a customer's missing consent is waited for through the queue; the local tenant stands in for Entra's consent page.
    const consentWatch = new ConsentWatch({ queue: storage.queue, directory, outbox, logger, clock });
    const graphAuth = config.graph.auth;
    const consentLink =
      graphAuth.kind === 'local'
        ? { authority: `${new URL(graphBaseUrl.replace('{tenantId}', 'x')).origin}/_local/login`, clientId: '00000000-0000-0000-0000-000000000000' }
        : { authority: 'https://login.microsoftonline.com', clientId: graphAuth.clientId };
    const partners = { index: new PartnerIndex(storage.documents), consent: consentWatch, consentUrl: (tenantId: string) => adminConsentUrl(tenantId, consentLink) };
    const dispatcher = new Dispatcher({
      queue: storage.queue,
      poisonQueue: storage.poisonQueue,
      documents: storage.documents,
      references,
      kinds,
      // Teams' per-conversation windows and the per-tenant ceiling, with retries of throttled sends.
      sender: new LimitedSender(new AdapterSender(adapter, config.botAuth.MicrosoftAppId), { tenantPerSecond: config.outbox.tenantRatePerSecond }),
      logger,
      clock,
      pollMs: config.outbox.pollMs,
      maxAttempts: config.outbox.maxAttempts,
      calendarChanges: { handle: (message) => calendarWatch.handle(message) },
      bookings: { handle: (message, attempt) => background.handle(message, attempt) },
      tenantChecks: { handle: (message, attempt) => backgroundTenantCheck.handle(message, attempt) },
      consentChecks: consentWatch,
    });
    const reminders = new ReminderScheduler({ outbox, offsets: config.reminderOffsets, clock, logger });
    // Observers in order: the reminders, then the calendar watch (added once built: it needs the booking service).
    const observers: MeetingObserver[] = [reminders];
    const booking = new BookingService({ directory, ledger: new BookingLedger(storage.documents, clock), centers, requests, clock, observers });
    const listening: { port?: number } = {};
    const notificationUrl = () => config.graph.notificationUrl ?? (local && listening.port ? `http://127.0.0.1:${listening.port}/api/notifications` : undefined);
    const calendarWatch = new CalendarWatch({ gateway: directory, directory, documents: storage.documents, requests, booking, outbox, queue: storage.queue, notificationUrl, logger, clock });
    observers.push(calendarWatch);
    // Bookings and tenant checks that do not fit in their turn go on from the queue; the result comes through the outbox.
    const backgroundTenantCheck = new BackgroundTenantCheck({ directory, rules, catalog, products, clock, documents: storage.documents, queue: storage.queue, outbox, logger, turnBudgetMs: config.turnBudgetMs });
    const background = new BackgroundBooking({ booking, requests, documents: storage.documents, queue: storage.queue, outbox, renderer, logger, clock, turnBudgetMs: config.turnBudgetMs, maxAttempts: config.outbox.maxAttempts });
    // Told of every accepted triage action, in order, from the channel and from the requester's answer:
    // the requester's notices, a reassignment moving the meetings, a cancellation cancelling them, the channel's card learning the answer.
    const triageObservers: TriageObserver[] = [new RequesterNotices({ outbox, logger }), new MeetingReassign({ booking, logger }), new MeetingCancel({ booking, logger })];
    triageObservers.push(new ChannelCardUpdates({ outbox, staffTenantId: config.fastTrack.staffTenantId, centerTeamId: config.fastTrack.centerTeamId, logger }));
    const triageChannel = new TriagePoster({ outbox, staffTenantId: config.fastTrack.staffTenantId, centerTeamId: config.fastTrack.centerTeamId, logger });
    // The router, handlers and dialogs load on the first turn, not before listening (bot/lazyHandler.ts).
    const bot = new LazyHandler(async () => {
      const { FastTrackBot } = await import('./teamsBot.js');
      return new FastTrackBot({
        conversationState,
        references,
        directory,
        requests,
        renderer,
        logger,
        rules,
        catalog,
        products,
        adminRoleTemplateIds: config.adminRoleTemplateIds,
        booking,
        background,
        backgroundTenantCheck,
        clock,
        random: randomBytes,
        triageChannel,
        triage: { staffTenantId: config.fastTrack.staffTenantId, centerTeamId: config.fastTrack.centerTeamId, centers, observers: triageObservers },
        triageObservers,
        staff: { staffTenantId: config.fastTrack.staffTenantId, centers, ledger: new BookingLedger(storage.documents, clock), assignments: requests },
        partners,
      });
    });
    const version = packageVersion();
    const server = new BotServer({
      adapter,
      bot,
      logger,
      version,
      notifications: new NotificationEndpoint({ queue: storage.queue, logger, clientStateOf: async (id) => (await calendarWatch.record(id))?.clientState }),
      readiness: new ReadinessProbe({ version, checks: { storage: () => storage.ping(), graph: (signal) => directory.ping(signal) } }),
    });
    dispatcher.start();
    stops.push(() => dispatcher.stop());
    const port = await server.listen(config.port, config.host);
    listening.port = port;
    // The server stops first (running turns finish), then the dispatcher (its batch finishes), then storage.
    stops.push(() => server.close());
    return { port, graphBaseUrl, storageKind: storage.kind, outbox, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`${file} could not be read as JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

async function startGraph(config: Config, stops: (() => Promise<void>)[], local: LocalWorld | undefined): Promise<string> {
  if (config.graph.baseUrl) return config.graph.baseUrl;
  if (!local) throw productionGraphMissing();
  const tenant = await local.startGraph(config.graph.localTenantPort);
  stops.push(tenant.stop);
  return tenant.baseUrlTemplate;
}
