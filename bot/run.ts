import { ConfigError, loadConfig, type Config } from './config';
import { startApp } from './app';
import type { LocalWorld } from './localWorld';
import { createLogger } from './logger';

/**
 * Configuration → app → signals. `bot/index.ts` (production) calls it with nothing; `local/start.ts`
 * (npm start) with the local world.
 */
export async function runBot(local?: LocalWorld): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    return exitOnConfigError(error);
  }
  const logger = createLogger(config.logLevel);
  const started = Date.now();
  const app = await startApp(config, logger, local).catch(exitOnConfigError);
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${app.port}`;
  logger.info(
    { port: app.port, storage: app.storageKind, graph: app.graphBaseUrl, startupMs: Date.now() - started },
    `FastTrack bot listening on ${url}/api/messages (liveness: ${url}/healthz, readiness: ${url}/readyz)`,
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

function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

/** Start-up failures (a port in use, Azurite not starting) end the process with one line, no stack noise. */
export function exitOnStartFailure(error: unknown): never {
  console.error(`The bot could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
