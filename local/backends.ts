import type { LocalWorld } from '../bot/localWorld';

/**
 * The local world for `npm start` and the tests: the Graph-compatible local tenant and Azurite,
 * each loaded only when the configuration asks for it.
 */
export const localWorld: LocalWorld = {
  async startGraph(port) {
    const { LocalTenantServer } = await import('./tenant/localTenantServer.js');
    const tenant = new LocalTenantServer();
    await tenant.start(port, '127.0.0.1');
    return { baseUrlTemplate: tenant.baseUrlTemplate(), stop: () => tenant.stop() };
  },
  async startStorage(options) {
    const { startAzurite } = await import('./azurite.js');
    return startAzurite(options);
  },
};
