import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEYS, loadConfig } from '../../bot/config';
import { BicepFile, stringLiteral } from './bicep';

const INFRA = join(__dirname, '..', '..', 'infra');
const read = (file: string) => readFileSync(join(INFRA, file), 'utf8');

const main = new BicepFile(read('main.bicep'));
const botRegistration = new BicepFile(read('botRegistration.bicep'));
const bicepFiles = { 'main.bicep': main, 'botRegistration.bicep': botRegistration };
const parametersFile = JSON.parse(read('main.parameters.json')) as { parameters: Record<string, { value: unknown }> };
const settings = main.appSettings();
const setting = (name: string) => settings.find((s) => s.name === name);

/** Sample values for what only Azure knows at deployment time. */
const DEPLOYMENT_VALUES: Record<string, string> = {
  'identity.properties.clientId': '11111111-2222-4333-8444-555555555555',
  'tenant().tenantId': '66666666-7777-4888-9999-000000000000',
  'storage.name': 'stfasttrackbotabc123',
  'storage.listKeys().keys[0].value': 'c2FtcGxlLWtleQ==',
  'environment().suffixes.storage': 'core.windows.net',
  graphClientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  graphSecretSetting: 'sample-graph-secret',
  webAppName: 'fasttrack-bot-abc123',
  fastTrackStaffTenantId: 'f4571ac0-1111-4222-8333-444444444444',
  fastTrackCenterTeamId: '19:abc123@thread.tacv2',
};

/** Evaluates the simple expressions app settings use: literals, params, `resource.name`, interpolation. */
function evaluate(expr: string): string {
  const sample = DEPLOYMENT_VALUES[expr];
  if (sample !== undefined) return sample;
  if (/^'.*'$/s.test(expr)) {
    return expr.slice(1, -1).replace(/\$\{([^}]*)\}/g, (_, inner: string) => evaluate(inner.trim()));
  }
  const param = main.params().find((p) => p.name === expr);
  if (param) {
    const fromFile = parametersFile.parameters[expr]?.value;
    if (typeof fromFile === 'string') return fromFile;
    if (param.defaultExpr !== undefined) return evaluate(param.defaultExpr);
  }
  const resourceName = /^(\w+)\.name$/.exec(expr);
  const resource = resourceName && main.resources().get(resourceName[1]!);
  const nameExpr = resource?.entries.find((e) => e.key === 'name')?.value;
  if (nameExpr !== undefined) return evaluate(nameExpr);
  throw new Error(`the test cannot evaluate the Bicep expression ${expr}: add a sample value to DEPLOYMENT_VALUES`);
}

