/**
 * Runs the local tenant on its own:
 *   node --import tsx local/tenant/main.ts [--port 3979] [--host 127.0.0.1] [--page-size 100] [--verbose]
 * Prints the root URL on stdout once listening; --verbose logs each request to stderr as JSON;
 * --page-size pages directory-object collections smaller than Graph's 100 (to try @odata.nextLink).
 */
import { parseArgs } from 'node:util';
import { LocalTenantServer } from './localTenantServer';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3979' },
      host: { type: 'string', default: '127.0.0.1' },
      'page-size': { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, not '${values.port}'`);

  const pageSize = values['page-size'] === undefined ? undefined : Number(values['page-size']);
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1)) throw new Error(`--page-size must be an integer >= 1, not '${values['page-size']}'`);

  const log = values.verbose
    ? (msg: string, fields: object): void => void process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`)
    : undefined;
  const server = new LocalTenantServer({ ...(log ? { log } : {}), ...(pageSize !== undefined ? { pageSize } : {}) });
  const root = await server.start(port, values.host);
  process.stdout.write(`${root}\n`);

  const shutdown = (): void => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`local tenant: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
