import { loadConfig } from '../bot/config';
import type { LocalWorld } from '../bot/localWorld';
import { localWorld } from './backends';

/**
 * `npm start`: the bot on its zero-config local defaults (the local tenant and Azurite when nothing
 * else is configured). Azurite (a child process) and the local tenant start first, while the bot's
 * modules load; the bot then gets the already-starting parts through the LocalWorld seam.
 */
function prestartedWorld(): LocalWorld {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch {
    return localWorld; // runBot names the configuration error
  }
  const storage = config.storage.kind === 'azurite' ? config.storage : undefined;
  const early = {
    storage: storage && localWorld.startStorage({ location: storage.dataDir, blobPort: storage.blobPort, queuePort: storage.queuePort }),
    graph: config.graph.baseUrl ? undefined : localWorld.startGraph(config.graph.localTenantPort),
  };
  // A start that fails is reported when the bot awaits it, not as an unhandled rejection before.
  early.storage?.catch(() => {});
  early.graph?.catch(() => {});
  return {
    startStorage: (options) =>
      early.storage && storage && options.location === storage.dataDir && options.blobPort === storage.blobPort && options.queuePort === storage.queuePort
        ? early.storage
        : localWorld.startStorage(options),
    startGraph: (port) => (early.graph && port === config.graph.localTenantPort ? early.graph : localWorld.startGraph(port)),
  };
}

const world = prestartedWorld();
// setImmediate: after the microtasks that spawn Azurite and load the local tenant, so they run
// while the bot's modules load.
setImmediate(() => {
  void import('../bot/run.js').then(({ exitOnStartFailure, runBot }) => runBot(world).catch(exitOnStartFailure));
});
