import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { CardRenderer } from './cards/cardRenderer';
import type { Config } from './config';
import { RequestDialog } from './dialogs/requestDialog';
import { createCredentialFactory } from './graph/credentials';
import { GraphTenantDirectory } from './graph/graphTenantDirectory';
import type { Logger } from './logger';
import { ConversationReferenceStore } from './notifications/conversationReferences';
import { BotServer } from './server';
import { createStorage } from './storage/storageFactory';
import { StorageRequestRepository } from './storage/requestRepository';
import { FastTrackBot } from './teamsBot';
import { createTurnErrorHandler } from './turnErrorHandler';

const VERSION = (require('../package.json') as { version: string }).version;

/** A started bot: its port, what it started, and how to stop all of it. */
export interface RunningApp {
  port: number;
  /** Base URL template of the Graph the bot talks to (the local tenant when none is configured). */
  graphBaseUrl: string;
  storageKind: 'azure' | 'azurite';
  stop(): Promise<void>;
}

/**
 * Builds everything from configuration and starts the server: the local tenant and Azurite when
 * nothing else is configured, then storage, Graph, dialogs, bot and routes. Only wiring.
 */
export async function startApp(config: Config, logger: Logger): Promise<RunningApp> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => logger.warn({ err: { name: (error as Error)?.name } }, 'stop failed'));
  };
  try {
    const [graphBaseUrl, storage] = await Promise.all([
      startGraph(config, stops),
      createStorage(config.storage).then((s) => {
        stops.push(s.stop);
        return s;
      }),
    ]);

    const renderer = CardRenderer.load();
    const directory = new GraphTenantDirectory({ baseUrl: graphBaseUrl, credentials: createCredentialFactory(config.graph.auth) });
    const requests = new StorageRequestRepository(storage.records);
    const references = new ConversationReferenceStore(storage.records);
    const conversationState = new ConversationState(storage.state);

    const auth = new ConfigurationBotFrameworkAuthentication(config.botAuth as ConfigurationBotFrameworkAuthenticationOptions);
    const adapter = new CloudAdapter(auth);
    adapter.onTurnError = createTurnErrorHandler(renderer, logger);

    const bot = new FastTrackBot({
      conversationState,
      requestDialog: new RequestDialog({ directory, requests, renderer, logger }),
      directory,
      requests,
      references,
      renderer,
      logger,
    });
    const server = new BotServer({
      adapter,
      bot,
      logger,
      health: async () => {
        const [storageOk, graphOk] = await Promise.all([storage.ping(), directory.ping()]);
        return { storage: storageOk, graph: graphOk, version: VERSION };
      },
    });
    const port = await server.listen(config.port, config.host);
    // The server stops first (running turns finish), then what it used.
    stops.push(() => server.close());
    return { port, graphBaseUrl, storageKind: storage.kind, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startGraph(config: Config, stops: (() => Promise<void>)[]): Promise<string> {
  if (config.graph.baseUrl) return config.graph.baseUrl;
  // Local world: the Graph-compatible local tenant, loaded only when it is used.
  const { LocalTenantServer } = await import('./localTenant/localTenantServer.js');
  const localTenant = new LocalTenantServer();
  await localTenant.start(config.graph.localTenantPort, '127.0.0.1');
  stops.push(() => localTenant.stop());
  return localTenant.baseUrlTemplate();
}
