import assert from 'node:assert/strict';
import path from 'node:path';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../bot/config';

const GUID = '11111111-2222-4333-8444-555555555555';

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, '/srv/bot');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('configuration was accepted');
}

describe('configuration', () => {
  it('runs on local defaults when nothing is set', () => {
    const config = loadConfig({}, '/srv/bot');
    assert.equal(config.port, 3978);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.botAuth.MicrosoftAppId, '', 'inbound auth is off locally');
    assert.deepEqual(config.storage, {
      kind: 'azurite',
      dataDir: path.join('/srv/bot', '.data', 'azurite'),
      blobPort: 10000,
      queuePort: 10001,
      stateContainer: 'botstate',
      recordsContainer: 'records',
      queueName: 'fasttrack-work',
    });
    assert.equal(config.graph.baseUrl, undefined, 'no Graph URL means the local tenant is started');
    assert.deepEqual(config.graph.auth, { kind: 'local' });
  });

  it('treats empty values as unset, as App Service writes them', () => {
    assert.equal(loadConfig({ PORT: '', MicrosoftAppId: '  ' }).port, 3978);
  });

  it('names the key, the problem and the fix for a bad app type', () => {
    const error = errorFor({ MicrosoftAppId: GUID, MicrosoftAppPassword: 'x', MicrosoftAppType: 'Single' });
    assert.equal(error.key, 'MicrosoftAppType');
    assert.match(error.message, /^MicrosoftAppType must be one of SingleTenant, UserAssignedMSI, MultiTenant/);
  });

  it('takes the public notification URL for Graph, and refuses one that is not http(s)', () => {
    assert.equal(loadConfig({}).graph.notificationUrl, undefined, 'the local default follows the bound port');
    assert.equal(loadConfig({ NOTIFICATION_URL: 'https://bot.example.com/api/notifications' }).graph.notificationUrl, 'https://bot.example.com/api/notifications');
    assert.equal(errorFor({ NOTIFICATION_URL: 'ftp://bot.example.com/api/notifications' }).key, 'NOTIFICATION_URL');
  });

  it('rejects a port that is not a number, with an example', () => {
    const error = errorFor({ PORT: 'eighty' });
    assert.equal(error.key, 'PORT');
    assert.match(error.message, /PORT must be a port number; for example PORT=3978/);
  });

  it('rejects a port out of range', () => {
    assert.match(errorFor({ AZURITE_BLOB_PORT: '70000' }).message, /^AZURITE_BLOB_PORT must be between 0 and 65535/);
  });

  it('asks for the password when an app id is set without one', () => {
    const error = errorFor({ MicrosoftAppId: GUID, MicrosoftAppTenantId: GUID });
    assert.equal(error.key, 'MicrosoftAppPassword');
  });

  it('asks for the tenant id of a single-tenant bot', () => {
    assert.equal(errorFor({ MicrosoftAppId: GUID, MicrosoftAppPassword: 's', MicrosoftAppType: 'SingleTenant' }).key, 'MicrosoftAppTenantId');
  });

  it('accepts a managed-identity bot without a password', () => {
    const config = loadConfig({ MicrosoftAppId: GUID, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: GUID });
    assert.equal(config.botAuth.MicrosoftAppType, 'UserAssignedMSI');
  });

  it('rejects an app id that is not a GUID', () => {
    assert.match(errorFor({ MicrosoftAppId: 'my-bot' }).message, /^MicrosoftAppId must be the bot's Entra app \(client\) id/);
  });

  it('uses Azure Storage when a connection string is set', () => {
    const config = loadConfig({ AZURE_STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=b;EndpointSuffix=core.windows.net' });
    assert.equal(config.storage.kind, 'azure');
  });

  it('rejects a connection string that is not one', () => {
    assert.match(errorFor({ AZURE_STORAGE_CONNECTION_STRING: 'hello' }).message, /does not look like an Azure Storage connection string/);
  });

  it('rejects container names Azure would refuse', () => {
    assert.equal(errorFor({ STORAGE_STATE_CONTAINER: 'Bot_State' }).key, 'STORAGE_STATE_CONTAINER');
    assert.equal(errorFor({ STORAGE_QUEUE_NAME: 'ab' }).key, 'STORAGE_QUEUE_NAME');
  });

  it('needs the client id and secret for Graph client-secret auth, and defaults to graph.microsoft.com', () => {
    assert.equal(errorFor({ GRAPH_AUTH: 'clientSecret' }).key, 'GRAPH_CLIENT_ID');
    assert.equal(errorFor({ GRAPH_AUTH: 'clientSecret', GRAPH_CLIENT_ID: GUID }).key, 'GRAPH_CLIENT_SECRET');
    const config = loadConfig({ GRAPH_AUTH: 'clientSecret', GRAPH_CLIENT_ID: GUID, GRAPH_CLIENT_SECRET: 's' });
    assert.equal(config.graph.baseUrl, 'https://graph.microsoft.com');
  });

  it('resolves the certificate path against the working directory', () => {
    const config = loadConfig({ GRAPH_AUTH: 'certificate', GRAPH_CLIENT_ID: GUID, GRAPH_CERTIFICATE_PATH: 'certs/graph.pem' }, '/srv/bot');
    assert.deepEqual(config.graph.auth, { kind: 'certificate', clientId: GUID, certificatePath: '/srv/bot/certs/graph.pem' });
  });

  it('refuses to send Graph tokens over plain http', () => {
    const error = errorFor({ GRAPH_AUTH: 'clientSecret', GRAPH_CLIENT_ID: GUID, GRAPH_CLIENT_SECRET: 's', GRAPH_BASE_URL: 'http://graph.example' });
    assert.equal(error.key, 'GRAPH_BASE_URL');
  });

  it('rejects an unknown Graph auth kind with the allowed values', () => {
    assert.match(errorFor({ GRAPH_AUTH: 'password' }).message, /^GRAPH_AUTH must be one of local, clientSecret, certificate, managedIdentity/);
  });

  it('documents every key it reads in the README', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(path.join(__dirname, '..', 'README.md'), 'utf8');
    for (const key of CONFIG_KEYS) assert.match(readme, new RegExp(`\\| \`${key}\` \\|`), `${key} is missing from the README's configuration table`);
  });
});
