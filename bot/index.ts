import { ConfigError, loadConfig, type Config } from './config';
import { startApp } from './app';
import { createLogger } from './logger';

/** Composition root: configuration → app → signals. Nothing else happens here. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const started = Date.now();
  const app = await startApp(config, logger);
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${app.port}`;
  logger.info(
    { port: app.port, storage: app.storageKind, graph: app.graphBaseUrl, startupMs: Date.now() - started },
    `FastTrack bot listening on ${url}/api/messages (health: ${url}/healthz)`,
  );
  if (!config.botAuth.MicrosoftAppId) {
    logger.info(`To chat with the bot locally, run "npm run dev" (bot + Microsoft 365 Agents Playground) and open the URL it prints; or point the Playground at ${url}/api/messages`);
  }

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new requests, letting running turns finish');
    await app.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', (s) => void shutdown(s));
  process.once('SIGINT', (s) => void shutdown(s));
}

main().catch((error: unknown) => {
  // Start-up failures (a port in use, Azurite not starting) without stack noise.
  console.error(`The bot could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
