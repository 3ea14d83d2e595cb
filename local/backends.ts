import type { LocalWorld } from '../bot/localWorld';
import { startAzurite } from './azurite';

/**
 * The local world for `npm start` and the tests: the Graph-compatible local tenant and Azurite,
 * each started only when the configuration asks for it. Azurite's launcher is small and imported at
 * once, so `startStorage` spawns the child process synchronously (local/start.ts relies on that to
 * boot Azurite while the bot's modules load); the local tenant loads on demand.
 */
export const localWorld: LocalWorld = {
  async startGraph(port) {
    const { LocalTenantServer } = await import('./tenant/localTenantServer.js');
    const tenant = new LocalTenantServer();
    await tenant.start(port, '127.0.0.1');
    return { baseUrlTemplate: tenant.baseUrlTemplate(), stop: () => tenant.stop() };
  },
  startStorage(options) {
    return startAzurite(options);
  },
};