describe('infra (Bicep)', () => {
  describe('the web app settings', () => {
    it('are all configuration keys the bot reads', () => {
      const known = new Set<string>(CONFIG_KEYS);
      assert.ok(settings.length > 0, 'no appSettings found in main.bicep');
      for (const { name } of settings) assert.ok(known.has(name), `app setting ${name} is not read by bot/config.ts`);
    });

    it("give Graph the web app's public https /api/notifications for calendar change notifications", () => {
      assert.equal(evaluate(setting('NOTIFICATION_URL')!.value), 'https://fasttrack-bot-abc123.azurewebsites.net/api/notifications');
    });

    it('set each key only once', () => {
      const names = settings.map((s) => s.name);
      assert.deepEqual(names, [...new Set(names)]);
    });

    it('leave PORT to App Service and set no MicrosoftAppPassword, since the bot signs in as its managed identity', () => {
      assert.equal(setting('PORT'), undefined);
      assert.equal(setting('MicrosoftAppPassword'), undefined);
    });

    it('make the bot authenticate as the user-assigned managed identity the bot registration names', () => {
      assert.equal(stringLiteral(setting('MicrosoftAppType')?.value), 'UserAssignedMSI');
      assert.equal(setting('MicrosoftAppId')?.value, 'identity.properties.clientId');
      assert.equal(setting('MicrosoftAppTenantId')?.value, 'tenant().tenantId');
      const passed = main.modules().find((m) => m.path === 'botRegistration.bicep')?.params ?? [];
      assert.equal(passed.find((p) => p.key === 'identityClientId')?.value, setting('MicrosoftAppId')?.value);
    });

    it('point Graph at graph.microsoft.com with real credentials, never the local tenant', () => {
      const auth = stringLiteral(setting('GRAPH_AUTH')?.value);
      assert.ok(auth !== undefined && auth !== 'local', `GRAPH_AUTH is ${setting('GRAPH_AUTH')?.value}`);
      assert.equal(auth, 'clientSecret');
      assert.equal(stringLiteral(setting('GRAPH_BASE_URL')?.value), 'https://graph.microsoft.com');
      assert.ok(setting('GRAPH_CLIENT_ID') && setting('GRAPH_CLIENT_SECRET'));
    });

    it('make the bot listen on all interfaces, as App Service requires', () => {
      assert.equal(stringLiteral(setting('HOST')?.value), '0.0.0.0');
    });

    it('use the very container and queue the template creates', () => {
      const resources = main.resources();
      for (const [key, type] of [
        ['STORAGE_STATE_CONTAINER', 'blobServices/containers'],
        ['STORAGE_RECORDS_CONTAINER', 'blobServices/containers'],
        ['STORAGE_QUEUE_NAME', 'queueServices/queues'],
      ] as const) {
        const symbol = /^(\w+)\.name$/.exec(setting(key)?.value ?? '')?.[1];
        assert.ok(symbol, `${key} should be <resource>.name`);
        assert.ok(resources.get(symbol)?.type.includes(type), `${key} names ${symbol}, which is not a ${type} resource`);
      }
    });

    it('form a configuration that loadConfig accepts as production: managed identity, Azure Storage, Graph with a secret', () => {
      const env = Object.fromEntries(settings.map((s) => [s.name, evaluate(s.value)]));
      const config = loadConfig({ ...env, PORT: '8080' });
      assert.equal(config.host, '0.0.0.0');
      assert.equal(config.botAuth.MicrosoftAppType, 'UserAssignedMSI');
      assert.equal(config.botAuth.MicrosoftAppId, DEPLOYMENT_VALUES['identity.properties.clientId']);
      assert.equal(config.storage.kind, 'azure');
      assert.equal(config.storage.stateContainer, evaluate('stateContainerName'));
      assert.equal(config.graph.auth.kind, 'clientSecret');
      assert.equal(config.graph.baseUrl, 'https://graph.microsoft.com');
    });
  });

  describe('the parameters', () => {
    for (const [file, bicep] of Object.entries(bicepFiles)) {
      it(`are each used in ${file}`, () => {
        const unused = bicep.params().filter((p) => bicep.uses(p.name) === 0).map((p) => p.name);
        assert.deepEqual(unused, []);
      });
    }

    it('in main.parameters.json are all declared in main.bicep', () => {
      const declared = new Set(main.params().map((p) => p.name));
      const undeclared = Object.keys(parametersFile.parameters).filter((name) => !declared.has(name));
      assert.deepEqual(undeclared, []);
    });

    it('without a default are passed in the README\'s deployment command when main.parameters.json lacks them', () => {
      const readme = read('README.md');
      const command = /az deployment group create[^`]*/.exec(readme)?.[0] ?? '';
      for (const p of main.params().filter((p) => p.defaultExpr === undefined && !(p.name in parametersFile.parameters))) {
        assert.match(command, new RegExp(`\\b${p.name}=`), `README never passes ${p.name}`);
      }
    });

    it('that carry secrets are @secure() and not in main.parameters.json', () => {
      const secrets = main.params().filter((p) => /(Secret|Password)$/.test(p.name));
      assert.ok(secrets.length > 0);
      for (const p of secrets) {
        assert.match(p.decorators, /@secure\(\)/, `${p.name} is not @secure()`);
        assert.ok(!(p.name in parametersFile.parameters), `${p.name} must not be committed in main.parameters.json`);
      }
    });

    it('passed to the bot registration module are exactly the ones it declares', () => {
      for (const module of main.modules()) {
        const target = new BicepFile(read(module.path));
        const declared = target.params();
        const passed = module.params.map((p) => p.key);
        assert.deepEqual(passed.filter((name) => !declared.some((d) => d.name === name)), [], `${module.path} does not declare these`);
        const required = declared.filter((d) => d.defaultExpr === undefined).map((d) => d.name);
        assert.deepEqual(required.filter((name) => !passed.includes(name)), [], `${module.path} needs these`);
      }
    });
  });

  describe('the resources', () => {
    it('register an Azure Bot with a managed identity and the Teams channel enabled', () => {
      const bot = botRegistration.resources().get('bot');
      assert.match(bot?.type ?? '', /^Microsoft\.BotService\/botServices@/);
      assert.equal(bot?.entries.find((e) => e.key === 'kind')?.value, "'azurebot'");
      assert.match(botRegistration.source, /msaAppType: 'UserAssignedMSI'/);
      assert.match(botRegistration.source, /msaAppMSIResourceId: identityResourceId/);
      assert.match(botRegistration.source, /channelName: 'MsTeamsChannel'[\s\S]*isEnabled: true/);
    });

    it('send Teams messages to the web app\'s /api/messages over HTTPS', () => {
      const endpoint = main.modules()[0]?.params.find((p) => p.key === 'botEndpoint')?.value;
      assert.equal(endpoint, "'https://${webApp.properties.defaultHostName}/api/messages'");
    });

    it('run the bot on Linux Node 20 with Always On, HTTPS only and the bot\'s own start command', () => {
      assert.match(main.source, /linuxFxVersion: 'NODE\|20-lts'/);
      assert.match(main.source, /alwaysOn: true/);
      assert.match(main.source, /httpsOnly: true/);
      const start = JSON.parse(readFileSync(join(INFRA, '..', 'package.json'), 'utf8')).scripts['start:prod'] as string;
      assert.match(main.source, new RegExp(`appCommandLine: '${start.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
      assert.doesNotMatch(main.source, /tsx/, 'production runs compiled JavaScript');
    });

    it('probe liveness on /healthz, which makes no call to Graph or storage, so a slow dependency never restarts a healthy instance', () => {
      assert.match(main.source, /healthCheckPath: '\/healthz'/);
    });
  });
});
